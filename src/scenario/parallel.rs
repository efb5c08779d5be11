//! Work split across threads only when there is enough of it: starting a
//! thread costs more than indexing the bundled scenarios, whose load is on
//! the way to a mock's first answer.

/// Records (clicks and transactions) from which a scenario's load spreads
/// its independent steps over threads.
pub const FROM_RECORDS: usize = 10_000;

/// Runs `a` and `b`, on two threads when `parallel`, else one after the
/// other on this one. A panic in either is resumed here (a bug, not a
/// scenario's problem).
pub fn join<A: Send, B>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B,
) -> (A, B) {
    if !parallel {
        let a = a();
        return (a, b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        let a = a
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_run_either_way() {
        for parallel in [false, true] {
            let (a, b) = join(parallel, || 1 + 1, || "b".repeat(2));
            assert_eq!((a, b.as_str()), (2, "bb"));
        }
    }

    #[test]
    fn only_a_parallel_join_uses_another_thread() {
        let here = std::thread::current().id();
        let (same, _) = join(false, || std::thread::current().id() == here, || ());
        let (other, _) = join(true, || std::thread::current().id() != here, || ());
        assert!(same && other);
    }
}
