//! Work split across threads only when there is enough of it: starting a
//! thread costs more than indexing the bundled scenarios, whose load is on
//! the way to a mock's first answer.

use std::sync::Mutex;

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

/// How many threads this machine runs at once (1 when it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Works through `items` on up to `threads` threads, this one among them:
/// each thread takes the last item left, works on it with its own state
/// (from `start`) and takes the next, until none is left. Returns every
/// thread's state, this thread's first; which thread took which item
/// depends on timing, so what each item gives should say which item it
/// was. A panic on a thread is resumed here.
pub fn share<T: Send, S: Send>(
    items: Vec<T>,
    threads: usize,
    start: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, T) + Sync,
) -> Vec<S> {
    let helpers = threads.min(items.len()).saturating_sub(1);
    let queue = Mutex::new(items);
    let take = || {
        let mut state = start();
        loop {
            // A poisoned queue means another thread panicked: its join says so.
            let next = match queue.lock() {
                Ok(mut items) => items.pop(),
                Err(_) => None,
            };
            let Some(item) = next else {
                return state;
            };
            work(&mut state, item);
        }
    };
    if helpers == 0 {
        return vec![take()];
    }
    std::thread::scope(|scope| {
        let spawned: Vec<_> = (0..helpers).map(|_| scope.spawn(take)).collect();
        let mut states = vec![take()];
        for thread in spawned {
            states.push(
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        states
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

    #[test]
    fn shared_items_are_each_worked_on_once_whatever_the_threads() {
        for threads in [1, 2, 3, 8] {
            let states = share(
                (0..100u32).collect(),
                threads,
                Vec::new,
                |seen: &mut Vec<u32>, item| seen.push(item),
            );
            assert!(!states.is_empty() && states.len() <= threads);
            let mut seen: Vec<u32> = states.into_iter().flatten().collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..100).collect::<Vec<_>>());
        }
    }

    #[test]
    fn one_thread_takes_the_items_from_the_last() {
        let states = share(vec![1, 2, 3], 1, Vec::new, |seen: &mut Vec<i32>, item| {
            seen.push(item)
        });
        assert_eq!(states, [vec![3, 2, 1]]);
    }
}
