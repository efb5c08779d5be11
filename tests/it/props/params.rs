//! `read_lookup` on hostile bodies and queries: never a panic, and the
//! transaction hash comes back exactly from every body format.

use bytes::Bytes;
use hyper::header::HeaderValue;
use n4n_mock::fuzzing::{self as params, Lookup, LookupKey, MalformedBody};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use super::{BOUNDARY, FORM_TOKENS, Raw, body, config, content_type, soup, within};
use crate::util::FORM;

/// A query string as `read_lookup` gets it: any text, or nearly a form.
fn query() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        any::<String>().prop_map(Some),
        soup(FORM_TOKENS, 16).prop_map(|q| Some(String::from_utf8_lossy(&q).into_owned())),
    ]
}

/// `read_lookup` on a current-thread runtime, under the watchdog.
fn read_lookup(
    content_type: Option<&Raw>,
    body: &Raw,
    query: Option<&str>,
) -> Result<Result<Option<Lookup>, MalformedBody>, TestCaseError> {
    let content_type = match content_type {
        Some(raw) => Some(
            HeaderValue::from_bytes(&raw.0)
                .map_err(|err| TestCaseError::fail(format!("not a header value: {err}")))?,
        ),
        None => None,
    };
    let body = Bytes::from(body.0.clone());
    let query = query.map(str::to_owned);
    within(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(params::read_lookup(
            content_type.as_ref(),
            body,
            query.as_deref(),
        ))
    })
}

#[test]
fn reading_parameters_from_any_body_and_query_never_panics() {
    proptest!(config(), |(content_type in content_type(), body in body(), query in query())| {
        let read = read_lookup(content_type.as_ref(), &body, query.as_deref())?;

        match read {
            Ok(Some(lookup)) => prop_assert!(!lookup.value.is_empty(), "empty values count as absent"),
            Ok(None) => {}
            Err(MalformedBody(what)) => {
                prop_assert!(!body.0.is_empty(), "an empty body is never malformed: {what}");
                prop_assert!(!what.trim().is_empty(), "the reason is said");
            }
        }
    });
}

/// A non-empty printable value (any script, no control characters).
fn printable_value() -> impl Strategy<Value = String> {
    "\\PC{1,40}"
}

/// Unknown parameters around the ones under test, which must be ignored.
fn unknown_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z_]{1,12}", "\\PC{0,12}"), 0..3).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(name, _)| LookupKey::ALL.iter().all(|k| k.parameter() != name))
            .collect()
    })
}

#[test]
fn a_form_body_gives_back_its_transaction_hash_exactly() {
    let content_types = [None, Some(Raw(FORM.as_bytes().to_vec()))];
    proptest!(config(), |(
        value in printable_value(),
        before in unknown_pairs(),
        after in unknown_pairs(),
        content_type in select(content_types.to_vec()),
        query_value in printable_value(),
    )| {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(&before);
        form.append_pair("transaction_hash", &value);
        form.extend_pairs(&after);
        let body = Raw(form.finish().into_bytes());
        // The body wins over the query for the same name.
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("transaction_hash", &query_value)
            .finish();

        let read = read_lookup(content_type.as_ref(), &body, Some(&query))?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}

#[test]
fn a_json_body_gives_back_its_transaction_hash_exactly() {
    proptest!(config(), |(value in printable_value())| {
        let body = serde_json::json!({ "orderid": "ORD-1", "transaction_hash": value });
        let body = Raw(body.to_string().into_bytes());
        let content_type = Raw(b"application/json".to_vec());

        let read = read_lookup(Some(&content_type), &body, None)?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}

#[test]
fn a_multipart_body_gives_back_its_transaction_hash_exactly() {
    proptest!(config(), |(value in printable_value())| {
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"transaction_hash\"\r\n\r\n\
             {value}\r\n--{BOUNDARY}--\r\n"
        );
        let content_type = Raw(format!("multipart/form-data; boundary={BOUNDARY}").into_bytes());

        let read = read_lookup(Some(&content_type), &Raw(body.into_bytes()), None)?;

        let expected = Lookup { key: LookupKey::TransactionHash, value };
        prop_assert_eq!(read, Ok(Some(expected)));
    });
}
