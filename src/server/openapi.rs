//! `GET /__mock/openapi.yaml`: the OpenAPI document of the contract, as it
//! is in the repository (built into the binary), with one thing filled in
//! at run time: the names of the scenarios the mock has loaded, which is
//! what `X-Mock-Scenario` (`ScenarioHeader`, which also takes an empty
//! value) and `PUT /__mock/scenario` (`ScenarioName`) accept.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderValue};

use super::response::Answer;

/// The document, `openapi.yaml` at the repository root. Its `ScenarioName`
/// and `ScenarioHeader` list the bundled scenarios; the served document,
/// the loaded ones.
pub const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// The schemas whose `enum` line lists the scenarios: where each starts,
/// and whether its list begins with the empty value.
const SCENARIO_LISTS: [(&str, bool); 2] = [
    ("\n    ScenarioName:\n", false),
    ("\n    ScenarioHeader:\n", true),
];
/// The `enum` line within such a schema.
const ENUM_LINE: &str = "\n      enum: ";

/// The document with `names` as the `enum` of `ScenarioName` and `""` and
/// `names` as that of `ScenarioHeader`, `Content-Type: application/yaml`.
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

/// `document` with the `enum` line of each schema of [`SCENARIO_LISTS`]
/// replaced by `names` (after `""` where the schema takes it), written as
/// a JSON array (which YAML reads as a flow sequence, whatever characters a
/// name holds). A schema without that line is left as it is.
fn with_scenario_names(document: &str, names: &[&str]) -> String {
    let mut served = document.to_string();
    for (schema, with_empty) in SCENARIO_LISTS {
        let listed: Vec<&str> = with_empty
            .then_some("")
            .into_iter()
            .chain(names.iter().copied())
            .collect();
        served = with_enum(&served, schema, &listed);
    }
    served
}

/// `document` with the `enum` line of the schema starting at `schema`
/// replaced by `values`; the document as it is without that line.
fn with_enum(document: &str, schema: &str, values: &[&str]) -> String {
    let Some(start) = document.find(schema) else {
        return document.to_string();
    };
    let end_of_schema = schema_end(document, start + schema.len());
    let Some(line) = document[start..end_of_schema]
        .find(ENUM_LINE)
        .map(|at| start + at)
    else {
        return document.to_string();
    };
    let value = line + ENUM_LINE.len();
    let end = document[value..]
        .find('\n')
        .map_or(document.len(), |at| value + at);
    // A list of strings always serializes.
    let values = serde_json::to_string(values).unwrap_or_default();
    format!("{}{values}{}", &document[..value], &document[end..])
}

/// Where the schema whose lines start at `body` ends: at the first line
/// indented by four spaces or fewer (the next schema, or the next section).
fn schema_end(document: &str, body: usize) -> usize {
    let mut at = body;
    for line in document[body..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if !line.trim().is_empty() && indent <= 4 {
            return at;
        }
        at += line.len();
    }
    document.len()
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
        assert!(
            served.contains("\n      enum: [\"\",\"default\",\"odd: \\\"name\\\"\"]\n"),
            "{served}"
        );
        assert_eq!(served.lines().count(), DOCUMENT.lines().count());
    }

    #[test]
    fn the_document_has_the_lines_the_server_fills_in() {
        for (schema, _) in SCENARIO_LISTS {
            let start = DOCUMENT.find(schema).expect(schema);
            let end = schema_end(DOCUMENT, start + schema.len());
            assert!(DOCUMENT[start..end].contains(ENUM_LINE), "{schema}");
        }
    }

    #[test]
    fn a_schema_without_an_enum_line_is_left_as_it_is() {
        let document = "\n    ScenarioName:\n      type: string\n    Next:\n      enum: [a]\n";

        let served = with_enum(document, "\n    ScenarioName:\n", &["x"]);

        assert_eq!(served, document);
    }
}
