//! A mock for Rust test suites: started in-process on a free loopback port,
//! with a scenario chosen by name, by file, or built in code; it hands back
//! its base URL and the requests it received, and stops when dropped.
//!
//! ```
//! use n4n_mock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The bundled `default` scenario answers the API page's example.
//! let mock = MockServer::builder().scenario("default").start().await?;
//!
//! let answer = reqwest::Client::new()
//!     .get(format!("{}/api/transaction/click_detail", mock.url()))
//!     .header("api-key", "44b5498dbcb481a0d00b404c0169af62")
//!     .header("api-username", "n4n_admin")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body("transaction_hash=35b71a300115be9.16738986")
//!     .send()
//!     .await?;
//! assert_eq!(answer.status(), 200);
//!
//! // What the code under test sent, as the journal kept it (never the api-key).
//! let requests = mock.requests();
//! assert_eq!(requests.len(), 1);
//! assert_eq!(requests[0].parameter, Some("transaction_hash"));
//! assert_eq!(requests[0].click_hash.as_deref(), Some("35b71a300115be9.16738986"));
//! # Ok(())
//! # }
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::journal::JournalEntry;
use crate::postbacks::PostbackRecord;
use crate::scenario::Scenario;
use crate::scenario::catalog::CatalogSource;
use crate::server::admin_token::AdminToken;
use crate::server::postbacks::{
    self as admin_postbacks, Conversion, ConversionError, Converted, Refusal,
};
use crate::server::state::{Active, ReloadFailure, StartError, UnknownScenario};
use crate::server::{self, MockOptions, MockState};
use crate::verification::{Expectation, VerifyError};

/// Why a mock did not start.
#[derive(Debug, thiserror::Error)]
pub enum MockServerError {
    /// A scenario does not load, or the one asked for is not there.
    #[error(transparent)]
    Scenarios(#[from] StartError),
    /// No port could be bound on the address.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: IpAddr,
        /// Why not.
        source: std::io::Error,
    },
    /// Loading the scenarios ended without a result: it panicked, or the
    /// runtime was shutting down before it could run.
    #[error("loading the scenarios did not finish: {0}")]
    LoadAborted(#[source] tokio::task::JoinError),
}

/// Fewer postbacks settled than waited for.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{settled} of {wanted} postbacks settled in time; the log: {postbacks:?}")]
pub struct PostbacksTimedOut {
    /// How many were waited for.
    pub wanted: u64,
    /// How many had settled.
    pub settled: u64,
    /// The postbacks as they stood.
    pub postbacks: Vec<PostbackRecord>,
}

/// Which scenario answers at first.
#[derive(Debug)]
enum Choice {
    Named(String),
    File(PathBuf),
    Built(Box<Scenario>),
}

/// Sets up a [`MockServer`].
#[derive(Debug)]
pub struct MockServerBuilder {
    scenarios_dir: Option<PathBuf>,
    address: IpAddr,
    choice: Choice,
    options: MockOptions,
}

impl MockServerBuilder {
    /// Loads every scenario of `dir` too (besides the bundled ones built in;
    /// a file there replaces the bundled scenario of its name).
    pub fn scenarios_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.scenarios_dir = Some(dir.into());
        self
    }

    /// Starts with the scenario called `name`: a bundled one (`default`,
    /// `empty`, `locked`, `lifecycle`, `postbacks`...: `n4n-mock scenarios`
    /// lists them), or one of the scenarios dir.
    pub fn scenario(mut self, name: impl Into<String>) -> Self {
        self.choice = Choice::Named(name.into());
        self
    }

    /// Asks every admin call over HTTP (`/__mock/*` but the health check and
    /// the console) for `Authorization: Bearer TOKEN`, as `--admin-token`
    /// does; this handle's own methods are not affected.
    pub fn admin_token(mut self, token: AdminToken) -> Self {
        self.options.admin_token = Some(token);
        self
    }

    /// Starts with the scenario in this YAML file.
    pub fn scenario_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.choice = Choice::File(path.into());
        self
    }

    /// Starts with a scenario built in code
    /// ([`ScenarioBuilder`](crate::scenario::builder::ScenarioBuilder) or
    /// [`Scenario::from_yaml`]).
    pub fn scenario_built(mut self, scenario: Scenario) -> Self {
        self.choice = Choice::Built(Box::new(scenario));
        self
    }

    /// Sets every option at once: the admin API, the journal's bounds, the
    /// connection limits.
    pub fn options(mut self, options: MockOptions) -> Self {
        self.options = options;
        self
    }

    /// Listens on this address, on a free port: `127.0.0.1` unless told
    /// otherwise (`::1` for IPv6 loopback).
    pub fn address(mut self, address: IpAddr) -> Self {
        self.address = address;
        self
    }

    /// Keeps the newest `size` requests in the journal.
    pub fn journal_size(mut self, size: usize) -> Self {
        self.options.journal_size = size;
        self
    }

    /// Lets the journal hold at most `bytes` of memory (the oldest requests
    /// go first past it).
    pub fn journal_bytes(mut self, bytes: usize) -> Self {
        self.options.journal_bytes = bytes;
        self
    }

    /// Loads the scenarios, binds a free port on 127.0.0.1 and starts
    /// serving on the current tokio runtime.
    ///
    /// Loading reads and parses files, so it runs on the runtime's blocking
    /// threads and never holds up the tasks of the test that starts the mock.
    pub async fn start(self) -> Result<MockServer, MockServerError> {
        let mut source = CatalogSource {
            dir: self.scenarios_dir,
            ..CatalogSource::default()
        };
        let active = match self.choice {
            Choice::Named(name) => Active::Named(name),
            Choice::File(path) => Active::File(path),
            Choice::Built(scenario) => {
                let name = scenario.name().to_string();
                source.fixed.push(Arc::new(*scenario));
                Active::Named(name)
            }
        };
        // Reading and parsing files blocks: off the runtime's threads.
        let options = self.options;
        let state = tokio::task::spawn_blocking(move || MockState::load(source, active, options))
            .await
            .map_err(MockServerError::LoadAborted)??;
        MockServer::serve(state, self.address).await
    }
}

/// A running mock; it stops when dropped (requests in flight finish).
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    state: Arc<MockState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts setting up a mock (the bundled `default` unless told otherwise).
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder {
            scenarios_dir: None,
            choice: Choice::Named("default".into()),
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            options: MockOptions::default(),
        }
    }

    /// Serves `state` on a free port of `address`.
    async fn serve(state: MockState, address: IpAddr) -> Result<MockServer, MockServerError> {
        let listener = TcpListener::bind((address, 0))
            .await
            .map_err(|source| MockServerError::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| MockServerError::Bind { address, source })?;
        let state = Arc::new(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, Arc::clone(&state), async {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            address,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every API request the journal keeps, oldest first, each text a
    /// client chose cut to 256 bytes (`GET /__mock/requests` serves the same
    /// entries in pages).
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.state.journal().entries(None)
    }

    /// Checks the requests received against `expectations`, as
    /// `POST /__mock/verify` does: `Ok` with how many were checked, or an
    /// error whose text lists each unmet one with its nearest requests,
    /// ready for `?` or `assert!`.
    ///
    /// ```
    /// use n4n_mock::{Expectation, MockServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mock = MockServer::builder().start().await?;
    /// // ... the code under test runs against mock.url() ...
    /// mock.verify(&[Expectation::any().path("/api/transaction/click_detail").at_most(0)])?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify(&self, expectations: &[Expectation]) -> Result<usize, VerifyError> {
        let postbacks = self.state.sent_postbacks();
        crate::verification::verify(
            &self.state.journal().entries(None),
            &postbacks,
            expectations,
        )
    }

    /// Makes a sale (or a rebill) happen on a click, as
    /// `POST /__mock/conversions` does: the new transaction, and the `seq`
    /// of each postback it queued.
    ///
    /// ```
    /// use std::time::Duration;
    /// use n4n_mock::{Conversion, MockServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mock = MockServer::builder().start().await?;
    /// let sale = mock.convert(&Conversion::new("35b71a300115be9.16738986", "29.95").payout("10.00"))?;
    /// assert_eq!(sale.postbacks, Vec::<u64>::new()); // `default` has no postback targets
    /// let settled = mock.wait_for_postbacks(0, Duration::from_secs(1)).await?;
    /// assert!(settled.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn convert(&self, conversion: &Conversion) -> Result<Converted, ConversionError> {
        admin_postbacks::make(&self.state, conversion).map_err(|refusal| match refusal {
            Refusal::Conversion(err) => err,
            Refusal::Answer(_) => ConversionError::unknown_scenario(conversion.scenario.as_deref()),
        })
    }

    /// The active scenario's postbacks, oldest first, as
    /// `GET /__mock/postbacks` lists them.
    pub fn postbacks(&self) -> Vec<PostbackRecord> {
        self.state.snapshot().active.postbacks().records()
    }

    /// Waits until at least `count` of the active scenario's postbacks have
    /// settled (delivered, failed or dropped) since its last reset, for at
    /// most `limit`; then its postbacks, oldest first.
    pub async fn wait_for_postbacks(
        &self,
        count: u64,
        limit: std::time::Duration,
    ) -> Result<Vec<PostbackRecord>, PostbacksTimedOut> {
        let active = Arc::clone(&self.state.snapshot().active);
        let outbox = active.postbacks();
        if outbox.wait_settled(count, limit).await {
            Ok(outbox.records())
        } else {
            Err(PostbacksTimedOut {
                wanted: count,
                settled: outbox.settled(),
                postbacks: outbox.records(),
            })
        }
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state.journal().clear();
    }

    /// Makes another loaded scenario the active one.
    pub async fn activate(&self, name: &str) -> Result<(), UnknownScenario> {
        self.state.activate(name).await.map(|_| ())
    }

    /// Reads the scenarios again (as `POST /__mock/reload`).
    pub async fn reload(&self) -> Result<(), Arc<ReloadFailure>> {
        self.state.reload().await.map(|_| ())
    }

    /// Stops accepting, lets requests in flight finish, and waits for that.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // The server task only ends by returning; a panic in it has
            // already been reported by the runtime.
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
