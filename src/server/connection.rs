//! Drives one client connection to its end: hyper serves it, and it is
//! closed gracefully when it has been idle for the idle timeout or when the
//! server stops.
//!
//! The two watchers (the server's stop signal and the idle clock) are
//! polled only when one of them woke the connection's task, not on every
//! wake-up as `select!` would poll them: a kept-alive connection wakes a few
//! times per request, and re-arming a timer and a channel each time cost
//! some 280 instructions of a lookup's then 22,000 (BENCHMARKS.md, "The
//! fifth round").

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::watch;
use tokio::time::Instant;

use super::limits::Activity;

/// Serves `connection` until it ends, closing it gracefully once it has
/// been idle for `idle_timeout` or when `stopping` changes or closes.
pub async fn serve<C>(
    connection: C,
    activity: Arc<Activity>,
    idle_timeout: Duration,
    mut stopping: watch::Receiver<()>,
) where
    C: GracefulConnection<Error = hyper::Error>,
{
    tokio::pin!(connection);
    loop {
        let next_check = activity
            .idle_deadline(idle_timeout)
            .map_or_else(|| Instant::now() + idle_timeout, Instant::from_std);
        let watchers = async {
            tokio::select! {
                _ = stopping.changed() => Watched::Stopping,
                () = tokio::time::sleep_until(next_check) => Watched::Check,
            }
        };
        tokio::pin!(watchers);
        let close = match OnItsOwnWake::new(connection.as_mut(), watchers).await {
            Either::Main(result) => return ended(result),
            Either::Side(Watched::Stopping) => true,
            Either::Side(Watched::Check) => {
                let idle = activity
                    .idle_deadline(idle_timeout)
                    .is_some_and(|deadline| deadline <= std::time::Instant::now());
                if idle {
                    tracing::debug!("idle connection closed");
                }
                idle
            }
        };
        if close {
            connection.as_mut().graceful_shutdown();
            return ended(connection.await);
        }
    }
}

/// What woke the watchers.
enum Watched {
    /// The server is stopping.
    Stopping,
    /// The connection may have been idle long enough.
    Check,
}

fn ended(result: Result<(), hyper::Error>) {
    if let Err(err) = result {
        tracing::debug!(error = %err, "connection ended with an error");
    }
}

/// Which of the two futures finished first.
#[derive(Debug, PartialEq, Eq)]
enum Either<M, S> {
    Main(M),
    Side(S),
}

/// Polls `main` whenever the task wakes, and `side` only when `side` woke
/// it (and on the first poll), through a waker of its own.
struct OnItsOwnWake<M, S> {
    main: M,
    side: S,
    /// `side`'s waker, and the flag it raises; made on the first poll.
    side_waker: Option<(Arc<Flag>, Waker)>,
}

/// Raised when `side` woke the task, which it then wakes.
struct Flag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}

impl<M, S> OnItsOwnWake<M, S> {
    fn new(main: M, side: S) -> Self {
        OnItsOwnWake {
            main,
            side,
            side_waker: None,
        }
    }
}

impl<M: Future + Unpin, S: Future + Unpin> Future for OnItsOwnWake<M, S> {
    type Output = Either<M::Output, S::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(out) = Pin::new(&mut this.main).poll(cx) {
            return Poll::Ready(Either::Main(out));
        }
        match &this.side_waker {
            Some((flag, _)) if flag.task.will_wake(cx.waker()) => {
                if !flag.woken.swap(false, Ordering::AcqRel) {
                    return Poll::Pending;
                }
            }
            // The first poll, or another task's waker: `side` is polled with
            // a waker that wakes this one.
            _ => this.side_waker = None,
        }
        let (_, waker) = this.side_waker.get_or_insert_with(|| {
            let flag = Arc::new(Flag {
                woken: AtomicBool::new(false),
                task: cx.waker().clone(),
            });
            (Arc::clone(&flag), Waker::from(flag))
        });
        match Pin::new(&mut this.side).poll(&mut Context::from_waker(waker)) {
            Poll::Ready(out) => Poll::Ready(Either::Side(out)),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// A future that counts its polls, is ready once `ready` is set, and
    /// hands out the waker it was last polled with.
    #[derive(Default)]
    struct Probe {
        polls: AtomicUsize,
        ready: AtomicBool,
        waker: Mutex<Option<Waker>>,
    }

    impl Probe {
        fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
            self.polls.fetch_add(1, Ordering::SeqCst);
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            if self.ready.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }

        fn polls(&self) -> usize {
            self.polls.load(Ordering::SeqCst)
        }

        fn finish_and_wake(&self) {
            self.ready.store(true, Ordering::SeqCst);
            self.wake();
        }

        fn wake(&self) {
            let waker = self.waker.lock().unwrap().clone();
            waker.expect("polled once").wake();
        }
    }

    /// A future polled as its probe says.
    type Probed<'p> = Pin<Box<dyn Future<Output = ()> + 'p>>;

    /// `main` and `side` as the connection and its watchers.
    fn watched<'p>(main: &'p Probe, side: &'p Probe) -> OnItsOwnWake<Probed<'p>, Probed<'p>> {
        OnItsOwnWake::new(
            Box::pin(poll_fn(|cx| main.poll(cx))),
            Box::pin(poll_fn(|cx| side.poll(cx))),
        )
    }

    struct Counting(AtomicUsize);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_side_is_polled_only_when_it_woke_the_task() {
        let (main, side) = (Probe::default(), Probe::default());
        let mut both = watched(&main, &side);
        let task = Arc::new(Counting(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&task));
        let mut cx = Context::from_waker(&waker);
        let mut poll = || Pin::new(&mut both).poll(&mut cx);

        // The first poll polls both.
        assert_eq!(poll(), Poll::Pending);
        assert_eq!((main.polls(), side.polls()), (1, 1));
        // The main future waking the task: only it is polled again.
        main.wake();
        assert_eq!(poll(), Poll::Pending);
        assert_eq!(poll(), Poll::Pending);
        assert_eq!((main.polls(), side.polls()), (3, 1));
        // The side waking it: the task is woken, and the side polled once.
        side.wake();
        assert_eq!(task.0.load(Ordering::SeqCst), 2);
        assert_eq!(poll(), Poll::Pending);
        assert_eq!(poll(), Poll::Pending);
        assert_eq!((main.polls(), side.polls()), (5, 2));
        // The side finishing is seen at the next poll.
        side.finish_and_wake();
        assert_eq!(poll(), Poll::Ready(Either::Side(())));
        assert_eq!((main.polls(), side.polls()), (6, 3));
    }

    #[test]
    fn the_main_future_wins_when_it_is_ready() {
        let (main, side) = (Probe::default(), Probe::default());
        main.ready.store(true, Ordering::SeqCst);
        side.ready.store(true, Ordering::SeqCst);
        let mut both = watched(&main, &side);
        let waker = Waker::from(Arc::new(Counting(AtomicUsize::new(0))));
        let polled = Pin::new(&mut both).poll(&mut Context::from_waker(&waker));
        assert_eq!(polled, Poll::Ready(Either::Main(())));
        assert_eq!(side.polls(), 0);
    }

    #[test]
    fn another_tasks_waker_polls_the_side_again_and_it_wakes_that_task() {
        let (main, side) = (Probe::default(), Probe::default());
        let mut both = watched(&main, &side);
        let first = Arc::new(Counting(AtomicUsize::new(0)));
        let second = Arc::new(Counting(AtomicUsize::new(0)));
        let wakers = [
            Waker::from(Arc::clone(&first)),
            Waker::from(Arc::clone(&second)),
        ];
        for waker in &wakers {
            let polled = Pin::new(&mut both).poll(&mut Context::from_waker(waker));
            assert_eq!(polled, Poll::Pending);
        }
        assert_eq!(side.polls(), 2);
        side.wake();
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }
}
