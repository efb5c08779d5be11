//! Scenarios: the credentials, address rules, error overrides, clicks and
//! transactions one server answers from, loaded from YAML or JSON and
//! checked with every problem located.
//!
//! - [`yaml`]: the located YAML tree (serde-saphyr underneath).
//! - [`json`]: JSON files read into the same located tree.
//! - [`model`]: the scenario format: keys, their order, what a file holds.
//! - [`read`]: the format read from a located tree, every problem collected.
//! - [`load`]: includes, cycles and the checks that span files.
//! - [`index`]: clicks indexed for lookup, bodies rendered at load.
//! - [`keys`]: the index's keys, end to end in one string.
//! - [`group`]: each click's transactions, put in click order.
//! - [`bodies`]: every click's body rendered at load, its records given up as it goes.
//! - [`lifecycle`]: what voids, chargebacks, reversals and revenue updates changed.
//! - [`conversion`]: sales and rebills made to happen on a click.
//! - [`facts`]: what an applied event tells its postbacks.
//! - [`to_json`]: a captured `response:` written as JSON.
//! - [`convert`]: a YAML scenario or fixture written as JSON, checked first.
//! - [`builder`]: scenarios built in Rust code, checked like files.
//! - [`faults`]: latency, fault rules and rate limits a scenario asks for, and when they fire.
//! - [`catalog`]: the scenarios of a folder plus the bundled ones built in.
//! - [`source`]: disk files or the built-in copies of the bundled scenarios.
//! - [`problem`]: `path:line:column: message`.

pub mod bodies;
pub mod builder;
pub mod catalog;
pub mod conversion;
pub mod convert;
pub mod facts;
pub mod faults;
pub mod group;
pub mod index;
pub mod json;
pub mod keys;
pub mod lifecycle;
pub mod load;
pub mod model;
pub mod parallel;
pub mod problem;
pub mod read;
pub mod source;
pub mod to_json;
pub mod yaml;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use constant_time_eq::constant_time_eq;
use ipnet::IpNet;

use crate::api_error::ErrorTable;
use crate::postbacks::{EventFacts, Outbox, Target};
use faults::{FaultCounters, FaultPlan};
pub use index::{ClickIndex, LookupKey};
use lifecycle::Ledger;
pub use model::Credential;
pub use problem::Problem;
use source::Source;

/// A day, in seconds: how long after its latest `time` a scenario's clock starts.
const DAY: i64 = 86_400;

/// A scenario that failed to load, with every problem found.
#[derive(Debug, thiserror::Error)]
#[error("{}", render_problems(.problems))]
pub struct LoadError {
    /// Each problem, in file and line order.
    pub problems: Vec<Problem>,
}

fn render_problems(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
    lines.join("\n")
}

/// A loaded, validated, indexed scenario.
#[derive(Debug)]
pub struct Scenario {
    name: String,
    description: String,
    origin: PathBuf,
    /// Whether it was built into the binary rather than read from a file.
    builtin: bool,
    credentials: Vec<Credential>,
    allowed_ips: Option<Vec<IpNet>>,
    errors: ErrorTable,
    clicks: ClickIndex,
    files: Vec<PathBuf>,
    faults: FaultPlan,
    counters: FaultCounters,
    /// The clock of lifecycle events: `now:`, else a day after the latest `time`.
    clock: i64,
    ledger: Ledger,
    /// Its postback targets, queues and log.
    postbacks: Outbox,
}

/// What a credential check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialCheck {
    /// The pair is one of the scenario's.
    Valid,
    /// No pair matches.
    Invalid,
}

impl Scenario {
    /// Loads the scenario at `path` from `source`. Its name is `name:` if set,
    /// else the file stem.
    pub fn load(source: &dyn Source, path: &Path) -> Result<Scenario, LoadError> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Scenario::load_named(source, path, stem)
    }

    /// Loads the scenario at `path`, called `name:` if set, else `fallback_name`.
    fn load_named(
        source: &dyn Source,
        path: &Path,
        fallback_name: String,
    ) -> Result<Scenario, LoadError> {
        let load::Loaded {
            root,
            clicks,
            transactions,
            files,
            links,
            postbacks,
        } = load::load(source, path).map_err(|problems| LoadError { problems })?;
        let targets = load::concat(postbacks)
            .into_iter()
            .map(|t| t.value)
            .collect();
        // The index takes the records: rendering frees them as it goes.
        let clicks = ClickIndex::build(load::concat(clicks), load::concat(transactions), links);
        let name = root.name.map_or(fallback_name, |name| name.value);
        let overrides = root.errors.map(|e| e.value).unwrap_or_default();
        let clock = root.now.map_or_else(
            || clicks.latest_time().unwrap_or(0).saturating_add(DAY),
            |now| now.value,
        );
        Ok(Scenario {
            name,
            description: root.description.map(|d| d.value).unwrap_or_default(),
            origin: path.to_path_buf(),
            builtin: false,
            credentials: root.credentials.map(|c| c.value).unwrap_or_default(),
            allowed_ips: root.allowed_ips.map(|a| a.value),
            errors: ErrorTable::new(&overrides),
            clicks,
            files,
            faults: FaultPlan {
                latency_ms: root.latency_ms.map(|l| l.value),
                rules: root.faults.map(|f| f.value).unwrap_or_default(),
                rate_limit: root.rate_limit.map(|r| r.value),
            },
            counters: FaultCounters::default(),
            clock,
            ledger: Ledger::default(),
            postbacks: Outbox::new(targets),
        })
    }

    /// Loads a scenario file from disk.
    pub fn from_file(path: &Path) -> Result<Scenario, LoadError> {
        Scenario::load(&source::Disk, path)
    }

    /// Loads a scenario from YAML text held in memory (a test suite building
    /// one in code). `name` is used when the text sets no `name:`, and in
    /// problem locations as `name (in code)`.
    pub fn from_yaml(name: &str, yaml: impl Into<String>) -> Result<Scenario, LoadError> {
        let source = source::Memory {
            path: PathBuf::from(format!("{name} (in code)")),
            text: yaml.into(),
        };
        let mut scenario = Scenario::load_named(&source, &source.path, name.to_string())?;
        scenario.files.clear();
        Ok(scenario)
    }

    /// The bundled scenario called `name`, as built into the binary, or
    /// `None` when no bundled scenario has that name.
    pub fn builtin(name: &str) -> Option<Result<Scenario, LoadError>> {
        let (_, path) = source::builtin_scenarios().find(|(n, _)| *n == name)?;
        Some(Scenario::load(&source::Builtin, path).map(|mut scenario| {
            scenario.builtin = true;
            // Nothing on disk to watch.
            scenario.files.clear();
            scenario
        }))
    }

    /// The names of the bundled scenarios built into the binary, sorted.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        source::builtin_scenarios().map(|(name, _)| name)
    }

    /// Whether it was built into the binary (`built-in`) rather than read
    /// from a file or built in code.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scenario's description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The file it was loaded from.
    pub(crate) fn origin(&self) -> &Path {
        &self.origin
    }

    /// Every file read to load it, its includes too.
    pub(crate) fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// How many clicks it has.
    pub fn click_count(&self) -> usize {
        self.clicks.clicks()
    }

    /// How many transactions it has.
    pub fn transaction_count(&self) -> usize {
        self.clicks.transactions()
    }

    /// Its lifecycle state.
    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The time of the first lifecycle event, in Unix seconds.
    pub(crate) fn clock(&self) -> i64 {
        self.clock
    }

    /// How many lifecycle events were applied since it loaded or was reset.
    pub fn events(&self) -> u64 {
        self.ledger.events()
    }

    /// The lifecycle events applied since it loaded or was reset, oldest first.
    pub(crate) fn applied_events(&self) -> Vec<lifecycle::AppliedEvent> {
        self.ledger.current().applied().to_vec()
    }

    /// Its postback targets, queues and log.
    pub(crate) fn postbacks(&self) -> &Outbox {
        &self.postbacks
    }

    /// Queues the postbacks of an event just applied; their `seq`s.
    /// Called while the ledger is held, so `seq` follows the events' order.
    pub(crate) fn announce(&self, facts: &EventFacts) -> Vec<u64> {
        self.postbacks.queue(facts)
    }

    /// Its clicks, indexed for lookup.
    pub(crate) fn clicks(&self) -> &ClickIndex {
        &self.clicks
    }

    /// What the scenario asks to go wrong.
    pub(crate) fn faults(&self) -> &FaultPlan {
        &self.faults
    }

    /// Its API requests so far, and how many faults hit them.
    pub(crate) fn counters(&self) -> &FaultCounters {
        &self.counters
    }

    /// The error answers with the scenario's overrides.
    pub(crate) fn errors(&self) -> &ErrorTable {
        &self.errors
    }

    /// Whether `addr` may call the API (always, when `allowed_ips` is absent).
    pub(crate) fn allows(&self, addr: IpAddr) -> bool {
        // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
        let addr = addr.to_canonical();
        match &self.allowed_ips {
            None => true,
            Some(ranges) => ranges.iter().any(|r| r.contains(&addr)),
        }
    }

    /// Its credential pairs, `(username, api_key)`, in file order: the
    /// fixture data a test harness signs its requests with.
    pub fn credentials(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.credentials
            .iter()
            .map(|c| (c.username.as_str(), c.api_key.as_str()))
    }

    /// Checks a credential pair. Every pair is compared, keys in constant
    /// time, so the answer's timing does not tell which part was wrong.
    pub(crate) fn check_credentials(&self, username: &[u8], api_key: &[u8]) -> CredentialCheck {
        let mut found = false;
        for credential in &self.credentials {
            // `&`, not `&&`: both parts are compared whatever the first says.
            let user_ok = constant_time_eq(credential.username.as_bytes(), username);
            let key_ok = constant_time_eq(credential.api_key.as_bytes(), api_key);
            found |= user_ok & key_ok;
        }
        if found {
            CredentialCheck::Valid
        } else {
            CredentialCheck::Invalid
        }
    }
}

/// Reads postback targets sent as JSON (`PUT /__mock/postbacks/targets`),
/// checked like those of a scenario file; problems name `request body`.
pub fn read_postback_targets(text: &str) -> Result<Vec<Target>, LoadError> {
    let path = Path::new("request body");
    let mut problems = problem::Problems::default();
    let root = match json::parse(text) {
        Ok(root) => root,
        Err((at, message)) => {
            problems.push(path, at, message);
            return Err(LoadError {
                problems: problems.into_sorted(),
            });
        }
    };
    let targets = read::postbacks::read_targets(&root, path, &mut problems);
    let file = load::FileRecords {
        path: std::sync::Arc::from(path),
        records: targets,
    };
    problems.append(load::duplicate_targets(std::slice::from_ref(&file)));
    if problems.is_empty() {
        Ok(file.records.into_iter().map(|t| t.value).collect())
    } else {
        Err(LoadError {
            problems: problems.into_sorted(),
        })
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{} ({}, {})",
            self.name,
            count(self.clicks.clicks(), "click"),
            count(self.clicks.transactions(), "transaction")
        )
    }
}
