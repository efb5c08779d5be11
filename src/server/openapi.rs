//! `GET /__mock/openapi.yaml`: the OpenAPI document of the contract, as it
//! is in the repository, built into the binary.

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper::header::{self, HeaderValue};

use super::response::HttpResponse;

/// The document, `openapi.yaml` at the repository root.
pub const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// The document, `Content-Type: application/yaml`.
pub fn answer() -> HttpResponse {
    let mut response = HttpResponse::new(Full::new(Bytes::from_static(DOCUMENT.as_bytes())));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    response
}
