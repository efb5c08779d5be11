//! Run by scripts/test-rust-suite.sh in a crate outside the repository that
//! depends on n4n-mock by path: the bundled scenarios are built into the
//! library, so `scenario("lifecycle")` needs no scenarios folder.

use n4n_mock::{Expectation, MockServer};

const KEY: &str = "44b5498dbcb481a0d00b404c0169af62";

#[tokio::test]
async fn a_void_through_the_bundled_lifecycle_scenario_shows_in_the_next_lookup()
-> Result<(), Box<dyn std::error::Error>> {
    assert!(!std::path::Path::new("scenarios").exists());
    let mock = MockServer::builder().scenario("lifecycle").start().await?;
    let client = reqwest::Client::new();

    let void = client
        .post(format!("{}/api/transaction/process_void", mock.url()))
        .header("api-key", KEY)
        .header("api-username", "n4n_admin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("transaction_hash=a1c0ffee0000002.10000002&type=void")
        .send()
        .await?;
    assert_eq!(void.status(), 200, "{}", void.text().await?);

    let lookup = client
        .get(format!("{}/api/transaction/click_detail", mock.url()))
        .header("api-key", KEY)
        .header("api-username", "n4n_admin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("transaction_hash=a1c0ffee0000001.10000001")
        .send()
        .await?;
    assert_eq!(lookup.status(), 200);
    let body: serde_json::Value = lookup.json().await?;
    let statuses: Vec<&str> = body["transactions"]
        .as_array()
        .ok_or("no transactions")?
        .iter()
        .filter_map(|t| t["status"].as_str())
        .collect();
    assert!(statuses.contains(&"void"), "{statuses:?}");

    mock.verify(&[Expectation::any().outcome("void").count(1)])?;
    Ok(())
}
