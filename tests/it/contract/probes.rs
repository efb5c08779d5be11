//! The generated requests: every row of the contract's error table, every
//! click by every parameter and body format, ping, for one bundled scenario.

use std::path::Path;

use ipnet::IpNet;
use serde_json::{Value, json};

use super::CLICK_DETAIL;
use crate::util::*;

/// A credential pair of a scenario.
#[derive(Debug, Clone)]
pub struct Credential {
    pub username: String,
    pub api_key: String,
}

/// What a bundled scenario holds that the requests need.
pub struct Bundled {
    pub name: String,
    pub credential: Credential,
    /// Whether this machine may call its API (`allowed_ips`).
    pub reachable: bool,
    /// Whether it overrides any error (`errors:`), or injects faults.
    pub overrides: bool,
    /// Each click's hash, and whether it carries a captured `response:`.
    pub clicks: Vec<(String, bool)>,
    pub orders: Vec<String>,
    pub subscriptions: Vec<String>,
}

/// A scenario file as JSON, and the clicks and transactions of it and of
/// everything it includes (the loader's own checks are tested elsewhere;
/// the bundled files are valid).
fn read_scenario(file: &Path) -> (Value, Vec<Value>, Vec<Value>) {
    let text = std::fs::read_to_string(file).expect("scenario file");
    let root: Value = serde_saphyr::from_str(&text).expect("YAML");
    let (mut clicks, mut transactions) = (Vec::new(), Vec::new());
    for include in root["include"].as_array().into_iter().flatten() {
        let path = file
            .parent()
            .expect("folder")
            .join(include.as_str().expect("include path"));
        let (_, more_clicks, more_transactions) = read_scenario(&path);
        clicks.extend(more_clicks);
        transactions.extend(more_transactions);
    }
    clicks.extend(root["clicks"].as_array().into_iter().flatten().cloned());
    transactions.extend(
        root["transactions"]
            .as_array()
            .into_iter()
            .flatten()
            .cloned(),
    );
    (root, clicks, transactions)
}

/// A scalar of the scenario format as the body says it: a string.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub fn bundled_scenarios(dir: &Path) -> Vec<Bundled> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let (root, clicks, transactions) = read_scenario(&file);
        let name = root["name"].as_str().map_or_else(
            || {
                file.file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .into_owned()
            },
            str::to_string,
        );
        let first = &root["credentials"][0];
        let credential = Credential {
            username: text(&first["username"]),
            api_key: text(&first["api_key"]),
        };
        let loopback: IpNet = "127.0.0.1/32".parse().expect("address");
        let reachable = root["allowed_ips"].as_array().is_none_or(|allowed| {
            allowed.iter().any(|entry| {
                let entry = text(entry);
                let net: IpNet = entry
                    .parse()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                    .expect("an address or a range");
                net.contains(&loopback)
            })
        });
        let values = |key: &str| -> Vec<String> {
            transactions
                .iter()
                .map(|t| text(&t[key]))
                .filter(|v| !v.is_empty())
                .collect()
        };
        found.push(Bundled {
            name,
            credential,
            reachable,
            overrides: root.get("errors").is_some()
                || ["faults", "rate_limit"]
                    .iter()
                    .any(|key| root.get(key).is_some())
                || clicks.iter().any(|c| c.get("fault").is_some()),
            clicks: clicks
                .iter()
                .map(|c| (text(&c["click_hash"]), c.get("response").is_some()))
                .collect(),
            orders: values("orderid"),
            subscriptions: values("subscription_id"),
        });
    }
    found
}

/// One request of the generated set, and what the test knows of its answer.
pub struct Probe {
    pub what: String,
    pub method: reqwest::Method,
    pub path: &'static str,
    pub credentials: Option<(String, String)>,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    pub query: Option<String>,
    /// The component schema the body must also match on its own, when the
    /// test knows which one it is (a rendered click, an error).
    pub expect: Option<&'static str>,
}

impl Probe {
    fn get(what: impl Into<String>, path: &'static str, credential: &Credential) -> Probe {
        Probe {
            what: what.into(),
            method: reqwest::Method::GET,
            path,
            credentials: Some((credential.username.clone(), credential.api_key.clone())),
            content_type: None,
            body: Vec::new(),
            query: None,
            expect: None,
        }
    }

    fn form(mut self, body: &str) -> Probe {
        self.content_type = Some(FORM);
        self.body = body.as_bytes().to_vec();
        self
    }

    fn typed(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Probe {
        self.content_type = Some(content_type);
        self.body = body.into();
        self
    }

    fn expect(mut self, schema: &'static str) -> Probe {
        self.expect = Some(schema);
        self
    }
}

pub const ERROR_ENVELOPE: &str = "#/components/schemas/ErrorEnvelope";
pub const CLICK_DETAIL_SCHEMA: &str = "#/components/schemas/ClickDetail";

/// Every row of the error table, and every click by every parameter and
/// body format, for one scenario.
pub fn probes(scenario: &Bundled) -> Vec<Probe> {
    let good = &scenario.credential;
    let wrong = Credential {
        username: good.username.clone(),
        api_key: format!("{}-wrong", good.api_key),
    };
    let mut probes = vec![
        Probe::get("unknown endpoint", "/api/nope", good).expect(ERROR_ENVELOPE),
        Probe {
            method: reqwest::Method::POST,
            ..Probe::get("method not allowed", CLICK_DETAIL, good).form("transaction_hash=x")
        }
        .expect(ERROR_ENVELOPE),
        Probe {
            credentials: None,
            ..Probe::get("missing credentials", CLICK_DETAIL, good).form("transaction_hash=x")
        }
        .expect(ERROR_ENVELOPE),
        Probe::get("invalid credentials", CLICK_DETAIL, &wrong)
            .form("transaction_hash=x")
            .expect(ERROR_ENVELOPE),
        Probe::get("body too large", CLICK_DETAIL, good)
            .form(&format!("transaction_hash={}", "a".repeat(70_000)))
            .expect(ERROR_ENVELOPE),
        Probe::get("malformed JSON", CLICK_DETAIL, good)
            .typed("application/json", "{")
            .expect(ERROR_ENVELOPE),
        Probe::get("unsupported Content-Type", CLICK_DETAIL, good)
            .typed("text/plain", "transaction_hash=x")
            .expect(ERROR_ENVELOPE),
        Probe::get("missing parameter", CLICK_DETAIL, good)
            .form("other=1")
            .expect(ERROR_ENVELOPE),
        Probe::get("not found", CLICK_DETAIL, good)
            .form("transaction_hash=no-such-click")
            .expect(ERROR_ENVELOPE),
        Probe::get("ping", "/api/service/ping", good),
        Probe {
            method: reqwest::Method::PUT,
            ..Probe::get("ping, wrong method", "/api/service/ping", good)
        }
        .expect(ERROR_ENVELOPE),
        Probe {
            credentials: None,
            ..Probe::get("ping, no credentials", "/api/service/ping", good)
        }
        .expect(ERROR_ENVELOPE),
    ];
    for (hash, captured) in &scenario.clicks {
        let rendered = |probe: Probe| {
            if *captured {
                probe
            } else {
                probe.expect(CLICK_DETAIL_SCHEMA)
            }
        };
        probes.push(rendered(
            Probe::get(format!("click {hash}, form"), CLICK_DETAIL, good)
                .form(&format!("transaction_hash={hash}")),
        ));
        probes.push(rendered(Probe {
            query: Some(format!("transaction_hash={hash}")),
            ..Probe::get(
                format!("click {hash}, query"),
                "/api/transaction/click_details",
                good,
            )
        }));
        probes.push(rendered(
            Probe::get(format!("click {hash}, JSON"), CLICK_DETAIL, good).typed(
                "application/json",
                json!({ "transaction_hash": hash }).to_string(),
            ),
        ));
    }
    for order in &scenario.orders {
        probes.push(
            Probe::get(format!("order {order}"), CLICK_DETAIL, good)
                .form(&format!("orderid={order}")),
        );
    }
    for subscription in &scenario.subscriptions {
        probes.push(
            Probe::get(format!("subscription {subscription}"), CLICK_DETAIL, good)
                .form(&format!("subscription_id={subscription}")),
        );
    }
    if !scenario.reachable {
        // Past the path and method checks, every answer is the 403.
        for probe in &mut probes {
            probe.expect = Some(ERROR_ENVELOPE);
        }
    }
    probes
}

/// Sends `probe`; `None` when the connection was dropped without an answer.
pub async fn send_probe(
    client: reqwest::Client,
    base: String,
    scenario: String,
    probe: &Probe,
) -> Option<Answer> {
    let mut url = format!("{base}{}", probe.path);
    if let Some(query) = &probe.query {
        url = format!("{url}?{query}");
    }
    let mut request = client
        .request(probe.method.clone(), url)
        .header("x-mock-scenario", scenario);
    if let Some((username, api_key)) = &probe.credentials {
        request = request
            .header("api-key", api_key)
            .header("api-username", username);
    }
    if let Some(content_type) = probe.content_type {
        request = request
            .header("content-type", content_type)
            .body(probe.body.clone());
    }
    match request.send().await {
        Ok(response) => Some(Answer::of(response).await),
        Err(_) => None,
    }
}
