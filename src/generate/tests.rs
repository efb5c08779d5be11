//! What `generate` writes: deterministic bytes, a valid scenario of the
//! asked size, and clicks found by the hashes the generator documents.

use std::collections::HashSet;

use super::*;
use crate::scenario::{LookupKey, Scenario};

/// The `click_hash` of click `index` in the scenario generated with `seed`.
fn click_hash(index: u64, seed: u64) -> String {
    HashKeys::new(seed).click(index).to_string()
}

/// The `transaction_hash` of transaction `index` (counting from 0 over the
/// whole file) in the scenario generated with `seed`.
fn transaction_hash(index: u64, seed: u64) -> String {
    HashKeys::new(seed).transaction(index).to_string()
}

fn options(clicks: u64, transactions_per_click: u64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        clicks,
        transactions_per_click,
        seed,
        format: Format::Yaml,
    }
}

fn generate(options: &GenerateOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_scenario(options, &mut out).expect("write to a Vec");
    out
}

/// The same options, written as JSON.
fn as_json(options: GenerateOptions) -> GenerateOptions {
    GenerateOptions {
        format: Format::Json,
        ..options
    }
}

/// Writes the scenario to a temporary folder and loads it from there.
fn load(options: &GenerateOptions) -> Scenario {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = match options.format {
        Format::Yaml => "generated.yaml",
        Format::Json => "generated.json",
    };
    let path = dir.path().join(name);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    write_scenario(options, &mut file).expect("write scenario");
    drop(file);
    Scenario::from_file(&path).unwrap_or_else(|err| panic!("generated scenario loads:\n{err}"))
}

fn is_hash_shaped(hash: &str) -> bool {
    let Some((hex, digits)) = hash.split_once('.') else {
        return false;
    };
    hex.len() == 15
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && digits.len() == 8
        && digits.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn same_options_write_identical_bytes() {
    let options = options(50, 2, 7);

    let first = generate(&options);
    let second = generate(&options);

    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn another_seed_writes_other_bytes() {
    let first = generate(&options(50, 2, 7));

    let second = generate(&options(50, 2, 8));

    assert_ne!(first, second);
}

#[test]
fn generated_scenario_loads_with_the_asked_numbers_of_clicks_and_transactions() {
    let options = options(200, 3, 42);

    let scenario = load(&options);

    assert_eq!(scenario.clicks().clicks(), 200);
    assert_eq!(scenario.clicks().transactions(), 600);
}

#[test]
fn description_says_how_the_scenario_was_generated() {
    let scenario = load(&options(20, 3, 42));

    let description = scenario.description();

    for part in ["20 clicks", "3 transactions per click", "seed 42"] {
        assert!(description.contains(part), "{part:?} in {description:?}");
    }
}

#[test]
fn zero_clicks_write_a_valid_empty_scenario() {
    let scenario = load(&options(0, 3, 1));

    assert_eq!(scenario.clicks().clicks(), 0);
    assert_eq!(scenario.clicks().transactions(), 0);
}

#[test]
fn hashes_are_shaped_like_real_ones_and_never_repeat() {
    let seed = 3;
    let mut seen = HashSet::new();

    for index in 0..20_000 {
        for hash in [click_hash(index, seed), transaction_hash(index, seed)] {
            assert!(is_hash_shaped(&hash), "{hash:?} is not shaped like a hash");
            assert!(seen.insert(hash.clone()), "{hash} repeats");
        }
    }
}

#[test]
fn click_zero_is_the_api_page_example_click_for_every_seed() {
    for seed in [0, 1, 99, u64::MAX] {
        assert_eq!(click_hash(0, seed), FIRST_CLICK_HASH);
    }
    assert_eq!(
        FIRST_CLICK_HASH, "35b71a300115be9.16738986",
        "the API page's example"
    );
}

#[test]
fn the_written_file_uses_the_documented_hashes() {
    let text = String::from_utf8(generate(&options(10, 2, 5))).expect("UTF-8");

    for index in 0..10 {
        assert!(text.contains(&format!("click_hash: {}", click_hash(index, 5))));
    }
    for index in 0..20 {
        assert!(text.contains(&format!("transaction_hash: {}", transaction_hash(index, 5))));
    }
}

/// The body the scenario answers a `transaction_hash` lookup of `value` with.
fn answer(scenario: &Scenario, value: &str) -> serde_json::Value {
    let found = scenario
        .clicks()
        .find(LookupKey::TransactionHash, value)
        .unwrap_or_else(|| panic!("{value} finds a click"));
    serde_json::from_slice(found.body).expect("JSON body")
}

#[test]
fn a_generated_click_answers_with_its_transactions() {
    let (seed, per_click) = (11, 4);
    let scenario = load(&options(100, per_click, seed));
    let hash = click_hash(57, seed);

    let body = answer(&scenario, &hash);

    assert_eq!(body["click"]["click_hash"], hash.as_str());
    let transactions = body["transactions"].as_array().expect("transactions").len();
    assert_eq!(transactions as u64, per_click);
}

#[test]
fn a_generated_transaction_hash_finds_its_click() {
    let (seed, per_click) = (11, 4);
    let scenario = load(&options(100, per_click, seed));
    // Transaction n belongs to click n / K.
    let transaction = transaction_hash(57 * per_click + 3, seed);

    let body = answer(&scenario, &transaction);

    assert_eq!(body["click"]["click_hash"], click_hash(57, seed).as_str());
}

#[test]
fn the_api_page_example_click_is_click_zero() {
    let scenario = load(&options(10, 1, 123));

    let body = answer(&scenario, "35b71a300115be9.16738986");

    assert_eq!(body["click"]["click_hash"], FIRST_CLICK_HASH);
}
#[test]
fn hashes_of_nearby_indexes_differ_in_many_digits() {
    let a = click_hash(1, 7);
    let b = click_hash(2, 7);
    let same = a.bytes().zip(b.bytes()).filter(|(x, y)| x == y).count();
    assert!(same < 12, "{a} and {b} look alike");
}

#[test]
fn amounts_are_written_with_two_decimals() {
    assert_eq!(Cents(2_995).to_string(), "29.95");
    assert_eq!(Cents(398).to_string(), "3.98");
    assert_eq!(Cents(1_000).to_string(), "10.00");
}

#[test]
fn json_same_options_write_identical_bytes() {
    let options = as_json(options(50, 2, 7));

    let first = generate(&options);
    let second = generate(&options);

    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn json_output_is_json() {
    let text = generate(&as_json(options(3, 2, 7)));

    let value: serde_json::Value = serde_json::from_slice(&text).expect("JSON");

    assert_eq!(value["clicks"].as_array().map(Vec::len), Some(3));
    assert_eq!(value["transactions"].as_array().map(Vec::len), Some(6));
    assert_eq!(value["credentials"][0]["username"], USERNAME);
}

#[test]
fn json_generated_scenario_loads_with_the_asked_numbers_of_clicks_and_transactions() {
    for (clicks, per_click) in [(200, 3), (0, 3), (5, 0)] {
        let scenario = load(&as_json(options(clicks, per_click, 42)));

        assert_eq!(scenario.clicks().clicks() as u64, clicks);
        assert_eq!(scenario.clicks().transactions() as u64, clicks * per_click);
    }
}

#[test]
fn json_description_says_how_the_scenario_was_generated() {
    let scenario = load(&as_json(options(20, 3, 42)));

    let description = scenario.description();

    for part in [
        "20 clicks",
        "3 transactions per click",
        "seed 42",
        "--format json",
    ] {
        assert!(description.contains(part), "{part:?} in {description:?}");
    }
}

#[test]
fn json_uses_the_documented_hashes_and_the_api_page_example_click() {
    let options = as_json(options(10, 2, 5));
    let text = String::from_utf8(generate(&options)).expect("UTF-8");
    let scenario = load(&options);

    for index in 0..10 {
        assert!(text.contains(&format!("\"click_hash\": \"{}\"", click_hash(index, 5))));
    }
    for index in 0..20 {
        let hash = transaction_hash(index, 5);
        assert!(text.contains(&format!("\"transaction_hash\": \"{hash}\"")));
        // Transaction n belongs to click n / K.
        let body = answer(&scenario, &hash);
        assert_eq!(
            body["click"]["click_hash"],
            click_hash(index / 2, 5).as_str()
        );
    }
    let body = answer(&scenario, "35b71a300115be9.16738986");
    assert_eq!(body["click"]["click_hash"], FIRST_CLICK_HASH);
}

#[test]
fn json_and_yaml_of_the_same_options_answer_with_the_same_bytes() {
    let yaml = load(&options(300, 2, 9));
    let json = load(&as_json(options(300, 2, 9)));

    assert_eq!(yaml.clicks().clicks(), json.clicks().clicks());
    for index in 0..300 {
        let hash = click_hash(index, 9);
        let from_yaml = yaml
            .clicks()
            .find(LookupKey::TransactionHash, &hash)
            .expect("found");
        let from_json = json
            .clicks()
            .find(LookupKey::TransactionHash, &hash)
            .expect("found");
        assert_eq!(from_yaml.body, from_json.body, "click {index}");
    }
    for (key, value) in [
        (LookupKey::OrderId, "ORD-599"),
        (LookupKey::SubscriptionId, "SUB-17"),
    ] {
        let from_yaml = yaml.clicks().find(key, value).expect("found");
        let from_json = json.clicks().find(key, value).expect("found");
        assert_eq!(from_yaml.body, from_json.body);
    }
}
