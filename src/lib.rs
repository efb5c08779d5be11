//! `n4n-mock`: a mock and contract-test server for the NATS for Networks REST
//! API, starting with `GET /api/transaction/click_detail`.
//!
//! It answers from scenarios: YAML files of credentials, address rules,
//! error overrides, clicks and transactions, loaded and checked once, with
//! every problem reported as `path:line:column: message`. Answers are
//! deterministic: the same scenario and request give the same bytes.
//!
//! # Layout
//!
//! - [`cli`]: the command line (clap), flags and their environment variables.
//! - [`commands`]: what each subcommand does; exit codes.
//! - [`logging`]: tracing on stderr, text or JSON.
//! - [`scenario`]: the YAML model, loading with includes, validation, the click index.
//! - [`server`]: the accept loop and graceful stop, routing, one module per endpoint.
//! - [`params`]: lookup parameters from form, JSON, multipart bodies and the query.
//! - [`api_error`]: error kinds, the contract's statuses and messages, overrides.
//! - [`render`]: JSON bodies written once at load.
//! - [`journal`]: the requests received, bounded in entries and bytes, read in pages.
//! - [`memory`]: memory freed by a load handed back to the system.
//! - [`mock_server`]: [`MockServer`], a mock for Rust test suites.
//! - [`verification`]: call counts, checked against the journal.
//! - [`wait`]: `n4n-mock wait`, polling health until the mock answers.
//! - [`write_file`]: files the tool writes, renamed into place only when whole.
//! - [`interrupt`]: SIGINT and SIGTERM during such a write: it stops, nothing is left.
//! - [`generate`]: `n4n-mock generate`, large valid scenarios for load tests.
//! - [`contract`]: `openapi.yaml`, and `record` / `verify` against a live server.
//!
//! Tests start the server in-process with [`server::run`] on a listener bound
//! to port 0, exactly as the binary does after parsing its flags; Rust test
//! suites of other projects do the same through [`MockServer`].

pub mod api_error;
pub mod cli;
pub mod commands;
pub mod contract;
pub mod generate;
pub mod interrupt;
pub mod journal;
pub mod logging;
pub mod memory;
pub mod mock_server;
pub mod params;
pub mod render;
pub mod scenario;
pub mod server;
pub mod verification;
pub mod wait;
pub mod write_file;

pub use mock_server::MockServer;
pub use verification::{Expectation, VerifyError};
