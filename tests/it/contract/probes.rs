//! The generated requests: every row of the contract's error table, every
//! click by every parameter and body format, ping, for one bundled scenario.

use std::path::Path;

use n4n_mock::scenario::model::Credential;
use n4n_mock::scenario::source::Disk;
use serde_json::json;

use super::CLICK_DETAIL;
use crate::util::*;

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

pub fn bundled_scenarios(dir: &Path) -> Vec<Bundled> {
    let mut found = Vec::new();
    for file in n4n_mock::scenario::catalog::scenario_files(dir).expect("scenarios") {
        let loaded = n4n_mock::scenario::load::load(&Disk, &file).expect("loads");
        let name = loaded.root.name.as_ref().map_or_else(
            || {
                file.file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .into_owned()
            },
            |n| n.value.clone(),
        );
        let credential = loaded.root.credentials.as_ref().expect("credentials").value[0].clone();
        let transactions = || loaded.transactions.iter().map(|(_, t)| t);
        let loopback: std::net::IpAddr = "127.0.0.1".parse().expect("address");
        let reachable = loaded
            .root
            .allowed_ips
            .as_ref()
            .is_none_or(|allowed| allowed.value.iter().any(|net| net.contains(&loopback)));
        found.push(Bundled {
            name,
            credential,
            reachable,
            overrides: loaded.root.errors.is_some()
                || !std::fs::read_to_string(&file)
                    .expect("scenario file")
                    .lines()
                    .all(|l| {
                        !["faults:", "rate_limit:", "fault:"]
                            .iter()
                            .any(|k| l.trim_start().starts_with(k))
                    }),
            clicks: loaded
                .clicks
                .iter()
                .map(|(_, c)| (c.click_hash().to_string(), c.response.is_some()))
                .collect(),
            orders: transactions()
                .map(|t| t.value("orderid").to_string())
                .filter(|v| !v.is_empty())
                .collect(),
            subscriptions: transactions()
                .map(|t| t.value("subscription_id").to_string())
                .filter(|v| !v.is_empty())
                .collect(),
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
