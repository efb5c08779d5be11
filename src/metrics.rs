//! What `GET /__mock/metrics` shows, in the Prometheus text format: the API
//! requests by operation, status and scenario, and how long they took; the
//! faults served; postbacks by target, event and how they ended; the
//! journal's size; reloads; the build. One registry per mock (no global
//! one), so a restart starts every counter from zero and a reset does not
//! touch them, as Prometheus expects of counters.
//!
//! Every label comes from the mock itself or from loaded files: operation
//! ids, statuses, scenario and target names. A name a request chose (an
//! unknown `X-Mock-Scenario`, targets put through the admin API) is never a
//! label, so a client cannot grow the page without bound.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The page's `Content-Type`: the Prometheus text format, version 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The label of a scenario named by a request but not loaded.
pub const NO_SCENARIO: &str = "";

/// The label of a postback target put through `PUT /__mock/postbacks/targets`
/// (its name came from a request).
pub const REPLACED_TARGET: &str = "(replaced)";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    /// Empty for a request answered by closing the connection.
    status: Option<u16>,
    scenario: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    kind: &'static str,
    scenario: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PostbackLabels {
    target: String,
    event: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

fn histogram() -> Histogram {
    // 50 µs to about 13 s: a lookup's microseconds to a `slow` scenario's
    // seconds.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 19))
}

/// A mock's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<OperationLabels, Histogram, fn() -> Histogram>,
    faults: Family<FaultLabels, Counter>,
    postbacks: Family<PostbackLabels, Counter>,
    journal_entries: Gauge,
    journal_bytes: Gauge,
    reloads: Family<ReloadLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero, `n4n_mock_build_info` at 1.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("n4n_mock");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "API requests answered, by operation (the OpenAPI operationId, `unknown` for a path the API does not have), status and scenario",
            requests.clone(),
        );
        let durations: Family<OperationLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(histogram);
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival to its answer, faults' latency included, by operation",
            durations.clone(),
        );
        let faults = Family::<FaultLabels, Counter>::default();
        registry.register(
            "faults",
            "Answers a scenario's faults or rate limit reshaped, by kind and scenario",
            faults.clone(),
        );
        let postbacks = Family::<PostbackLabels, Counter>::default();
        registry.register(
            "postbacks",
            "Postbacks settled, by target, event and state (delivered, failed, dropped)",
            postbacks.clone(),
        );
        let journal_entries = Gauge::default();
        registry.register(
            "journal_entries",
            "Requests the journal holds",
            journal_entries.clone(),
        );
        let journal_bytes = Gauge::default();
        registry.register(
            "journal_bytes",
            "Bytes of memory the journal's entries hold",
            journal_bytes.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reloads of the scenario files, by result (success, failure)",
            reloads.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register("build_info", "The n4n-mock build, by version", build);
        Metrics {
            registry,
            requests,
            durations,
            faults,
            postbacks,
            journal_entries,
            journal_bytes,
            reloads,
        }
    }

    /// One API request answered (`status` `None`: the connection was
    /// dropped), from `scenario` ([`NO_SCENARIO`] when the one it named is
    /// not loaded), in `took`.
    pub fn request(
        &self,
        operation: &'static str,
        status: Option<u16>,
        scenario: &str,
        took: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                operation,
                status,
                scenario: scenario.to_string(),
            })
            .inc();
        self.durations
            .get_or_create(&OperationLabels { operation })
            .observe(took.as_secs_f64());
    }

    /// One answer a fault (`kind`: `status`, `drop_connection`...,
    /// `rate_limit`) reshaped in `scenario`.
    pub fn fault(&self, kind: &'static str, scenario: &str) {
        self.faults
            .get_or_create(&FaultLabels {
                kind,
                scenario: scenario.to_string(),
            })
            .inc();
    }

    /// One postback settled.
    pub fn postback(&self, target: &str, event: &str, state: &'static str) {
        self.postbacks
            .get_or_create(&PostbackLabels {
                target: target.to_string(),
                event: event.to_string(),
                state,
            })
            .inc();
    }

    /// One reload, `ok` or not.
    pub fn reload(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.reloads.get_or_create(&ReloadLabels { result }).inc();
    }

    /// The page, with the journal's `entries` and `bytes` as they are now.
    pub fn page(&self, entries: usize, bytes: usize) -> String {
        self.journal_entries
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
        self.journal_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
        let mut page = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut page, &self.registry);
        page
    }
}
