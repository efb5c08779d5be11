//! `openapi.yaml` read, with the response the document gives each answer
//! and a validator per schema, so a test checks an answer in one call.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::util::*;

/// `openapi.yaml`, read, with a validator per schema asked for.
pub struct Document {
    pub doc: Value,
    validators: HashMap<String, jsonschema::Validator>,
}

impl Document {
    pub fn load() -> Document {
        let text = std::fs::read_to_string(root().join("openapi.yaml")).expect("openapi.yaml");
        let doc: Value = serde_saphyr::from_str(&text).expect("openapi.yaml is YAML");
        assert_eq!(doc["openapi"], "3.1.0");
        Document {
            doc,
            validators: HashMap::new(),
        }
    }

    /// The value at a `#/...` reference.
    pub fn at(&self, reference: &str) -> &Value {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} is in the document"))
    }

    /// Follows `$ref`s to the object itself, with the reference it was found at.
    pub fn resolve(&self, mut reference: String) -> (String, &Value) {
        loop {
            let value = self.at(&reference);
            match value.get("$ref").and_then(Value::as_str) {
                Some(next) => reference = next.to_string(),
                None => return (reference, value),
            }
        }
    }

    /// The response object the document gives `method path` for `status`:
    /// the exact status, else its range (`5XX`), else `default`. A path that
    /// is not in the document answers `InvalidEndpoint`; a method a path does
    /// not list answers what its first operation lists (its 405).
    pub fn response(&self, method: &str, path: &str, status: u16) -> (String, &Value) {
        let escaped = path.replace('~', "~0").replace('/', "~1");
        let Some(item) = self.doc.pointer(&format!("/paths/{escaped}")) else {
            return self.resolve("#/components/responses/InvalidEndpoint".into());
        };
        let method = method.to_ascii_lowercase();
        let method = if item.get(&method).is_some() {
            method
        } else {
            let listed = ["get", "put", "post", "patch", "delete"];
            let first = listed.iter().find(|m| item.get(**m).is_some());
            first.expect("an operation").to_string()
        };
        let operation = format!("#/paths/{escaped}/{method}");
        let responses = self.at(&format!("{operation}/responses"));
        let range = format!("{}XX", status / 100);
        let code = [status.to_string(), range, "default".to_string()]
            .into_iter()
            .find(|code| responses.get(code).is_some())
            .unwrap_or_else(|| panic!("{method} {path}: status {status} is not documented"));
        self.resolve(format!("{operation}/responses/{code}"))
    }

    /// Errors of `instance` against the schema at `reference`; empty when valid.
    pub fn errors(&mut self, reference: &str, instance: &Value) -> Vec<String> {
        if !self.validators.contains_key(reference) {
            // The whole document is the schema's root, so its `#/components/...`
            // references resolve; unknown keywords (`paths`, `info`) are ignored.
            let mut schema = self.doc.clone();
            schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
            schema["$ref"] = json!(reference);
            let validator = jsonschema::draft202012::new(&schema)
                .unwrap_or_else(|err| panic!("{reference} compiles: {err}"));
            self.validators.insert(reference.to_string(), validator);
        }
        self.validators[reference]
            .iter_errors(instance)
            .map(|err| format!("{}: {err}", err.instance_path()))
            .collect()
    }

    /// Checks one answer against the document: its status is documented,
    /// its Content-Type is the response's, the headers it must carry are
    /// there, and its body validates against the response's schema. Returns
    /// the response object's reference.
    pub fn check(&mut self, method: &str, path: &str, answer: &Answer, what: &str) -> String {
        let (at, response) = self.response(method, path, answer.status);
        let response = response.clone();
        let fault = answer
            .headers
            .get("x-mock-fault")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let content_type = answer.content_type().split(';').next().unwrap_or("").trim();
        let content = &response["content"];
        assert!(
            content.get(content_type).is_some(),
            "{what}: Content-Type {content_type:?} is not one of {at}'s: {content}"
        );
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for (name, header) in headers {
                let (_, header) = match header.get("$ref").and_then(Value::as_str) {
                    Some(reference) => self.resolve(reference.to_string()),
                    None => ("".into(), header),
                };
                if header["required"] == true {
                    assert!(
                        answer.headers.contains_key(name.as_str()),
                        "{what}: {at} requires the header {name}"
                    );
                }
            }
        }
        // These faults break the body on purpose, as the document says.
        let broken = matches!(fault, "malformed_json" | "empty_body");
        if content_type == "application/json" && !broken {
            let schema = format!("{at}/content/{}/schema", content_type.replace('/', "~1"));
            let errors = self.errors(&schema, &answer.json());
            assert!(
                errors.is_empty(),
                "{what}: {} {} does not validate against {schema}:\n{}\n{}",
                answer.status,
                path,
                errors.join("\n"),
                answer.body
            );
        }
        at
    }
}
