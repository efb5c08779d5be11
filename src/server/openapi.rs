//! `GET /__mock/openapi.yaml`: the OpenAPI document of the contract, as it
//! is in the repository (built into the binary), with one thing filled in
//! at run time: the names of the scenarios the mock has loaded, which is
//! what `X-Mock-Scenario` and `PUT /__mock/scenario` accept.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderValue};

use super::response::Answer;

/// The document, `openapi.yaml` at the repository root. Its `ScenarioName`
/// lists the bundled scenarios; the served document, the loaded ones.
pub const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// Where the `ScenarioName` schema starts, and its `enum` line within it.
const SCENARIO_NAME: &str = "\n    ScenarioName:\n";
const ENUM_LINE: &str = "\n      enum: ";

/// The document with `names` as the `enum` of `ScenarioName`,
/// `Content-Type: application/yaml`.
pub fn answer(names: &[&str]) -> Answer {
    let mut headers = HeaderMap::with_capacity(1);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    Answer {
        status: StatusCode::OK,
        headers,
        body: Bytes::from(with_scenario_names(DOCUMENT, names)),
    }
}

/// `document` with the `enum` line of `ScenarioName` replaced by `names`,
/// written as a JSON array (which YAML reads as a flow sequence, whatever
/// characters a name holds). A document without that line is served as it is.
fn with_scenario_names(document: &str, names: &[&str]) -> String {
    let Some(schema) = document.find(SCENARIO_NAME) else {
        return document.to_string();
    };
    let Some(line) = document[schema..].find(ENUM_LINE).map(|at| schema + at) else {
        return document.to_string();
    };
    let value = line + ENUM_LINE.len();
    let end = document[value..]
        .find('\n')
        .map_or(document.len(), |at| value + at);
    // A list of strings always serializes.
    let names = serde_json::to_string(names).unwrap_or_default();
    format!("{}{names}{}", &document[..value], &document[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_document_lists_the_loaded_scenarios() {
        let served = with_scenario_names(DOCUMENT, &["default", "odd: \"name\""]);
        assert!(
            served.contains("\n      enum: [\"default\",\"odd: \\\"name\\\"\"]\n"),
            "{served}"
        );
        assert_eq!(served.lines().count(), DOCUMENT.lines().count());
    }

    #[test]
    fn the_document_has_the_line_the_server_fills_in() {
        let schema = DOCUMENT.find(SCENARIO_NAME).expect("ScenarioName");
        assert!(DOCUMENT[schema..].contains(ENUM_LINE));
    }
}
