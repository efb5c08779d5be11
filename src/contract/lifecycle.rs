//! The transaction lifecycle's answers on a live server, checked against the
//! contract: requests whose answer the contract fixes without touching any
//! data (a missing parameter, a wrong method), and, only when the user
//! allows writes, a real void of a transaction they name, then a second one
//! that must be refused.
//!
//! Each check expects one status and one body; a different status, a body
//! of another shape, or (on a 405) an `Allow` that does not name the
//! action's method is drift. A different error message is only noted, as
//! for lookups: a scenario's `errors:` can say another.

use reqwest::Method;

use super::drift::{self, Difference, DriftKind};
use super::json::{self, Json};
use super::shape::{self, Extra, Shape, Text};
use super::upstream::Reply;
use super::verify::{Action, AnswerKind, Checked, content_type_difference, not_json_difference};

/// The void's path.
pub const PROCESS_VOID: &str = "/api/transaction/process_void";

/// One request of the lifecycle and the answer the contract gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// What it checks, in words.
    pub what: &'static str,
    /// The method sent.
    pub method: Method,
    /// The action's path.
    pub path: &'static str,
    /// The form body sent (`""` for none).
    pub form: String,
    /// The status the contract answers.
    pub status: u16,
    /// The message of the error the contract answers, or `None` for the
    /// void's success body.
    pub message: Option<&'static str>,
    /// The `Allow` a 405 must carry.
    pub allow: Option<&'static str>,
}

fn error(
    what: &'static str,
    method: Method,
    path: &'static str,
    status: u16,
    message: &'static str,
) -> Probe {
    Probe {
        what,
        method,
        path,
        form: String::new(),
        status,
        message: Some(message),
        allow: None,
    }
}

/// The checks that change nothing on the server: each is refused before
/// any lookup of data.
pub fn read_only() -> Vec<Probe> {
    vec![
        error(
            "a void without an identifier",
            Method::POST,
            PROCESS_VOID,
            400,
            "Missing parameter: pass transaction_hash, click_hash, orderid or transactionid",
        ),
        error(
            "an order check without orderid",
            Method::GET,
            "/api/offer/check_orderid_exists",
            400,
            "Missing parameter: orderid",
        ),
        error(
            "a payout preview without transaction_hash",
            Method::GET,
            "/api/transaction/transaction_payout_preview",
            400,
            "Missing parameter: transaction_hash",
        ),
        Probe {
            allow: Some("POST"),
            ..error(
                "a void sent with GET",
                Method::GET,
                PROCESS_VOID,
                405,
                "Invalid request method",
            )
        },
    ]
}

/// A real void of `transaction_hash`, then the same void again, which the
/// contract refuses: both change the server's data (the first one only).
pub fn void_twice(transaction_hash: &str) -> Vec<Probe> {
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("transaction_hash", transaction_hash)
        .finish();
    vec![
        Probe {
            what: "a void of the given transaction",
            method: Method::POST,
            path: PROCESS_VOID,
            form: form.clone(),
            status: 200,
            message: None,
            allow: None,
        },
        Probe {
            form,
            ..error(
                "the same void again",
                Method::POST,
                PROCESS_VOID,
                400,
                "Void transaction exists.",
            )
        },
    ]
}

/// The void's success body.
fn event_applied() -> Shape {
    Shape::Object {
        fields: vec![
            ("result", Shape::String(Text::Exactly("success"))),
            ("message", Shape::String(Text::Exactly("success"))),
        ],
        extra: Extra::None,
    }
}

/// Checks `reply` against what the contract answers `probe`.
pub fn check(probe: &Probe, reply: &Reply) -> Checked {
    let answer = &reply.answer;
    let mut differences = Vec::new();
    let mut message = None;
    if answer.status != probe.status {
        differences.push(Difference {
            path: "status".into(),
            kind: DriftKind::Status,
            expected: probe.status.to_string(),
            found: answer.status.to_string(),
        });
    }
    differences.extend(content_type_difference(answer.content_type.as_deref()));
    if let Some(allow) = probe.allow
        && reply.allow.as_deref() != Some(allow)
    {
        differences.push(Difference {
            path: "header Allow".into(),
            kind: DriftKind::Value,
            expected: format!("\"{allow}\""),
            found: reply
                .allow
                .as_deref()
                .map_or_else(|| "no Allow header".into(), |a| format!("\"{a}\"")),
        });
    }
    let kind = match json::parse(&answer.body) {
        Err(err) => {
            differences.push(not_json_difference(answer.body.len(), &err));
            AnswerKind::NotJson
        }
        Ok(body) => {
            let (mut kind, expected) = match probe.message {
                Some(_) => (AnswerKind::Error, shape::error()),
                None => (AnswerKind::Success, event_applied()),
            };
            if body.get("result").and_then(Json::as_str) == Some("error") {
                // Compared with what the contract expects all the same.
                kind = AnswerKind::Error;
            }
            if let (Some(expected), Some(found)) =
                (probe.message, body.get("message").and_then(Json::as_str))
                && expected != found
            {
                message = Some(found.to_string());
            }
            differences.extend(drift::compare(&expected, &body).differences);
            kind
        }
    };
    Checked {
        parameter: "",
        value: String::new(),
        action: Some(Action {
            check: probe.what,
            method: probe.method.to_string(),
            path: probe.path,
            expected: probe.status,
        }),
        status: answer.status,
        answer: kind,
        differences,
        extra_fields: Vec::new(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::upstream::Answer;
    use bytes::Bytes;

    fn reply(status: u16, body: &str, allow: Option<&str>) -> Reply {
        Reply {
            answer: Answer {
                status,
                content_type: Some("application/json".into()),
                body: Bytes::from(body.to_string()),
            },
            allow: allow.map(str::to_string),
        }
    }

    #[test]
    fn the_contracts_answers_have_no_difference() {
        let probes = read_only();
        let missing = reply(
            400,
            r#"{"result":"error","message":"Missing parameter: pass transaction_hash, click_hash, orderid or transactionid"}"#,
            None,
        );
        let method = reply(
            405,
            r#"{"result":"error","message":"Invalid request method"}"#,
            Some("POST"),
        );

        let checked = [check(&probes[0], &missing), check(&probes[3], &method)];

        for checked in checked {
            assert!(checked.differences.is_empty(), "{:?}", checked.differences);
            assert_eq!(checked.message, None);
        }
    }

    #[test]
    fn a_server_without_the_action_differs_in_status() {
        let answer = reply(
            404,
            r#"{"result":"error","message":"Invalid endpoint"}"#,
            None,
        );

        let checked = check(&read_only()[0], &answer);

        assert_eq!(checked.differences.len(), 1, "{:?}", checked.differences);
        assert_eq!(checked.differences[0].kind, DriftKind::Status);
        assert_eq!(checked.message.as_deref(), Some("Invalid endpoint"));
    }

    #[test]
    fn a_405_must_name_the_one_method() {
        let answer = reply(
            405,
            r#"{"result":"error","message":"Invalid request method"}"#,
            Some("GET"),
        );

        let checked = check(&read_only()[3], &answer);

        assert_eq!(checked.differences.len(), 1, "{:?}", checked.differences);
        assert_eq!(checked.differences[0].path, "header Allow");
    }

    #[test]
    fn a_void_success_is_the_event_body_and_nothing_else() {
        let probes = void_twice("a1c0ffee0000002.10000002");
        let ok = reply(200, r#"{"result":"success","message":"success"}"#, None);
        let more = reply(
            200,
            r#"{"result":"success","message":"success","id":1}"#,
            None,
        );

        assert!(check(&probes[0], &ok).differences.is_empty());
        assert_eq!(check(&probes[0], &more).differences.len(), 1);
        assert_eq!(probes[1].form, "transaction_hash=a1c0ffee0000002.10000002");
    }
}
