//! The contract as an artifact: `openapi.yaml` against every answer the
//! server gives (so the two cannot drift apart silently), and `record` /
//! `verify` run as the built binary against mocks standing in for a real
//! NATS for Networks server.
//!
//! - `document`: the OpenAPI document, its responses resolved, schemas validated.
//! - `probes`: a generated request for every row of the error table, per scenario.
//! - `openapi`: the tests of the document against the server.
//! - `shapes`: the shapes of the document client generators take whole.
//! - `postbacks`: the document on conversions, postbacks and the `webhooks`
//!   a receiver is sent, against its own shape and a running mock.
//! - `record`, `verify`: the two commands, as the binary.
//! - `agreement`: where the document and the server disagreed, now agreeing.
//! - `schemathesis`: Schemathesis with every check against the built binary.

mod agreement;
mod document;
mod openapi;
mod postbacks;
mod probes;
mod record;
mod schemathesis;
mod shapes;
mod verify;

use std::process::{Command, Output};

use crate::util::*;

/// The lookup path.
pub const CLICK_DETAIL: &str = "/api/transaction/click_detail";

/// The binary, without any N4N_UPSTREAM_* of the environment.
pub fn n4n() -> Command {
    let mut command = binary();
    for var in [
        "N4N_UPSTREAM_URL",
        "N4N_UPSTREAM_USERNAME",
        "N4N_UPSTREAM_API_KEY",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs `command` and checks that `api_key` shows nowhere in what it printed.
pub fn run(command: &mut Command, api_key: &str) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run n4n-mock");
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(
        !stdout.contains(api_key) && !stderr.contains(api_key),
        "the api-key was printed:\n{stdout}\n{stderr}"
    );
    (status.code(), stdout, stderr)
}

/// A GET with a form body, as `record` sends it, answered whole.
pub fn form_lookup(base: &str, username: &str, api_key: &str, form: &str) -> Answer {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(send(
        reqwest::Client::new()
            .get(format!("{base}{CLICK_DETAIL}"))
            .header("api-key", api_key)
            .header("api-username", username)
            .header("content-type", FORM)
            .body(form.to_string()),
    ))
}

pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

pub const RECORDED_LOOKUPS: [&str; 5] = [
    "transaction_hash=35b71a300115be9.16738986",
    "transaction_hash=4c82e9b7d2216a3.50318842",
    "subscription_id=SUB-88",
    "orderid=ORD-3001",
    "transaction_hash=no-such-click",
];

pub fn lookup_flags(lookups: &[&str]) -> Vec<String> {
    lookups
        .iter()
        .flat_map(|lookup| {
            let (name, value) = lookup.split_once('=').expect("name=value");
            let flag = match name {
                "transaction_hash" => "--transaction-hash",
                "subscription_id" => "--subscription-id",
                _ => "--orderid",
            };
            [flag.to_string(), value.to_string()]
        })
        .collect()
}
