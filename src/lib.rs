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
//! - [`commands`]: what `serve`, `scenarios` and `validate` do; exit codes.
//! - [`logging`]: tracing on stderr, text or JSON.
//! - [`scenario`]: the YAML model, loading with includes, validation, the click index.
//! - [`server`]: the accept loop and graceful stop, routing, one module per endpoint.
//! - [`params`]: lookup parameters from form, JSON, multipart bodies and the query.
//! - [`api_error`]: error kinds, the contract's statuses and messages, overrides.
//! - [`render`]: JSON bodies written once at load.
//!
//! Tests start the server in-process with [`server::run`] on a listener bound
//! to port 0, exactly as the binary does after parsing its flags.

pub mod api_error;
pub mod cli;
pub mod commands;
pub mod logging;
pub mod params;
pub mod render;
pub mod scenario;
pub mod server;
