//! The mock's own endpoints under `/__mock/`: no credentials, no address
//! rules; they belong to the test harness, not to the imitated API.

use bytes::Bytes;
use hyper::{Method, StatusCode};

use super::response::{self, HttpResponse, Outcome};
use crate::api_error::ErrorKind;
use crate::render::ObjectWriter;
use crate::scenario::Scenario;

/// `GET /__mock/health`: `{"status":"ok","scenario":...,"clicks":N,"transactions":N}`.
pub fn health(scenario: &Scenario, method: &Method) -> (HttpResponse, Outcome) {
    if method != Method::GET {
        let errors = response::contract_errors();
        let (response, _) = response::api_error(errors, ErrorKind::MethodNotAllowed, None);
        return (response, Outcome::Admin);
    }
    let mut out = String::with_capacity(96);
    let mut body = ObjectWriter::open(&mut out);
    body.string("status", "ok");
    body.string("scenario", scenario.name());
    body.raw("clicks", |out| {
        out.push_str(&scenario.clicks().clicks().to_string())
    });
    body.raw("transactions", |out| {
        out.push_str(&scenario.clicks().transactions().to_string());
    });
    body.close();
    (
        response::json(StatusCode::OK, Bytes::from(out)),
        Outcome::Admin,
    )
}
