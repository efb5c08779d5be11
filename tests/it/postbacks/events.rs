//! Which events queue postbacks, for which targets: rebills, voids (of
//! conversions and of fixture transactions), chargebacks and reversals,
//! never a refused action; a target's `events` and `loginid`.

use serde_json::json;

use crate::lifecycle::{Kind, apply, transaction};

use super::*;

// --- events of the lifecycle -------------------------------------------------

#[tokio::test]
async fn a_rebill_conversion_sends_a_rebill_postback() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target("nats", &receiver.url("/pb"), "method: POST")]).await;

    converted(
        &server,
        json!({"click_hash": EXAMPLE_CLICK, "amount": "9.95", "trans_type": "rebill"}),
    )
    .await;
    let log = settled(&server, 1).await;

    assert_eq!(record(&log, 1)["event"], "rebill");
    let form = receiver.received()[0].form();
    assert!(
        form.contains(&("event".into(), "rebill".into())),
        "{form:?}"
    );
    assert!(
        form.contains(&("trans_type".into(), "rebill".into())),
        "{form:?}"
    );
    assert!(form.contains(&("payout".into(), "0.00".into())), "{form:?}");
}

#[tokio::test]
async fn voiding_a_converted_sale_sends_a_void_naming_the_sale_as_its_original() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target("nats", &receiver.url("/pb"), "method: POST")]).await;
    let sale_hash = hash_of(&sale(&server).await);
    settled(&server, 1).await;

    let void = apply(
        &server,
        Kind::Void,
        &[
            ("transaction_hash", &sale_hash),
            ("trans_custom1", "why-not"),
        ],
    )
    .await;

    assert_eq!(void.status, 200, "{}", void.body);
    let log = settled(&server, 2).await;
    let record = record(&log, 2);
    assert_eq!(record["event"], "void");
    let void_hash = record["transaction_hash"].as_str().expect("hash");
    assert_ne!(void_hash, sale_hash, "the void's own transaction");
    assert_eq!(
        transaction(&server, EXAMPLE_CLICK, void_hash).await["trans_type"],
        "void"
    );
    let form = receiver.received()[1].form();
    let value = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} in {form:?}"))
    };
    assert_eq!(value("event"), "void");
    assert_eq!(value("seq"), "2");
    assert_eq!(value("transaction_hash"), void_hash);
    assert_eq!(value("original_transaction_hash"), sale_hash);
    assert_eq!(value("status"), "void");
    assert_eq!(value("amount"), "-29.95");
    assert_eq!(value("payout"), "-10.00");
    assert_eq!(value("trans_custom1"), "why-not");
}

#[tokio::test]
async fn voiding_a_fixture_transaction_sends_a_void_postback() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target("shop", &receiver.url(PB_PATH), "")]).await;

    let void = apply(&server, Kind::Void, &[("transaction_hash", FIXTURE_TX)]).await;

    assert_eq!(void.status, 200, "{}", void.body);
    let log = settled(&server, 1).await;
    assert_eq!(record(&log, 1)["event"], "void");
    assert_eq!(receiver.received()[0].param("event"), "void");
}

#[tokio::test]
async fn a_chargeback_and_a_reversal_send_their_own_events() {
    let receiver = Receiver::ok().await;
    let server = serve(&[target("shop", &receiver.url(PB_PATH), "")]).await;
    let first = hash_of(&sale(&server).await);
    let second = hash_of(&sale(&server).await);

    let chargeback = apply(&server, Kind::Chargeback, &[("transaction_hash", &first)]).await;
    let reversal = apply(&server, Kind::Reversal, &[("transaction_hash", &second)]).await;

    assert_eq!((chargeback.status, reversal.status), (200, 200));
    settled(&server, 4).await;
    let events: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.param("event"))
        .collect();
    assert_eq!(events, ["sale", "sale", "chargeback", "reversal"]);
}

#[tokio::test]
async fn a_refused_action_sends_nothing() {
    let receiver = Receiver::ok().await;
    let server = serve(&[get_target("shop", &receiver)]).await;
    let hash = hash_of(&sale(&server).await);
    assert_eq!(
        apply(&server, Kind::Void, &[("transaction_hash", &hash)])
            .await
            .status,
        200
    );

    let again = apply(&server, Kind::Void, &[("transaction_hash", &hash)]).await;

    assert_eq!(again.status, 400, "{}", again.body);
    let next = sale(&server).await;
    assert_eq!(next["postbacks"], json!([3]), "the refusal took no seq");
}

// --- which targets take which postbacks --------------------------------------

#[tokio::test]
async fn a_target_gets_only_the_events_it_lists() {
    let (all, voids) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[
        get_target("all", &all),
        target("voids", &voids.url(PB_PATH), "events: [void]"),
    ])
    .await;
    let hash = hash_of(&sale(&server).await);

    apply(&server, Kind::Void, &[("transaction_hash", &hash)]).await;

    let log = settled(&server, 3).await;
    let sent: Vec<(&str, &str)> = log
        .iter()
        .map(|r| {
            (
                r["target"].as_str().expect("target"),
                r["event"].as_str().expect("event"),
            )
        })
        .collect();
    assert_eq!(sent, [("all", "sale"), ("all", "void"), ("voids", "void")]);
    assert_eq!(voids.seqs(), [3]);
}

#[tokio::test]
async fn a_target_with_a_loginid_gets_only_that_affiliates_postbacks() {
    let (everyone, other) = (Receiver::ok().await, Receiver::ok().await);
    let server = serve(&[
        get_target("everyone", &everyone),
        target("other", &other.url(PB_PATH), "loginid: \"2002\""),
    ])
    .await;

    let first = sale(&server).await;
    let second = converted(
        &server,
        json!({"click_hash": OTHER_CLICK, "amount": "5.00"}),
    )
    .await;

    assert_eq!(first["postbacks"], json!([1]));
    assert_eq!(second["postbacks"], json!([2, 3]));
    settled(&server, 3).await;
    assert_eq!(other.seqs(), [3]);
    assert_eq!(other.received()[0].param("tx"), hash_of(&second));
}
