//! Sequences of hostile requests over real HTTP against a server whose
//! journal has a small byte cap and an entry cap raised out of the way:
//! after every request, `health` shows the journal within its byte cap,
//! and no entry keeps more than 256 bytes of any text a client chose.

use std::time::Duration;

use n4n_mock::MockOptions;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use super::config;
use crate::util::{API_KEY, FORM, TestServer, USERNAME};

/// The journal's byte cap here: room for a handful of entries.
const JOURNAL_BYTES: u64 = 8 * 1024;

/// One request, by the lengths of the texts it carries; `None` is the
/// ordinary text (GET, click_detail, no scenario header, no body).
#[derive(Debug, Clone)]
struct Sent {
    method: Option<usize>,
    path: Option<usize>,
    scenario: Option<usize>,
    /// The `transaction_hash`: a character repeated.
    value: Option<(char, usize)>,
}

/// Around the 256-byte cap, or far past it (within the header and body caps).
fn length(max: usize) -> impl Strategy<Value = usize> {
    prop_oneof![0..300usize, 200..max]
}

fn sent() -> impl Strategy<Value = Sent> {
    let characters = select(vec!['a', 'é', '€', '😀']);
    (
        prop::option::of(length(4_000)),
        prop::option::of(length(4_000)),
        prop::option::of(length(4_000)),
        prop::option::of((characters, length(15_000))),
    )
        .prop_map(|(method, path, scenario, value)| Sent {
            method,
            path,
            scenario,
            value,
        })
}

async fn send_one(
    client: &reqwest::Client,
    server: &TestServer,
    sent: &Sent,
) -> Result<(), String> {
    let method = match sent.method {
        Some(n) => reqwest::Method::from_bytes("M".repeat(n.max(1)).as_bytes())
            .map_err(|e| e.to_string())?,
        None => reqwest::Method::GET,
    };
    let path = match sent.path {
        Some(n) => format!("/api/{}", "p".repeat(n)),
        None => "/api/transaction/click_detail".to_string(),
    };
    let mut request = client
        .request(method, server.url(&path))
        .header("api-key", API_KEY)
        .header("api-username", USERNAME);
    if let Some(n) = sent.scenario {
        request = request.header("x-mock-scenario", "s".repeat(n.max(1)));
    }
    if let Some((character, n)) = sent.value {
        let value: String = std::iter::repeat_n(character, n.max(1)).collect();
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("transaction_hash", &value)
            .finish();
        request = request.header("content-type", FORM).body(body);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    answer
        .bytes()
        .await
        .map_err(|e| format!("body cut short: {e:?}"))?;
    Ok(())
}

#[test]
fn no_sequence_of_requests_makes_the_journal_exceed_its_byte_cap() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let options = MockOptions {
        journal_size: 1_000_000,
        journal_bytes: JOURNAL_BYTES as usize,
        ..MockOptions::default()
    };
    // One server for every case: the sequences add up to one long one.
    let server = runtime.block_on(TestServer::default_with(options));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");

    proptest!(config(), |(sequence in prop::collection::vec(sent(), 1..6))| {
        for sent in &sequence {
            runtime.block_on(send_one(&client, &server, sent)).map_err(TestCaseError::fail)?;

            let (health, page) = runtime.block_on(async {
                (server.health().await, server.journal("").await)
            });
            let journal = &health["journal"];
            prop_assert!(journal["bytes"].as_u64() <= Some(JOURNAL_BYTES), "{}", journal);
            prop_assert_eq!(&journal["max_bytes"], JOURNAL_BYTES);
            for entry in page["requests"].as_array().into_iter().flatten() {
                for text in ["method", "path", "scenario", "value"] {
                    let kept = entry[text].as_str().map_or(0, str::len);
                    prop_assert!(kept <= 256, "{} keeps {} bytes: {}", text, kept, entry);
                }
            }
        }
    });
}
