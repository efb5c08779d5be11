//! What a receiver gets: a GET with the variables in its query, a POST
//! with every variable in its form body in the documented order, values
//! percent-encoded, the mock's `User-Agent` and nothing of the API's
//! credentials; what conversions answer and queue.

use reqwest::Method;
use serde_json::json;

use crate::lifecycle::{REVENUE_BY_HASH, transaction};
use crate::util::*;

use super::*;

// --- what queues a postback --------------------------------------------------

#[tokio::test]
async fn a_loaded_scenario_sends_nothing_for_its_fixture_transactions() {
    let receiver = Receiver::ok().await;

    let server = serve(&[get_target("shop", &receiver)]).await;

    let page = postbacks_page(&server, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.json(),
        json!({"postbacks": [], "next_after": 0, "more": false})
    );
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_conversion_answers_201_with_its_hash_and_the_seqs_it_queued() {
    let (first, second) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[get_target("one", &first), get_target("two", &second)]).await;

    let answer = convert(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00"}),
    )
    .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["result"], "success");
    assert!(crate::lifecycle::is_hash_shaped(&hash_of(&body)), "{body}");
    assert_eq!(body["postbacks"], json!([1, 2]));
}

#[tokio::test]
async fn one_event_goes_to_every_target_that_takes_it_in_file_order() {
    let (first, second) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[get_target("one", &first), get_target("two", &second)]).await;

    sale(&server).await;
    sale(&server).await;

    let log = settled(&server, 4).await;
    let order: Vec<(u64, &str)> = log
        .iter()
        .map(|r| {
            (
                r["seq"].as_u64().expect("seq"),
                r["target"].as_str().expect("target"),
            )
        })
        .collect();
    assert_eq!(order, [(1, "one"), (2, "two"), (3, "one"), (4, "two")]);
    assert_eq!(first.seqs(), [1, 3]);
    assert_eq!(second.seqs(), [2, 4]);
}

#[tokio::test]
async fn a_revenue_update_sends_nothing() {
    let receiver = Receiver::ok().await;
    let server = serve(&[get_target("shop", &receiver)]).await;
    let hash = hash_of(&sale(&server).await);
    settled(&server, 1).await;

    let update = server
        .send_form(
            Method::PATCH,
            REVENUE_BY_HASH,
            &[("transaction_hash", &hash), ("amount", "1995")],
        )
        .await;

    assert_eq!(update.status, 200, "{}", update.body);
    let next = sale(&server).await;
    assert_eq!(next["postbacks"], json!([2]), "the update took no seq");
    assert_eq!(settled(&server, 2).await.len(), 2);
}

// --- the GET (pixel) style ---------------------------------------------------

#[tokio::test]
async fn a_sale_reaches_a_get_target_with_its_variables_filled_in_the_query() {
    let receiver = Receiver::ok().await;
    let url = receiver.url(
        "/n4n?event=%%event%%&seq=%%seq%%&attempt=%%attempt%%&scenario=%%scenario%%\
         &tx=%%transaction_hash%%&original=%%original_transaction_hash%%&click=%%click_hash%%\
         &type=%%trans_type%%&status=%%status%%&amount=%%amount%%&total=%%total_payout%%\
         &payout=%%payout%%&order=%%orderid%%&sub=%%subscription_id%%&aff=%%loginid%%\
         &user=%%username%%&offer=%%offerid%%&campaign=%%campaignid%%\
         &lp=%%landing_pageid%%&creative=%%creativeid%%&s1=%%subid1%%&ext=%%external_clickid%%\
         &c1=%%trans_custom1%%",
    );
    let server = serve(&[target("pixel", &url, "")]).await;

    let answer = converted(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00",
               "orderid": "ORD-9", "subscription_id": "SUB-9"}),
    )
    .await;
    settled(&server, 1).await;

    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].method, "GET");
    assert!(got[0].target.starts_with("/n4n?"), "{}", got[0].target);
    let expected = [
        ("event", "sale"),
        ("seq", "1"),
        ("attempt", "1"),
        ("scenario", SCENARIO),
        ("tx", &hash_of(&answer)),
        ("original", ""),
        ("click", EXAMPLE_CLICK),
        ("type", "initial"),
        ("status", "approved"),
        ("amount", "29.95"),
        ("total", "10.00"),
        ("payout", "10.00"),
        ("order", "ORD-9"),
        ("sub", "SUB-9"),
        ("aff", "1001"),
        ("user", "topaffiliate"),
        ("offer", "12"),
        ("campaign", "0"),
        ("lp", "3"),
        ("creative", "7"),
        ("s1", "spring"),
        ("ext", "ext-9"),
        ("c1", ""),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect();
    assert_eq!(got[0].query(), expected);
    assert_eq!(got[0].body, "", "a GET has no body");
}

#[tokio::test]
async fn the_record_shows_the_url_sent_and_one_successful_attempt() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target("shop", &receiver.url(PB_PATH), "")]).await;

    let hash = hash_of(&sale(&server).await);
    let log = settled(&server, 1).await;

    let got = receiver.received();
    let record = record(&log, 1);
    assert_eq!(record["target"], "shop");
    assert_eq!(record["event"], "sale");
    assert_eq!(record["transaction_hash"], hash.as_str());
    assert_eq!(record["method"], "GET");
    assert_eq!(record["url"], receiver.url(&got[0].target));
    assert_eq!(record["body"], Value::Null);
    assert_eq!(record["state"], "delivered");
    assert!(record.get("reason").is_none(), "{record}");
    let attempts = record["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1, "{record}");
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["status"], 200);
    assert_eq!(attempts[0]["response"], "ok");
    assert!(
        attempts[0]["time"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{record}"
    );
    assert!(attempts[0]["latency_ms"].is_u64(), "{record}");
}

#[tokio::test]
async fn values_are_percent_encoded_where_they_go_into_the_url() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target(
        "shop",
        &receiver.url("/pb?s2=%%subid2%%&seq=%%seq%%"),
        "",
    )])
    .await;

    sale(&server).await;
    settled(&server, 1).await;

    let got = receiver.received();
    assert_eq!(got[0].param("s2"), "two words&x=1");
    assert_eq!(
        got[0].param("seq"),
        "1",
        "the value's `&x=1` made no parameter"
    );
    assert!(
        got[0].target.contains("two%20words%26x%3D1"),
        "{}",
        got[0].target
    );
}

#[tokio::test]
async fn a_postback_carries_the_mocks_user_agent_and_no_credentials() {
    let receiver = Receiver::ok().await;
    let server = serve(&[get_target("shop", &receiver)]).await;

    sale(&server).await;
    settled(&server, 1).await;

    let got = &receiver.received()[0];
    assert_eq!(
        got.header("user-agent"),
        format!("n4n-mock/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(got.header("content-type"), "", "a GET has no Content-Type");
    for name in ["api-key", "api-username", "authorization", "cookie"] {
        assert!(got.headers.get(name).is_none(), "{name}: {:?}", got.headers);
    }
    let everything = format!("{:?}{}{}", got.headers, got.target, got.body);
    assert!(!everything.contains(API_KEY), "{everything}");
}

// --- the POST (NATS) style ---------------------------------------------------

#[tokio::test]
async fn a_post_target_gets_a_form_body_of_every_variable_in_the_documented_order() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target(
        "nats",
        &receiver.url("/postback?seq=%%seq%%"),
        "method: POST",
    )])
    .await;

    let answer = converted(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "29.95", "payout": "10.00",
               "orderid": "ORD-9", "subscription_id": "SUB-9"}),
    )
    .await;
    let log = settled(&server, 1).await;

    let hash = hash_of(&answer);
    let time = transaction(&server, EXAMPLE_CLICK, &hash).await["time"]
        .as_str()
        .expect("time")
        .to_string();
    let got = &receiver.received()[0];
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/postback?seq=1");
    assert_eq!(got.header("content-type"), FORM);
    let values = [
        "sale",
        "1",
        "1",
        SCENARIO,
        &hash,
        "",
        EXAMPLE_CLICK,
        "initial",
        "approved",
        &time,
        "29.95",
        "10.00",
        "10.00",
        "ORD-9",
        "SUB-9",
        "1001",
        "topaffiliate",
        "12",
        "0",
        "3",
        "7",
        "spring",
        "two words&x=1",
        "ext-9",
        "",
        "",
        "",
        "",
        "",
    ];
    let expected: Vec<(String, String)> = VARIABLES
        .iter()
        .zip(values)
        .map(|(n, v)| ((*n).to_string(), v.to_string()))
        .collect();
    assert_eq!(got.form(), expected);
    assert_eq!(record(&log, 1)["body"], got.body.as_str(), "byte for byte");
    assert_eq!(record(&log, 1)["method"], "POST");
}
