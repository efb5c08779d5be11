//! Reading a JSON scenario or fixture file, its clicks and transactions in
//! parallel.
//!
//! One thread reads the file's top level and finds where each item of
//! `clicks` and `transactions` starts and ends ([`json::parse_streaming`]),
//! handing them out in batches; worker threads read each item into a
//! located tree and through the same [`Reader`] as YAML. The batches are put
//! back in file order, so the records, the problems and their order do not
//! depend on how many threads there are or which finished first; after a
//! syntax error, only the earliest one in the file is reported, as a reader
//! going from the start would.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, mpsc};

use super::{Reader, read_document};
use crate::scenario::json::{self, Cursor, ITEM_DEPTH, Mark, SyntaxError};
use crate::scenario::model::{ClickSpec, Document, TransactionSpec};
use crate::scenario::parallel;
use crate::scenario::problem::Problems;

/// Files smaller than this are read on the calling thread: starting
/// threads would cost more than they save.
const PARALLEL_FROM_BYTES: usize = 1024 * 1024;

/// Items handed to a worker at a time: enough that handing out costs
/// nothing, few enough that every core gets a share of a small file.
const BATCH_ITEMS: usize = 2048;

/// The most threads reading items.
const MAX_WORKERS: usize = 8;

/// How a JSON file's items are read.
#[derive(Debug, Clone, Copy)]
pub struct Parallelism {
    /// Worker threads; 0 reads on the calling thread.
    pub workers: usize,
    /// Items per batch.
    pub batch: usize,
}

impl Parallelism {
    /// What suits a text of this size on this machine.
    fn for_text(text: &str) -> Self {
        let workers = if text.len() < PARALLEL_FROM_BYTES {
            0
        } else {
            parallel::cores().min(MAX_WORKERS)
        };
        Parallelism {
            workers,
            batch: BATCH_ITEMS,
        }
    }
}

/// Parses and reads one JSON file's text, recording every problem; `None`
/// when it is not JSON at all (the earliest syntax error recorded).
pub fn read_text(text: &str, path: &Path, problems: &mut Problems) -> Option<Document> {
    read_text_with(text, path, problems, Parallelism::for_text(text))
}

/// [`read_text`] with the threads and batch size given.
pub fn read_text_with(
    text: &str,
    path: &Path,
    problems: &mut Problems,
    parallelism: Parallelism,
) -> Option<Document> {
    let mut merged = Merged::default();
    let parsed = if parallelism.workers == 0 {
        let mut batches = Batches::new(parallelism.batch, |batch| {
            merged.add(read_batch(text, path, batch));
        });
        let parsed = json::parse_streaming(text, &STREAMED, &mut |list, mark, end| {
            batches.push(list, mark, end);
        });
        batches.flush();
        parsed
    } else {
        let (jobs, waiting) = mpsc::sync_channel::<Batch>(2 * parallelism.workers);
        let waiting = Mutex::new(waiting);
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<BatchResult>();
            for _ in 0..parallelism.workers {
                let (waiting, done) = (&waiting, done.clone());
                scope.spawn(move || {
                    loop {
                        let next = match waiting.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = next else { break };
                        if done.send(read_batch(text, path, batch)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done);
            let parsed = {
                let mut batches = Batches::new(parallelism.batch, |batch| {
                    // The workers stop only once this sender is dropped.
                    let _ = jobs.send(batch);
                    // Records are put in place as they come rather than once
                    // the whole file is split: a batch's own list is then
                    // freed while the workers still read, and its memory
                    // serves the batches after it instead of fresh pages.
                    while let Ok(result) = finished.try_recv() {
                        merged.add(result);
                    }
                });
                let parsed = json::parse_streaming(text, &STREAMED, &mut |list, mark, end| {
                    batches.push(list, mark, end);
                });
                batches.flush();
                parsed
            };
            drop(jobs);
            for result in finished {
                merged.add(result);
            }
            parsed
        })
    };
    let earliest = merged
        .errors
        .into_iter()
        .chain(parsed.as_ref().err().cloned())
        .min_by_key(|(at, _)| *at);
    if let Some((at, message)) = earliest {
        problems.push(path, at, message);
        return None;
    }
    let tree = match parsed {
        Ok(Some(tree)) => tree,
        // Not an object at the top: the whole tree locates what is wrong.
        _ => match json::parse(text) {
            Ok(tree) => return Some(read_document(&tree, path, problems)),
            Err((at, message)) => {
                problems.push(path, at, message);
                return None;
            }
        },
    };
    let mut attempt = merged.problems;
    let mut reader = Reader {
        path,
        problems: &mut attempt,
    };
    let mut doc = reader.document(&tree);
    doc.clicks = merged.clicks;
    doc.transactions = merged.transactions;
    problems.append(attempt);
    Some(doc)
}

/// The top-level lists read item by item.
const STREAMED: [&str; 2] = ["clicks", "transactions"];

/// Items of one list, in file order, for one worker.
struct Batch {
    seq: usize,
    clicks: bool,
    items: Vec<(Mark, usize)>,
}

/// What a worker read from a batch.
struct BatchResult {
    seq: usize,
    clicks: Vec<ClickSpec>,
    transactions: Vec<TransactionSpec>,
    problems: Problems,
    /// The batch's first syntax error; its later items are not read.
    error: Option<SyntaxError>,
}

/// Gathers items into batches and hands each full one to `ship`.
struct Batches<F: FnMut(Batch)> {
    size: usize,
    next_seq: usize,
    current: Option<Batch>,
    ship: F,
}

impl<F: FnMut(Batch)> Batches<F> {
    fn new(size: usize, ship: F) -> Self {
        Batches {
            size: size.max(1),
            next_seq: 0,
            current: None,
            ship,
        }
    }

    fn push(&mut self, list: &str, mark: Mark, end: usize) {
        let clicks = list == "clicks";
        if self.current.as_ref().is_some_and(|b| b.clicks != clicks) {
            self.flush();
        }
        let batch = self.current.get_or_insert_with(|| {
            let seq = self.next_seq;
            self.next_seq += 1;
            Batch {
                seq,
                clicks,
                items: Vec::with_capacity(self.size),
            }
        });
        batch.items.push((mark, end));
        if batch.items.len() >= self.size {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if let Some(batch) = self.current.take() {
            (self.ship)(batch);
        }
    }
}

/// Reads each item of a batch into a tree, then into a record.
fn read_batch(text: &str, path: &Path, batch: Batch) -> BatchResult {
    let mut result = BatchResult {
        seq: batch.seq,
        clicks: Vec::new(),
        transactions: Vec::new(),
        problems: Problems::default(),
        error: None,
    };
    let mut reader = Reader {
        path,
        problems: &mut result.problems,
    };
    if batch.clicks {
        result.clicks.reserve(batch.items.len());
    } else {
        result.transactions.reserve(batch.items.len());
    }
    for (mark, end) in batch.items {
        let mut cursor = Cursor::at(text, mark);
        let item = cursor
            .value(ITEM_DEPTH)
            .and_then(|item| cursor.item_ends_at(end).map(|()| item));
        match item {
            Ok(mut item) if batch.clicks => result.clicks.extend(reader.click(&mut item)),
            Ok(mut item) => result.transactions.extend(reader.transaction(&mut item)),
            Err(err) => {
                result.error = Some(err);
                break;
            }
        }
    }
    result
}

/// Batch results put back in file order as they arrive.
#[derive(Default)]
struct Merged {
    next_seq: usize,
    waiting: BTreeMap<usize, BatchResult>,
    clicks: Vec<ClickSpec>,
    transactions: Vec<TransactionSpec>,
    problems: Problems,
    errors: Vec<SyntaxError>,
}

impl Merged {
    fn add(&mut self, result: BatchResult) {
        self.waiting.insert(result.seq, result);
        while let Some(result) = self.waiting.remove(&self.next_seq) {
            self.next_seq += 1;
            self.clicks.extend(result.clicks);
            self.transactions.extend(result.transactions);
            self.problems.append(result.problems);
            self.errors.extend(result.error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::faults::FaultOutcome;
    use crate::scenario::problem::Problem;

    /// A JSON scenario of `n` clicks and as many transactions; every 97th
    /// click has an unknown key, every 89th transaction an unknown status.
    fn scenario(n: usize) -> String {
        let mut text = String::from(
            "{\"credentials\": [{\"username\": \"u\", \"api_key\": \"k\"}],\n\"clicks\": [\n",
        );
        for i in 0..n {
            let typo = if i % 97 == 5 { ", \"loginidd\": 1" } else { "" };
            let comma = if i + 1 < n { "," } else { "" };
            text.push_str(&format!(
                "{{\"click_hash\": \"c{i}\", \"time\": {}{typo}}}{comma}\n",
                1_763_632_800 + i
            ));
        }
        text.push_str("],\n\"transactions\": [\n");
        for i in 0..n {
            let status = if i % 89 == 3 { "lost" } else { "approved" };
            let comma = if i + 1 < n { "," } else { "" };
            text.push_str(&format!(
                "{{\"transaction_hash\": \"t{i}\", \"click_hash\": \"c{i}\", \"status\": \"{status}\"}}{comma}\n"
            ));
        }
        text.push_str("]}\n");
        text
    }

    fn read(text: &str, workers: usize, batch: usize) -> (Option<Document>, Vec<Problem>) {
        let mut problems = Problems::default();
        let path = Path::new("s.json");
        let doc = read_text_with(text, path, &mut problems, Parallelism { workers, batch });
        (doc, problems.into_sorted())
    }

    #[test]
    fn reading_in_parallel_gives_what_reading_in_order_gives() {
        let text = scenario(3000);

        let (in_order, in_order_problems) = read(&text, 0, 2048);
        let (parallel, parallel_problems) = read(&text, 3, 7);

        let in_order = in_order.expect("readable");
        assert_eq!(in_order.clicks.len(), 3000);
        assert_eq!(in_order.clicks[2999].click_hash(), "c2999");
        assert_eq!(in_order.transactions[1234].transaction_hash(), "t1234");
        assert_eq!(Some(in_order), parallel);
        assert_eq!(in_order_problems.len(), 31 + 34);
        assert_eq!(in_order_problems, parallel_problems);
        assert_eq!(
            in_order_problems[0].to_string(),
            "s.json:8:42: unknown key `loginidd` in a click; did you mean `loginid`? (expected one of: click_hash, time, \
             loginid, username, offerid, landing_pageid, campaignid, creativeid, subid1, subid2, \
             external_clickid, ip, country, referrer, user_agent, response, latency_ms, fault, extra)"
        );
    }

    #[test]
    fn a_clicks_rare_keys_are_read_into_its_box_and_a_plain_click_has_none() {
        let text = concat!(
            "{\"clicks\": [{\"click_hash\": \"plain\"},\n",
            "{\"click_hash\": \"rare\", \"latency_ms\": 25, \"fault\": {\"drop_connection\": true},\n",
            " \"extra\": {\"tier\": \"gold\"}, \"response\": {\"result\": \"success\"}},\n",
            "{\"click_hash\": \"slow\", \"latency_ms\": 7}]}\n",
        );
        let (doc, problems) = read(text, 0, 2048);
        assert_eq!(problems, []);
        let clicks = doc.expect("readable").clicks;

        let plain = &clicks[0];
        assert_eq!(plain.rare, None);
        assert_eq!(plain.extra(), []);
        assert_eq!((plain.latency_ms(), plain.fault()), (None, None));
        assert!(plain.response().is_none());

        let rare = &clicks[1];
        assert_eq!(rare.extra(), [("tier".to_string(), "gold".to_string())]);
        assert_eq!(rare.latency_ms(), Some(25));
        assert_eq!(rare.fault(), Some(&FaultOutcome::DropConnection));
        assert!(rare.response().is_some());

        let slow = &clicks[2];
        assert_eq!((slow.latency_ms(), slow.fault()), (Some(7), None));
        assert!(slow.extra().is_empty() && slow.response().is_none());
    }

    #[test]
    fn only_the_earliest_syntax_error_is_reported_however_the_items_are_shared() {
        let mut text = scenario(3000);
        // Two broken items: click 2500 (line 2503), and click 10 (line 13).
        text = text.replacen("\"c2500\", \"time\": ", "\"c2500\", \"time\" ", 1);
        text = text.replacen("{\"click_hash\": \"c10\",", "{\"click_hash\": \"c10\",,", 1);

        for (workers, batch) in [(0, 2048), (2, 1), (3, 100), (4, 5000)] {
            let (doc, problems) = read(&text, workers, batch);

            assert_eq!(doc, None);
            let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(
                shown,
                ["s.json:13:22: expected a key in double quotes, found `,`"],
                "{workers} workers, batches of {batch}"
            );
        }
    }

    #[test]
    fn a_broken_item_boundary_is_reported_where_the_list_breaks() {
        let text = "{\"clicks\": [{\"click_hash\": \"a\"} {\"click_hash\": \"b\"}]}";

        for workers in [0, 2] {
            let (doc, problems) = read(text, workers, 1);

            assert_eq!(doc, None);
            assert_eq!(
                problems[0].to_string(),
                "s.json:1:33: expected `,` or `]` after a list item, found `{`"
            );
        }
    }
}
