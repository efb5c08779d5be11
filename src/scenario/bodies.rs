//! Every click's success body, rendered once at load on every core, the
//! records given up as their bodies are written: the records of a million
//! clicks and their bodies would not fit in memory side by side.
//!
//! The clicks are rendered from the last one back, a round at a time, each
//! round in slices that the threads take in turn. A click's texts are freed
//! as soon as its body is written; once a round is done, the records behind
//! it are dropped and their lists shrunk, which hands their memory back.
//! Every body is written from its own click and transactions into its own
//! place, so the bodies do not depend on the threads or the order.

use bytes::Bytes;

use super::group::Grouped;
use super::model::{CLICK_KEYS, ClickSpec, PAYOUT_KEYS, TRANSACTION_KEYS, TransactionSpec};
use super::parallel;
use crate::render::{self, ObjectWriter};

/// Clicks whose records are given back together.
const ROUND: usize = 64 * 1024;

/// Clicks one thread renders at a time: small enough that the threads
/// finish a round close together.
const SLICE: usize = 2 * 1024;

/// How the rendering is cut up.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// Clicks rendered before the records behind them are dropped.
    pub round: usize,
    /// Clicks one thread takes at a time.
    pub slice: usize,
    /// Threads rendering at once, this one among them.
    pub threads: usize,
}

impl Split {
    /// What suits this machine.
    pub fn for_machine() -> Self {
        Split {
            round: ROUND,
            slice: SLICE,
            threads: parallel::cores(),
        }
    }
}

/// Every click's bodies.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Each click's answer, in click order.
    pub bodies: Vec<Bytes>,
    /// For each click answered with a captured `response:`, the contract's
    /// body as well.
    pub shadows: Vec<(usize, Bytes)>,
}

/// Renders every click's bodies, consuming the records.
pub fn render(grouped: Grouped, split: Split) -> Rendered {
    let Grouped {
        mut clicks,
        mut transactions,
        starts,
    } = grouped;
    let mut rendered = Rendered {
        bodies: vec![Bytes::new(); clicks.len()],
        shadows: Vec::new(),
    };
    let mut end = clicks.len();
    while end > 0 {
        let start = end.saturating_sub(split.round.max(1));
        let slices = slices(
            start,
            &mut clicks[start..end],
            &mut transactions[starts[start]..starts[end]],
            &mut rendered.bodies[start..end],
            &starts,
            split.slice.max(1),
        );
        rendered
            .shadows
            .extend(render_slices(slices, &starts, split.threads));
        clicks.truncate(start);
        clicks.shrink_to_fit();
        transactions.truncate(starts[start]);
        transactions.shrink_to_fit();
        end = start;
    }
    rendered
}

/// Some clicks, their transactions and the places of their answers.
struct Slice<'r> {
    /// The place of its first click.
    first: usize,
    clicks: &'r mut [ClickSpec],
    transactions: &'r mut [TransactionSpec],
    bodies: &'r mut [Bytes],
}

/// Cuts a round, whose first click is `first`, into slices of `size` clicks.
fn slices<'r>(
    first: usize,
    clicks: &'r mut [ClickSpec],
    mut transactions: &'r mut [TransactionSpec],
    bodies: &'r mut [Bytes],
    starts: &[usize],
    size: usize,
) -> Vec<Slice<'r>> {
    let mut cut = Vec::with_capacity(clicks.len().div_ceil(size));
    for (n, (clicks, bodies)) in clicks
        .chunks_mut(size)
        .zip(bodies.chunks_mut(size))
        .enumerate()
    {
        let first = first + n * size;
        let count = starts[first + clicks.len()] - starts[first];
        let (these, rest) = std::mem::take(&mut transactions).split_at_mut(count);
        transactions = rest;
        cut.push(Slice {
            first,
            clicks,
            transactions: these,
            bodies,
        });
    }
    cut
}

/// Renders the slices on up to `threads` threads, this one among them, and
/// returns the contract's bodies of the clicks with a captured `response:`.
fn render_slices(slices: Vec<Slice>, starts: &[usize], threads: usize) -> Vec<(usize, Bytes)> {
    // The last slice is taken first: the round's records go from the end back.
    let done = parallel::share(
        slices,
        threads,
        // One buffer to write in, and each body copied out at its size.
        || (String::with_capacity(4096), Vec::new()),
        |(scratch, shadows), slice| render_slice(slice, starts, scratch, shadows),
    );
    done.into_iter().flat_map(|(_, shadows)| shadows).collect()
}

/// Writes each click's bodies and frees its texts and its transactions'.
fn render_slice(
    slice: Slice,
    starts: &[usize],
    scratch: &mut String,
    shadows: &mut Vec<(usize, Bytes)>,
) {
    let offset = starts[slice.first];
    for (n, (click, body)) in slice.clicks.iter_mut().zip(slice.bodies).enumerate() {
        let i = slice.first + n;
        let transactions = &mut slice.transactions[starts[i] - offset..starts[i + 1] - offset];
        *body = match click.response() {
            Some(response) => {
                let mut out = String::new();
                crate::scenario::to_json::push_yaml(&mut out, response);
                shadows.push((i, contract_body(click, transactions, scratch)));
                Bytes::from(out)
            }
            None => contract_body(click, transactions, scratch),
        };
        give_up(click, transactions);
    }
}

/// Frees what a click and its transactions hold once its bodies are
/// written; what is left of the records goes with their round.
fn give_up(click: &mut ClickSpec, transactions: &mut [TransactionSpec]) {
    drop(std::mem::take(&mut click.values));
    click.rare = None;
    for transaction in transactions {
        drop(std::mem::take(&mut transaction.values));
        drop(std::mem::take(&mut transaction.payouts));
        drop(std::mem::take(&mut transaction.extra));
        drop(std::mem::take(&mut transaction.click_hash.value));
        transaction.transactionid = None;
    }
}

/// The contract's success body of a click and its transactions.
/// `out` is a scratch buffer, cleared first; the body is copied out of it.
fn contract_body(click: &ClickSpec, transactions: &[TransactionSpec], out: &mut String) -> Bytes {
    out.clear();
    let mut body = ObjectWriter::open(out);
    body.known("result", "success");
    body.raw("click", |out| {
        let mut object = ObjectWriter::open(out);
        for (key, value) in CLICK_KEYS.iter().zip(click.values.iter()) {
            object.known(key, value);
        }
        for (key, value) in click.extra() {
            object.string(key, value);
        }
        object.close();
    });
    body.raw("transactions", |out| {
        render::push_array(out, transactions, |out, transaction| {
            let mut object = ObjectWriter::open(out);
            for (key, value) in TRANSACTION_KEYS.iter().zip(transaction.values.iter()) {
                object.known(key, value);
            }
            object.raw("payouts", |out| {
                render::push_array(out, &transaction.payouts, |out, payout| {
                    let mut object = ObjectWriter::open(out);
                    for (key, value) in PAYOUT_KEYS.iter().zip(payout) {
                        object.known(key, value);
                    }
                    object.close();
                });
            });
            for (key, value) in &transaction.extra {
                object.string(key, value);
            }
            object.close();
        });
    });
    body.close();
    Bytes::copy_from_slice(out.as_bytes())
}
