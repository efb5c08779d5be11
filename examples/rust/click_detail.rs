use n4n_mock::{Expectation, MockServer};

#[tokio::test]
async fn my_client_reads_the_example_click() -> Result<(), Box<dyn std::error::Error>> {
    // A mock on a free loopback port, serving the bundled `default` scenario.
    let mock = MockServer::builder().scenario("default").start().await?;

    // The call the code under test makes, pointed at mock.url().
    let answer = reqwest::Client::new()
        .get(format!("{}/api/transaction/click_detail", mock.url()))
        .header("api-key", "44b5498dbcb481a0d00b404c0169af62")
        .header("api-username", "n4n_admin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("transaction_hash=35b71a300115be9.16738986")
        .send()
        .await?;
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await?;
    assert_eq!(body["click"]["click_hash"], "35b71a300115be9.16738986");

    // It asked for that click exactly once.
    mock.verify(&[Expectation::any()
        .path("/api/transaction/click_detail")
        .value("35b71a300115be9.16738986")
        .status(200)
        .count(1)])?;
    Ok(())
}
