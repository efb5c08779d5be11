//! Each click with its transactions: the transactions put in click order in
//! place, so that a click's transactions are one run of the list and a range
//! of clicks has its transactions in one range too, which one thread can
//! render and then give up while another renders the next range.

use super::model::{ClickSpec, TransactionSpec};

/// Clicks and their transactions: the clicks in fixture order, the
/// transactions click by click, each click's in fixture order.
#[derive(Debug)]
pub struct Grouped {
    /// The clicks, in fixture order.
    pub clicks: Vec<ClickSpec>,
    /// The transactions of click `i` are `transactions[starts[i]..starts[i + 1]]`.
    pub transactions: Vec<TransactionSpec>,
    /// Where each click's transactions start; the last entry is where the
    /// last click's end.
    pub starts: Vec<usize>,
}

impl Grouped {
    /// Puts each transaction under its click, `owners[i]` being the
    /// click of `transactions[i]`; one whose owner is past the last click
    /// names none and is left out, as validation has reported it.
    pub fn new(
        clicks: Vec<ClickSpec>,
        mut transactions: Vec<TransactionSpec>,
        mut owners: Vec<usize>,
    ) -> Self {
        // The transactions naming no click go last, as if owned by one more click.
        let orphan = clicks.len();
        for owner in &mut owners {
            *owner = (*owner).min(orphan);
        }
        let mut starts = vec![0; orphan + 2];
        for &owner in &owners {
            starts[owner + 1] += 1;
        }
        for i in 0..=orphan {
            starts[i + 1] += starts[i];
        }
        // Fixtures usually list transactions click by click already.
        if !owners.is_sorted() {
            let mut next = starts.clone();
            let mut places: Vec<usize> = owners
                .iter()
                .map(|&owner| {
                    next[owner] += 1;
                    next[owner] - 1
                })
                .collect();
            // Each swap puts one transaction in its place for good.
            for i in 0..places.len() {
                while places[i] != i {
                    let place = places[i];
                    transactions.swap(i, place);
                    places.swap(i, place);
                }
            }
        }
        starts.pop();
        transactions.truncate(starts[orphan]);
        Grouped {
            clicks,
            transactions,
            starts,
        }
    }

    /// The transactions of click `i`.
    pub fn of(&self, i: usize) -> &[TransactionSpec] {
        &self.transactions[self.starts[i]..self.starts[i + 1]]
    }

    /// Every transaction with its click, click by click.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &TransactionSpec)> {
        (0..self.clicks.len()).flat_map(move |i| self.of(i).iter().map(move |t| (i, t)))
    }
}
