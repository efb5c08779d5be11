//! `n4n-mock`: a mock and contract-test server for the NATS for Networks REST
//! API, starting with `GET /api/transaction/click_detail`.
//!
//! It answers from scenarios: YAML (or JSON) files of credentials, address
//! rules, error overrides, clicks and transactions, loaded and checked once,
//! with every problem reported as `path:line:column: message`. Answers are
//! deterministic: the same scenario and request give the same bytes.
//!
//! # Using it from Rust
//!
//! [`MockServer`] starts a mock in-process on a free loopback port, with a
//! scenario by name, by file, or built in code ([`ScenarioBuilder`]); it
//! hands back its URL and the requests it received ([`JournalEntry`]), and
//! checks call counts ([`Expectation`]). It makes conversions happen
//! ([`MockServer::convert`]) and shows the postbacks they sent to the
//! scenario's targets ([`PostbackRecord`], [`MockServer::wait_for_postbacks`]).
//! The binary's command line is [`cli`] and [`run`].
//!
//! # Layout
//!
//! Modules import one way, from the top of this list to the bottom; a lower
//! module never names a higher one.
//!
//! 1. The command line: `cli` (clap definitions, flags and their environment
//!    variables), `commands` (what each subcommand does, [`CliError`] and the
//!    exit codes), `logging` (tracing on stderr, text or JSON).
//! 2. The server and the tools: `mock_server` ([`MockServer`], a mock for Rust
//!    test suites), `server` (the accept loop and graceful stop, routing, one
//!    module per endpoint, the admin API and its QA console in the browser,
//!    reloads), `contract` (`record` and `verify` against a live server),
//!    `wait` (polling health until a mock answers), `generate` (large valid
//!    scenarios for load tests).
//! 3. What a running mock keeps: `verification` (call counts, checked against
//!    the journal), `journal` (the requests received, bounded in entries and
//!    bytes, read in pages).
//! 4. Reading a request: `params` (lookup parameters from form, JSON,
//!    multipart bodies and the query).
//! 5. Scenarios and their index: `scenario` (the YAML and JSON model, loading
//!    with includes, validation with locations, the click index).
//! 6. Postbacks: `postbacks` (the targets a scenario calls back, their
//!    queues, delivery with retries and faults, and the postback log).
//! 7. Rendering and errors: `api_error` (error kinds, the contract's statuses
//!    and messages, overrides), `render` (JSON bodies written once at load).
//! 8. Plumbing any layer may use: `write_file` (files written whole or not at
//!    all), `interrupt` (SIGINT and SIGTERM during such a write), `memory`
//!    (memory freed by a load handed back to the system), `metrics` (the
//!    counters and histograms of `GET /__mock/metrics`), `text_line` (the
//!    parts of a text log line), `trigger` (which of a numbered series a
//!    fault rule hits).
//!
//! Only the names re-exported here are the crate's API; the modules are
//! private (`fuzzing`, hidden, lends the request reader to the fuzzer). A test in `tests/` checks that no module names one above it.

mod api_error;
pub mod cli;
mod commands;
mod contract;
mod generate;
mod interrupt;
mod journal;
mod logging;
mod memory;
mod metrics;
mod mock_server;
mod params;
mod postbacks;
mod render;
mod scenario;
mod server;
mod text_line;
mod trigger;
mod verification;
mod wait;
mod write_file;

pub use commands::{CliError, run};
pub use journal::{JournalEntry, MAX_TEXT_BYTES, Truncated};
pub use logging::{LogGuard, init as init_logging};
pub use mock_server::{MockServer, MockServerBuilder, MockServerError, PostbacksTimedOut};
pub use postbacks::{Attempt, PostbackRecord, PostbackState};
pub use scenario::builder::{ClickBuilder, ScenarioBuilder, TransactionBuilder};
pub use scenario::problem::{Location, Position};
pub use scenario::{LoadError, Problem, Scenario};
pub use server::MockOptions;
pub use server::admin_token::AdminToken;
pub use server::limits::Limits;
pub use server::postbacks::{Conversion, ConversionError, Converted};
pub use server::state::{ReloadFailure, ReportedProblem, StartError, UnknownScenario};
pub use verification::{Expectation, Failure, Nearest, PostbackMatch, VerifyError};

/// The reading of request parameters, for the fuzzer (`fuzz/`) and the
/// property tests that feed it hostile bodies: not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::params::{Lookup, MalformedBody, read_lookup};
    pub use crate::scenario::LookupKey;
}
