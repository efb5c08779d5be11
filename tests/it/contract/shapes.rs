//! The shapes of `openapi.yaml` that client generators take whole
//! (`scripts/test-clients.sh` generates and runs the clients; these tests
//! keep the shapes from drifting back without them): the GET operations'
//! parameters in the query string as well as an optional body, one
//! enumeration of strings for `X-Mock-Scenario`, requirements inside
//! `allOf` rather than beside `properties`, and no bare boolean `const`.
//! And the one shape Schemathesis needs of the query: parameters that say
//! no more than `string`, since the body wins for the same name.

use serde_json::{Value, json};

use super::document::Document;

/// The GET operations with parameters, and their query parameters in order.
const GETS: [(&str, &str, &[&str]); 4] = [
    (
        "/api/transaction/click_detail",
        "clickDetail",
        &["transaction_hash", "subscription_id", "orderid"],
    ),
    (
        "/api/transaction/click_details",
        "clickDetails",
        &["transaction_hash", "subscription_id", "orderid"],
    ),
    (
        "/api/transaction/transaction_payout_preview",
        "payoutPreview",
        &["transaction_hash", "amount", "transaction_type"],
    ),
    (
        "/api/offer/check_orderid_exists",
        "checkOrderIdExists",
        &["orderid"],
    ),
];

fn escaped(path: &str) -> String {
    path.replace('/', "~1")
}

/// The parameters of an operation, each resolved.
fn parameters<'a>(document: &'a Document, operation: &str) -> Vec<&'a Value> {
    document.at(operation)["parameters"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| match p.get("$ref").and_then(Value::as_str) {
                    Some(reference) => document.resolve(reference.to_string()).1,
                    None => p,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_get_operations_take_their_parameters_in_the_query_string_or_an_optional_body() {
    let document = Document::load();

    for (path, operation_id, names) in GETS {
        let operation = format!("#/paths/{}/get", escaped(path));
        assert_eq!(document.at(&operation)["operationId"], operation_id);
        let query: Vec<&Value> = parameters(&document, &operation)
            .into_iter()
            .filter(|p| p["in"] == "query")
            .collect();
        let listed: Vec<&str> = query.iter().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(listed, names, "{path}: its query parameters");
        for parameter in query {
            // Optional, and no more than a string: the body's value, when
            // not empty, wins, so a query value the document refused could
            // be masked by a valid body and accepted (Schemathesis's
            // negative_data_rejection).
            assert_eq!(parameter["required"], false, "{path}: {parameter}");
            assert_eq!(parameter["schema"], json!({"type": "string"}), "{path}");
        }
        let (body, _) = document.resolve(format!("{operation}/requestBody"));
        let body = document.at(&body);
        assert_eq!(body["required"], false, "{path}: fetch sends no GET body");
        for (media, content) in body["content"].as_object().expect("content") {
            let schema = content["schema"].to_string();
            // Nothing required in the body: the query string may hold it.
            for reference in schema.split('"').filter(|s| s.starts_with("#/")) {
                let (_, target) = document.resolve(reference.to_string());
                assert!(
                    target.get("required").is_none(),
                    "{path} {media}: {reference}"
                );
                assert!(target.get("anyOf").is_none(), "{path} {media}: {reference}");
            }
        }
    }
}

#[test]
fn the_other_api_operations_take_a_required_body_and_no_query() {
    let document = Document::load();
    let gets: Vec<&str> = GETS.iter().map(|(path, _, _)| *path).collect();

    for (path, item) in document.doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/") || gets.contains(&path.as_str()) {
            continue;
        }
        for (method, operation) in item.as_object().expect("path item") {
            let at = format!("#/paths/{}/{method}", escaped(path));
            let query = parameters(&document, &at)
                .into_iter()
                .filter(|p| p["in"] == "query")
                .count();
            assert_eq!(query, 0, "{path}");
            if operation.get("requestBody").is_some() {
                let (_, body) = document.resolve(format!("{at}/requestBody"));
                assert_eq!(body["required"], true, "{path}: {body}");
            }
        }
    }
}

#[test]
fn the_scenario_header_is_one_enumeration_of_strings_with_the_empty_value() {
    // A union of `ScenarioName` and `const: ''` is refused in a header by
    // openapi-python-client, which then drops every operation that has it.
    let document = Document::load();
    let header = document.at("#/components/parameters/MockScenario");
    assert_eq!(
        header["schema"],
        json!({"$ref": "#/components/schemas/ScenarioHeader"})
    );
    let values = document.at("#/components/schemas/ScenarioHeader");
    assert_eq!(values["type"], "string");
    let mut names = vec![json!("")];
    names.extend(
        document.at("#/components/schemas/ScenarioName")["enum"]
            .as_array()
            .expect("names")
            .iter()
            .cloned(),
    );
    assert_eq!(values["enum"], Value::Array(names));
}

/// Every schema object of `value`, with where it is, depth first.
fn schemas<'a>(at: String, value: &'a Value, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            found.push((at.clone(), value));
            for (key, child) in map {
                schemas(format!("{at}/{key}"), child, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                schemas(format!("{at}/{i}"), child, found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_schemas_keep_the_shapes_generators_take() {
    let document = Document::load();
    let mut found = Vec::new();
    schemas(
        "#/components/schemas".into(),
        &document.doc["components"]["schemas"],
        &mut found,
    );
    assert!(found.len() > 100, "the walk found the schemas");

    for (at, schema) in found {
        // Beside `properties`, an `anyOf` or `oneOf` reads as a union of
        // objects (openapi-python-client's `LookupFormType0`...), and an
        // `allOf` of such a schema fails ("Cannot take allOf a non-object"):
        // a requirement goes inside `allOf`.
        if schema.get("properties").is_some_and(Value::is_object) {
            for keyword in ["anyOf", "oneOf"] {
                assert!(
                    schema.get(keyword).is_none(),
                    "{at}: `{keyword}` beside `properties`; put it in `allOf`"
                );
            }
        }
        // openapi-python-client writes a bare `const: true` as invalid
        // Python; with `type: boolean` it is a bool.
        if schema.get("const").is_some_and(Value::is_boolean) {
            assert_eq!(schema["type"], "boolean", "{at}: a boolean const");
        }
        // An `allOf` member by reference must be an object schema to merge.
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            for member in members {
                if let Some(reference) = member.get("$ref").and_then(Value::as_str) {
                    let (_, target) = document.resolve(reference.to_string());
                    let object = target["type"] == "object"
                        || target.get("properties").is_some()
                        || target.get("allOf").is_some();
                    assert!(object, "{at}: allOf {reference} is not an object schema");
                }
            }
        }
    }
}
