//! What a running mock holds: every loaded scenario, which one is active,
//! the request journal, and the outcome of the last reload.
//!
//! The scenarios and the active name form one [`Snapshot`], swapped whole:
//! a request takes the snapshot once when it arrives and answers from it,
//! so it sees all old or all new data, never a mix, and never waits for a
//! reload.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use serde::Serialize;

use super::admin_token::AdminToken;
use super::limits::Limits;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::scenario::catalog::{Catalog, CatalogError, CatalogSource};
use crate::scenario::{Problem, Scenario};
use crate::verification::SentPostback;

/// The scenarios a mock serves and the one answering requests that name none.
#[derive(Debug)]
pub struct Snapshot {
    /// Every loaded scenario.
    pub catalog: Arc<Catalog>,
    /// The active scenario.
    pub active: Arc<Scenario>,
}

/// How a mock is set up besides its scenarios.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Whether `/__mock/*` answers beyond `health`.
    pub admin: bool,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// How many bytes of memory the journal's entries may hold; the oldest
    /// go first past it.
    pub journal_bytes: usize,
    /// What one client can make the server hold.
    pub limits: Limits,
    /// The token every admin path but the health check and the console
    /// asks for, when set.
    pub admin_token: Option<AdminToken>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            admin: true,
            journal_size: crate::journal::DEFAULT_JOURNAL_SIZE,
            journal_bytes: crate::journal::DEFAULT_JOURNAL_BYTES,
            limits: Limits::default(),
            admin_token: None,
        }
    }
}

/// Which scenario is active when a mock starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Active {
    /// The scenario of this name.
    Named(String),
    /// The scenario in this file, loaded besides those of the source.
    File(PathBuf),
}

/// A scenario name that no loaded scenario has.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Unknown scenario: {name}")]
pub struct UnknownScenario {
    /// The name asked for.
    pub name: String,
    /// The names there are.
    pub available: Vec<String>,
}

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A scenario file has problems, or the folder cannot be read.
    #[error(transparent)]
    Load(#[from] CatalogError),
    /// The scenario asked for is not among those loaded.
    #[error("unknown scenario `{}`; available scenarios: {}", .0.name, .0.available.join(", "))]
    UnknownScenario(UnknownScenario),
}

/// A reload that did not take: the last good scenarios are still served.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadFailure {
    /// What went wrong, in one sentence.
    pub message: String,
    /// Each problem, located.
    pub problems: Vec<ReportedProblem>,
}

/// A scenario problem as the admin API reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedProblem {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl From<&Problem> for ReportedProblem {
    fn from(problem: &Problem) -> Self {
        ReportedProblem {
            path: problem.location.path.clone(),
            line: problem.location.at.line,
            column: problem.location.at.column,
            message: problem.message.clone(),
        }
    }
}

/// Everything one running mock shares between its connections.
#[derive(Debug)]
pub struct MockState {
    snapshot: ArcSwap<Snapshot>,
    source: CatalogSource,
    /// Held while the snapshot is being replaced, so that a reload and a
    /// scenario switch never undo each other.
    changing: tokio::sync::Mutex<()>,
    last_reload_error: Mutex<Option<Arc<ReloadFailure>>>,
    journal: Journal,
    options: MockOptions,
    /// What `GET /__mock/metrics` shows.
    metrics: Arc<Metrics>,
}

impl MockState {
    /// Loads every scenario `source` names (and an [`Active::File`]) and
    /// makes `active` the active one.
    pub fn load(
        mut source: CatalogSource,
        active: Active,
        options: MockOptions,
    ) -> Result<MockState, StartError> {
        if let Active::File(path) = &active {
            source.files.push(path.clone());
        }
        let catalog = source.load()?;
        let name = match active {
            Active::Named(name) => name,
            Active::File(path) => catalog
                .loaded_from(&path)
                .map_or_else(|| path.display().to_string(), |s| s.name().to_string()),
        };
        MockState::new(catalog, &name, source, options).map_err(StartError::UnknownScenario)
    }

    /// A mock over `catalog`, already loaded from `source`, with `active` active.
    pub fn new(
        catalog: Catalog,
        active: &str,
        source: CatalogSource,
        options: MockOptions,
    ) -> Result<MockState, UnknownScenario> {
        let active = find(&catalog, active)?;
        Ok(MockState::with(catalog, active, source, options))
    }

    fn with(
        catalog: Catalog,
        active: Arc<Scenario>,
        source: CatalogSource,
        options: MockOptions,
    ) -> MockState {
        let metrics = Arc::new(Metrics::new());
        count_postbacks(&catalog, &metrics);
        MockState {
            snapshot: ArcSwap::from_pointee(Snapshot {
                catalog: Arc::new(catalog),
                active,
            }),
            source,
            changing: tokio::sync::Mutex::new(()),
            last_reload_error: Mutex::new(None),
            journal: Journal::new(options.journal_size, options.journal_bytes),
            options,
            metrics,
        }
    }

    /// The mock's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The scenarios and the active one, as of now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The scenario a request answers from: the one it names, else the active one.
    pub fn scenario_for(&self, requested: Option<&str>) -> Result<Arc<Scenario>, UnknownScenario> {
        let snapshot = self.snapshot.load();
        match requested {
            None => Ok(Arc::clone(&snapshot.active)),
            Some(name) => find(&snapshot.catalog, name),
        }
    }

    /// Makes `name` the active scenario; returns the one it replaces.
    pub async fn activate(&self, name: &str) -> Result<Arc<Scenario>, UnknownScenario> {
        let _changing = self.changing.lock().await;
        let current = self.snapshot.load_full();
        let next = find(&current.catalog, name)?;
        self.snapshot.store(Arc::new(Snapshot {
            catalog: Arc::clone(&current.catalog),
            active: next,
        }));
        tracing::info!(scenario = name, "active scenario switched");
        Ok(Arc::clone(&current.active))
    }

    /// Reads every scenario again and swaps them in whole. When anything is
    /// wrong, the last good scenarios stay, the problems are logged and kept
    /// for `health` until a reload succeeds.
    pub async fn reload(&self) -> Result<Arc<Snapshot>, Arc<ReloadFailure>> {
        let _changing = self.changing.lock().await;
        let source = self.source.clone();
        let loaded = tokio::task::spawn_blocking(move || source.load()).await;
        let current = self.snapshot.load_full();
        let outcome = match loaded {
            Ok(Ok(catalog)) => match find(&catalog, current.active.name()) {
                Ok(active) => Ok(Snapshot {
                    catalog: Arc::new(catalog),
                    active,
                }),
                Err(gone) => Err(ReloadFailure {
                    message: format!(
                        "the active scenario `{}` is no longer there; switch to another \
                         (PUT /__mock/scenario) before removing it. Loaded: {}",
                        gone.name,
                        gone.available.join(", ")
                    ),
                    problems: Vec::new(),
                }),
            },
            Ok(Err(err)) => Err(failure(&err)),
            Err(panicked) => Err(ReloadFailure {
                message: format!("reload stopped unexpectedly: {panicked}"),
                problems: Vec::new(),
            }),
        };
        match outcome {
            Ok(snapshot) => {
                // Scenarios built in code come through a reload as they are:
                // their counts restart like those of the files read again.
                snapshot.catalog.reset();
                count_postbacks(&snapshot.catalog, &self.metrics);
                self.metrics.reload(true);
                let snapshot = Arc::new(snapshot);
                self.snapshot.store(Arc::clone(&snapshot));
                // The scenarios read before send nothing more, even while a
                // request that started before the swap still holds one.
                for old in current.catalog.scenarios() {
                    if !snapshot
                        .catalog
                        .scenarios()
                        .iter()
                        .any(|s| Arc::ptr_eq(s, old))
                    {
                        old.postbacks().close();
                    }
                }
                *self.reload_error_slot() = None;
                tracing::info!(
                    scenarios = snapshot.catalog.scenarios().len(),
                    active = snapshot.active.name(),
                    "reloaded"
                );
                Ok(snapshot)
            }
            Err(failure) => {
                for problem in &failure.problems {
                    tracing::warn!(
                        "reload: {}:{}:{}: {}",
                        problem.path.display(),
                        problem.line,
                        problem.column,
                        problem.message
                    );
                }
                tracing::warn!("reload failed: {}", failure.message);
                self.metrics.reload(false);
                let failure = Arc::new(failure);
                *self.reload_error_slot() = Some(Arc::clone(&failure));
                Err(failure)
            }
        }
    }

    /// Restarts the fault counters and rate windows of every loaded
    /// scenario, and brings back the data its fixtures hold.
    pub fn reset(&self) {
        self.snapshot.load().catalog.reset();
        tracing::info!("fault counters and scenario data reset");
    }

    /// What the last reload found wrong, until one succeeds.
    pub fn last_reload_error(&self) -> Option<Arc<ReloadFailure>> {
        self.reload_error_slot().clone()
    }

    fn reload_error_slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<ReloadFailure>>> {
        self.last_reload_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every scenario's postbacks, scenario by scenario, oldest first: what
    /// postback expectations are checked against.
    pub fn sent_postbacks(&self) -> Vec<SentPostback> {
        let snapshot = self.snapshot.load();
        snapshot
            .catalog
            .scenarios()
            .iter()
            .flat_map(|scenario| {
                let name = scenario.name().to_string();
                scenario
                    .postbacks()
                    .records()
                    .into_iter()
                    .map(move |record| (name.clone(), record))
            })
            .collect()
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Whether the admin API answers beyond `health`.
    pub fn admin_enabled(&self) -> bool {
        self.options.admin
    }

    /// The token the admin API asks for, if any.
    pub fn admin_token(&self) -> Option<&AdminToken> {
        self.options.admin_token.as_ref()
    }

    /// The connection limits.
    pub fn limits(&self) -> Limits {
        self.options.limits
    }

    /// Where the scenarios are read from.
    pub fn source(&self) -> &CatalogSource {
        &self.source
    }
}

fn find(catalog: &Catalog, name: &str) -> Result<Arc<Scenario>, UnknownScenario> {
    catalog.get(name).cloned().ok_or_else(|| UnknownScenario {
        name: name.to_string(),
        available: catalog.names().iter().map(|n| n.to_string()).collect(),
    })
}

fn failure(err: &CatalogError) -> ReloadFailure {
    match err {
        CatalogError::Invalid(err) => ReloadFailure {
            message: format!(
                "{} problem{} found; still serving the last good scenarios",
                err.problems.len(),
                if err.problems.len() == 1 { "" } else { "s" }
            ),
            problems: err.problems.iter().map(ReportedProblem::from).collect(),
        },
        CatalogError::Folder { .. } => ReloadFailure {
            message: format!("{err}; still serving the last good scenarios"),
            problems: Vec::new(),
        },
    }
}

/// Has every scenario of `catalog` count its settled postbacks in `metrics`.
fn count_postbacks(catalog: &Catalog, metrics: &Arc<Metrics>) {
    for scenario in catalog.scenarios() {
        scenario.postbacks().count_in(Arc::clone(metrics));
    }
}
