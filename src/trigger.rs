//! Which of a numbered series a fault rule hits: `every: N`, `after: N`,
//! `first: N`. API faults count a scenario's requests; postback faults
//! count a target's postbacks; both from 1.

/// Which members of a series, counted from 1, a rule hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Number N, 2N, 3N...
    Every(u64),
    /// Every one after the first N.
    After(u64),
    /// The first N.
    First(u64),
}

impl Trigger {
    /// Whether number `n` (from 1) is hit.
    pub fn fires(self, n: u64) -> bool {
        match self {
            Trigger::Every(every) => n.is_multiple_of(every),
            Trigger::After(after) => n > after,
            Trigger::First(first) => n <= first,
        }
    }
}
