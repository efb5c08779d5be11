//! The scenarios a server knows: every `*.yaml` / `*.yml` file of the
//! scenarios folder, plus the built-in `default` unless the folder has its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::problem::{Location, Position, Problem};
use super::{LoadError, Scenario};

/// Loaded scenarios, sorted by name.
#[derive(Debug, Clone)]
pub struct Catalog {
    scenarios: Vec<Arc<Scenario>>,
}

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The folder could not be listed.
    #[error("cannot read the scenarios folder {}: {source}", .path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// One or more scenarios have problems.
    #[error(transparent)]
    Invalid(#[from] LoadError),
}

/// The scenario files of `dir`, sorted by file name.
pub fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CatalogError::Folder {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_yaml(p))
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` names a YAML file.
pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

impl Catalog {
    /// Loads every scenario of `dir` (when given) and the built-in `default`;
    /// all problems of all files are reported together.
    pub fn load(dir: Option<&Path>) -> Result<Catalog, CatalogError> {
        let files = match dir {
            Some(dir) => scenario_files(dir)?,
            None => Vec::new(),
        };
        let mut scenarios: Vec<Arc<Scenario>> = Vec::new();
        let mut problems = Vec::new();
        for file in &files {
            match Scenario::from_file(file) {
                Ok(scenario) => {
                    if let Some(twin) = scenarios.iter().find(|s| s.name() == scenario.name()) {
                        problems.push(Problem {
                            location: Location {
                                path: file.clone(),
                                at: Position::START,
                            },
                            message: format!(
                                "scenario name `{}` is already used by {}",
                                scenario.name(),
                                twin.origin().display()
                            ),
                        });
                    } else {
                        scenarios.push(Arc::new(scenario));
                    }
                }
                Err(err) => problems.extend(err.problems),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError { problems }.into());
        }
        if !scenarios.iter().any(|s| s.name() == "default") {
            scenarios.push(Arc::new(Scenario::builtin_default()?));
        }
        scenarios.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(Catalog { scenarios })
    }

    /// The scenario called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Scenario>> {
        self.scenarios.iter().find(|s| s.name() == name).cloned()
    }

    /// Every scenario, sorted by name.
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// Every name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name()).collect()
    }
}
