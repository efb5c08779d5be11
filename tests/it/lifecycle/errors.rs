//! Every refusal of the lifecycle actions, in the contract's order of
//! checks: method, credentials, the action's own parameters, the lookup,
//! an event already applied; then the `errors:` overrides of the new kinds
//! and a fault in front of a void.
//!
//! Each table is a list of cases: a request, named in words, and the answer
//! the contract gives it; a failing case is reported by its name.

use crate::util::{API_KEY, EXAMPLE_CLICK, TestServer, USERNAME, scenario_from_yaml, send};

use super::*;

const MISSING_IDENTIFIER: &str =
    "Missing parameter: pass transaction_hash, click_hash, orderid or transactionid";
const NOT_FOUND: &str = "Transaction not found";
const MISSING_TYPE: &str = "Missing required field for chargeback (type).";
const MISSING_REVERSE: &str = "Missing required flag (reverse).";

/// A request to a lifecycle action with the example credentials and a form
/// body, and the error the contract answers.
struct Case {
    /// The request in words; a failure names it.
    name: &'static str,
    method: Method,
    path: &'static str,
    fields: Vec<(&'static str, String)>,
    status: u16,
    message: String,
}

impl Case {
    fn new(name: &'static str, method: Method, path: &'static str) -> Case {
        Case {
            name,
            method,
            path,
            fields: Vec::new(),
            status: 0,
            message: String::new(),
        }
    }

    /// A POST to an event action, with the field it requires.
    fn event(name: &'static str, kind: Kind) -> Case {
        let mut case = Case::new(name, Method::POST, kind.path());
        for (field, value) in kind.required() {
            case = case.field(field, *value);
        }
        case
    }

    /// ... with this form field.
    fn field(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.fields.push((name, value.into()));
        self
    }

    /// ... answered with `status` and the error envelope saying `message`.
    fn answers(mut self, status: u16, message: impl Into<String>) -> Case {
        self.status = status;
        self.message = message.into();
        self
    }

    async fn check(&self, server: &TestServer) {
        let name = self.name;
        let fields: Vec<(&str, &str)> = self.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = server
            .send_form(self.method.clone(), self.path, &fields)
            .await;
        assert_eq!(answer.status, self.status, "{name}: {}", answer.body);
        assert_eq!(answer.content_type(), "application/json", "{name}");
        let message = answer
            .envelope_message()
            .unwrap_or_else(|why| panic!("{name}: {why}: {}", answer.body));
        assert_eq!(message, self.message, "{name}");
    }
}

/// Checks every case against one server of `lifecycle`, in order (no case
/// changes its state), and then that no answer changed.
async fn check_all(cases: &[Case]) {
    let server = lifecycle().await;
    let mut before = Vec::new();
    for click in CLICKS {
        before.push(detail_body(&server, click).await);
    }
    for case in cases {
        case.check(&server).await;
    }
    for (click, before) in CLICKS.iter().zip(before) {
        assert_eq!(detail_body(&server, click).await, before, "{click} changed");
    }
}

// --- method ----------------------------------------------------------------

#[tokio::test]
async fn a_wrong_method_is_405_with_allow_naming_the_actions_one_method() {
    let server = lifecycle().await;
    // The path, a method it does not take, and the method it takes.
    let cases = [
        (VOID, Method::GET, "POST"),
        (VOID, Method::PATCH, "POST"),
        (CHARGEBACK, Method::GET, "POST"),
        (REVERSAL, Method::PUT, "POST"),
        (REVENUE_BY_ORDER, Method::POST, "PATCH"),
        (REVENUE_BY_ORDER, Method::GET, "PATCH"),
        (REVENUE_BY_HASH, Method::PUT, "PATCH"),
        (PAYOUT_PREVIEW, Method::POST, "GET"),
        (PAYOUT_PREVIEW, Method::HEAD, "GET"),
        (CHECK_ORDER, Method::DELETE, "GET"),
        (CHECK_ORDER, Method::PATCH, "GET"),
    ];

    for (path, method, allow) in cases {
        // Without credentials: the method is checked first.
        let answer = send(server.client.request(method.clone(), server.url(path))).await;

        let case = format!("{method} {path}");
        assert_eq!(answer.status, 405, "{case}: {}", answer.body);
        assert_eq!(answer.headers["allow"], allow, "{case}");
        if method != Method::HEAD {
            assert_eq!(answer.error_message(), "Invalid request method", "{case}");
        }
    }
}

// --- credentials -----------------------------------------------------------

#[tokio::test]
async fn missing_or_unknown_credentials_are_401_on_every_action() {
    let server = lifecycle().await;
    let actions = [
        (Method::POST, VOID),
        (Method::POST, CHARGEBACK),
        (Method::POST, REVERSAL),
        (Method::PATCH, REVENUE_BY_ORDER),
        (Method::PATCH, REVENUE_BY_HASH),
        (Method::GET, PAYOUT_PREVIEW),
        (Method::GET, CHECK_ORDER),
    ];
    // The credential headers sent (None: left out), and the answer's message.
    let credentials = [
        (
            None,
            Some(USERNAME),
            "Missing api-key or api-username header",
        ),
        (
            Some(API_KEY),
            None,
            "Missing api-key or api-username header",
        ),
        (
            Some(""),
            Some(USERNAME),
            "Missing api-key or api-username header",
        ),
        (
            Some("44b5498dbcb481a0d00b404c0169af63"),
            Some(USERNAME),
            "Invalid api-key or api-username",
        ),
        (
            Some(API_KEY),
            Some("qa_tester"),
            "Invalid api-key or api-username",
        ),
    ];

    for (method, path) in &actions {
        for (api_key, username, message) in credentials {
            let mut request = server
                .client
                .request(method.clone(), server.url(path))
                .form(&[("transaction_hash", VOID_TX), ("orderid", VOID_ORDER)]);
            if let Some(key) = api_key {
                request = request.header("api-key", key);
            }
            if let Some(name) = username {
                request = request.header("api-username", name);
            }

            let answer = send(request).await;

            let case = format!("{method} {path} with {api_key:?} / {username:?}");
            assert_eq!(answer.status, 401, "{case}: {}", answer.body);
            assert_eq!(answer.error_message(), message, "{case}");
        }
    }
}

// --- the event actions' own checks -----------------------------------------

#[tokio::test]
async fn an_event_action_without_an_identifier_is_400_missing_parameter() {
    check_all(&[
        Case::event("a void with nothing", Kind::Void).answers(400, MISSING_IDENTIFIER),
        Case::event("a void with only its type", Kind::Void)
            .field("type", "void")
            .answers(400, MISSING_IDENTIFIER),
        Case::event("a chargeback with only its type", Kind::Chargeback)
            .answers(400, MISSING_IDENTIFIER),
        Case::event("a reversal with only its flag", Kind::Reversal)
            .answers(400, MISSING_IDENTIFIER),
        Case::event("a void with empty identifiers", Kind::Void)
            .field("transaction_hash", "")
            .field("orderid", "")
            .answers(400, MISSING_IDENTIFIER),
        Case::event("a void naming a subscription only", Kind::Void)
            .field("subscription_id", "SUB-L-11")
            .answers(400, MISSING_IDENTIFIER),
    ])
    .await;
}

#[tokio::test]
async fn a_chargeback_without_type_chargeback_is_400_missing_field() {
    check_all(&[
        Case::new("no type", Method::POST, CHARGEBACK)
            .field("transaction_hash", CHARGEBACK_TX)
            .answers(400, MISSING_TYPE),
        Case::new("type=void", Method::POST, CHARGEBACK)
            .field("type", "void")
            .field("transaction_hash", CHARGEBACK_TX)
            .answers(400, MISSING_TYPE),
        Case::new("an empty type", Method::POST, CHARGEBACK)
            .field("type", "")
            .field("transaction_hash", CHARGEBACK_TX)
            .answers(400, MISSING_TYPE),
    ])
    .await;
}

#[tokio::test]
async fn a_reversal_without_a_true_reverse_flag_is_400_missing_flag() {
    let mut cases = vec![
        Case::new("no reverse", Method::POST, REVERSAL)
            .field("transaction_hash", REVERSAL_TX)
            .answers(400, MISSING_REVERSE),
    ];
    for value in ["0", "false", "no", ""] {
        cases.push(
            Case::new("a reverse flag that is not true", Method::POST, REVERSAL)
                .field("reverse", value)
                .field("transaction_hash", REVERSAL_TX)
                .answers(400, MISSING_REVERSE),
        );
    }
    check_all(&cases).await;
}

#[tokio::test]
async fn a_reverse_flag_of_1_true_or_yes_in_any_case_is_true() {
    for value in ["1", "true", "yes", "TRUE", "Yes"] {
        let server = lifecycle().await;

        let answer = server
            .send_form(
                Method::POST,
                REVERSAL,
                &[("transaction_hash", REVERSAL_TX), ("reverse", value)],
            )
            .await;

        assert_eq!(answer.status, 200, "reverse={value}: {}", answer.body);
    }
}

#[tokio::test]
async fn a_void_with_a_type_other_than_void_is_400_invalid_type() {
    check_all(&[
        Case::event("type=chargeback", Kind::Void)
            .field("type", "chargeback")
            .field("transaction_hash", VOID_TX)
            .answers(400, "Invalid type"),
        Case::event("type=refund", Kind::Void)
            .field("type", "refund")
            .field("transaction_hash", VOID_TX)
            .answers(400, "Invalid type"),
    ])
    .await;
}

#[tokio::test]
async fn a_void_of_type_void_is_applied() {
    let server = lifecycle().await;

    let answer = apply(
        &server,
        Kind::Void,
        &[("type", "void"), ("transaction_hash", VOID_TX)],
    )
    .await;

    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_chargeback_cost_that_is_not_a_number_is_400_invalid_cost() {
    check_all(&[
        Case::event("cost=abc", Kind::Chargeback)
            .field("transaction_hash", CHARGEBACK_TX)
            .field("cost", "abc")
            .answers(400, "Invalid cost"),
        Case::event("cost=7,50", Kind::Chargeback)
            .field("transaction_hash", CHARGEBACK_TX)
            .field("cost", "7,50")
            .answers(400, "Invalid cost"),
    ])
    .await;
}

#[tokio::test]
async fn a_custom_field_over_255_characters_is_400_invalid() {
    let mut cases = Vec::new();
    for field in [
        "trans_custom1",
        "trans_custom2",
        "trans_custom3",
        "trans_custom4",
        "trans_custom5",
    ] {
        cases.push(
            Case::event("a custom field of 256 characters", Kind::Void)
                .field("transaction_hash", VOID_TX)
                .field(field, "x".repeat(256))
                .answers(400, "Invalid value"),
        );
    }
    check_all(&cases).await;
}

#[tokio::test]
async fn the_parameter_checks_come_before_the_lookup() {
    check_all(&[
        Case::new(
            "a chargeback without type of an unknown hash",
            Method::POST,
            CHARGEBACK,
        )
        .field("transaction_hash", UNKNOWN_HASH)
        .answers(400, MISSING_TYPE),
        Case::new(
            "a reversal without flag of a voided transaction",
            Method::POST,
            REVERSAL,
        )
        .field("transaction_hash", VOIDED_TX)
        .answers(400, MISSING_REVERSE),
        Case::event("a void of another type of an unknown order", Kind::Void)
            .field("type", "reversal")
            .field("orderid", "ORD-NONE")
            .answers(400, "Invalid type"),
    ])
    .await;
}

#[tokio::test]
async fn an_identifier_that_names_no_transaction_is_404_transaction_not_found() {
    let mut cases = Vec::new();
    for kind in Kind::ALL {
        cases.extend([
            Case::event("an unknown transaction_hash", kind)
                .field("transaction_hash", UNKNOWN_HASH)
                .answers(404, NOT_FOUND),
            Case::event("an unknown orderid", kind)
                .field("orderid", "ORD-L-9999")
                .answers(404, NOT_FOUND),
            Case::event("an unknown click_hash", kind)
                .field("click_hash", UNKNOWN_HASH)
                .answers(404, NOT_FOUND),
            Case::event("an unknown transactionid", kind)
                .field("transactionid", "7730019999")
                .answers(404, NOT_FOUND),
            Case::event("the click_hash of a click that never converted", kind)
                .field("click_hash", UNCONVERTED_CLICK)
                .answers(404, NOT_FOUND),
            Case::event("a never-converted click's hash as transaction_hash", kind)
                .field("transaction_hash", UNCONVERTED_CLICK)
                .answers(404, NOT_FOUND),
            Case::event("a click of another scenario", kind)
                .field("transaction_hash", EXAMPLE_CLICK)
                .answers(404, NOT_FOUND),
        ]);
    }
    check_all(&cases).await;
}

#[tokio::test]
async fn an_unreadable_body_is_400_malformed_before_the_actions_checks() {
    let server = lifecycle().await;

    let answer = send(
        server
            .post_as(VOID, API_KEY, USERNAME)
            .header("content-type", "application/json")
            .body("{\"transaction_hash\": "),
    )
    .await;

    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer
            .error_message()
            .starts_with("Malformed request body: invalid JSON"),
        "{}",
        answer.body
    );
}

// --- revenue, preview, order check -----------------------------------------

#[tokio::test]
async fn a_revenue_update_refuses_a_missing_identifier_or_amount_and_a_bad_amount() {
    let by_order = |name| Case::new(name, Method::PATCH, REVENUE_BY_ORDER);
    let by_hash = |name| Case::new(name, Method::PATCH, REVENUE_BY_HASH);
    check_all(&[
        by_order("by order without orderid")
            .field("amount", "2995")
            .answers(400, "Missing parameter: orderid"),
        by_order("by order with neither orderid nor amount")
            .answers(400, "Missing parameter: orderid"),
        by_hash("by hash with neither transaction_hash nor amount")
            .answers(400, "Missing parameter: transaction_hash"),
        by_order("by order with a transaction_hash instead")
            .field("transaction_hash", VOID_TX)
            .field("amount", "2995")
            .answers(400, "Missing parameter: orderid"),
        by_hash("by hash without transaction_hash")
            .field("orderid", VOID_ORDER)
            .field("amount", "2995")
            .answers(400, "Missing parameter: transaction_hash"),
        by_order("by order without amount")
            .field("orderid", VOID_ORDER)
            .answers(400, "Missing parameter: amount"),
        by_hash("by hash with an empty amount")
            .field("transaction_hash", VOID_TX)
            .field("amount", "")
            .answers(400, "Missing parameter: amount"),
        by_order("an amount with decimals")
            .field("orderid", VOID_ORDER)
            .field("amount", "29.95")
            .answers(400, "Invalid amount"),
        by_hash("an amount that is no number")
            .field("transaction_hash", VOID_TX)
            .field("amount", "lots")
            .answers(400, "Invalid amount"),
        by_order("an unknown order")
            .field("orderid", "ORD-L-9999")
            .field("amount", "2995")
            .answers(404, NOT_FOUND),
        by_hash("an unknown hash")
            .field("transaction_hash", UNKNOWN_HASH)
            .field("amount", "2995")
            .answers(404, NOT_FOUND),
        by_hash("a click that never converted")
            .field("transaction_hash", UNCONVERTED_CLICK)
            .field("amount", "2995")
            .answers(404, NOT_FOUND),
    ])
    .await;
}

#[tokio::test]
async fn a_payout_preview_refuses_a_missing_hash_a_bad_amount_and_an_unknown_hash() {
    let preview = |name| Case::new(name, Method::GET, PAYOUT_PREVIEW);
    check_all(&[
        preview("no transaction_hash").answers(400, "Missing parameter: transaction_hash"),
        preview("an orderid instead of transaction_hash")
            .field("orderid", VOID_ORDER)
            .answers(400, "Missing parameter: transaction_hash"),
        preview("an amount that is no number")
            .field("transaction_hash", VOID_TX)
            .field("amount", "ten")
            .answers(400, "Invalid amount"),
        preview("an unknown hash")
            .field("transaction_hash", UNKNOWN_HASH)
            .answers(404, NOT_FOUND),
        preview("a click that never converted")
            .field("transaction_hash", UNCONVERTED_CLICK)
            .answers(404, NOT_FOUND),
    ])
    .await;
}

#[tokio::test]
async fn check_orderid_without_orderid_is_400_missing_parameter() {
    check_all(&[
        Case::new("no orderid", Method::GET, CHECK_ORDER)
            .answers(400, "Missing parameter: orderid"),
        Case::new("an empty orderid", Method::GET, CHECK_ORDER)
            .field("orderid", "")
            .answers(400, "Missing parameter: orderid"),
    ])
    .await;
}

#[tokio::test]
async fn a_path_beside_the_actions_is_still_404_invalid_endpoint() {
    check_all(&[
        Case::new(
            "a refund action",
            Method::POST,
            "/api/transaction/process_refund",
        )
        .answers(404, "Invalid endpoint"),
        Case::new(
            "check_orderid under transaction",
            Method::GET,
            "/api/transaction/check_orderid_exists",
        )
        .answers(404, "Invalid endpoint"),
    ])
    .await;
}

// --- the `errors:` overrides -----------------------------------------------

#[tokio::test]
async fn every_new_error_kind_can_be_overridden() {
    let yaml = format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         errors:\n\
         \x20 transaction_not_found: {{status: 410, message: \"No such sale\"}}\n\
         \x20 event_exists: {{status: 409, message: \"Already done\"}}\n\
         \x20 missing_field: {{status: 422, message: \"Say chargeback\"}}\n\
         \x20 invalid_value: {{status: 418, message: \"Bad value\"}}\n\
         \x20 missing_parameter: {{message: \"Name a sale\"}}\n\
         clicks: [{{click_hash: {VOID_CLICK}}}]\n\
         transactions:\n\
         \x20 - {{transaction_hash: {VOIDED_TX}, click_hash: {VOID_CLICK}, status: void, orderid: ORD-X}}\n"
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;
    let cases = [
        Case::event("transaction_not_found", Kind::Void)
            .field("transaction_hash", UNKNOWN_HASH)
            .answers(410, "No such sale"),
        Case::event("event_exists", Kind::Void)
            .field("transaction_hash", VOIDED_TX)
            .answers(409, "Already done"),
        Case::new("missing_field", Method::POST, CHARGEBACK)
            .field("transaction_hash", VOIDED_TX)
            .answers(422, "Say chargeback"),
        Case::event("invalid_value (type)", Kind::Void)
            .field("type", "refund")
            .field("transaction_hash", VOIDED_TX)
            .answers(418, "Bad value"),
        Case::new("invalid_value (amount)", Method::PATCH, REVENUE_BY_HASH)
            .field("transaction_hash", VOIDED_TX)
            .field("amount", "1.5")
            .answers(418, "Bad value"),
        Case::event("missing_parameter", Kind::Reversal).answers(400, "Name a sale"),
    ];

    for case in &cases {
        case.check(&server).await;
    }
}

// --- faults ----------------------------------------------------------------

#[tokio::test]
async fn a_fault_hits_a_void_like_any_api_request() {
    let yaml = format!(
        "credentials: [{{username: {USERNAME}, api_key: {API_KEY}}}]\n\
         faults: [{{every: 1, status: 503}}]\n\
         clicks: [{{click_hash: {VOID_CLICK}}}]\n\
         transactions: [{{transaction_hash: {VOID_TX}, click_hash: {VOID_CLICK}, status: approved}}]\n"
    );
    let server = TestServer::start(scenario_from_yaml(&yaml)).await;

    let answer = apply(&server, Kind::Void, &[("transaction_hash", VOID_TX)]).await;

    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.error_message(), "Service Unavailable");
    assert_eq!(answer.headers["x-mock-fault"], "status");
}
