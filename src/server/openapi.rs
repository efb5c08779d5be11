//! `GET /__mock/openapi.yaml`: the OpenAPI document of the contract, as it
//! is in the repository, built into the binary.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderValue};

use super::response::Answer;

/// The document, `openapi.yaml` at the repository root.
pub const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// The document, `Content-Type: application/yaml`.
pub fn answer() -> Answer {
    let mut headers = HeaderMap::with_capacity(1);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    Answer {
        status: StatusCode::OK,
        headers,
        body: Bytes::from_static(DOCUMENT.as_bytes()),
    }
}
