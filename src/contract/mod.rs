//! The contract as an artifact, and a live server held up against it.
//!
//! Nobody outside the vendor has published the real `click_detail` answer;
//! teams with a NATS for Networks instance know theirs. `record` brings
//! their server's answers into a scenario, verbatim; `verify` tells them
//! where their server and the mock's contract differ. `openapi.yaml` at the
//! repository root is the contract written down (served at
//! `GET /__mock/openapi.yaml`); a test keeps it and the server in step.
//!
//! - [`upstream`]: lookups against a live server; the api-key kept out of sight.
//! - [`json`]: JSON as written: numbers' text, keys' order (serde_json underneath).
//! - [`shape`]: the contract's success and error bodies as shapes.
//! - [`drift`]: a body compared with a shape, differences named by JSON path.
//! - [`verify`]: one answer checked whole (status, Content-Type, body); the report.
//! - [`lifecycle`]: the transaction lifecycle's answers that change nothing
//!   (a missing parameter, a wrong method), and a void when writes are allowed.
//! - [`record`]: a scenario written from answers, and checked by loading it back.
//! - [`to_yaml`]: JSON written as YAML the scenario loader reads back unchanged.

pub mod drift;
pub mod json;
pub mod lifecycle;
pub mod record;
pub mod shape;
pub mod to_yaml;
pub mod upstream;
pub mod verify;
