//! The scenarios a server knows: every `*.yaml` / `*.yml` / `*.json` file of
//! the scenarios folder, plus each bundled scenario built into the binary
//! that the folder does not replace with one of the same name.

mod progress;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parallel;
use super::problem::{Location, Position, Problem};
use super::source::{Disk, Source};
use super::{LoadError, Scenario};

/// Loaded scenarios, sorted by name.
#[derive(Debug, Clone)]
pub struct Catalog {
    scenarios: Vec<Arc<Scenario>>,
    watched: Vec<PathBuf>,
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

/// Loads the scenario file at `path` as the catalog loads each of its
/// files: a scenario with a large file is logged as it loads (the file and
/// its size, a line every 2 s, the time it took, and for a large YAML file
/// the command that writes it as JSON).
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    progress::load_file(path)
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
        .filter(|p| p.is_file() && is_scenario_file(p))
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` names a scenario or fixture file: YAML (`.yaml`, `.yml`)
/// or JSON (`.json`).
pub fn is_scenario_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Where a server's scenarios come from; read again on every reload.
#[derive(Debug, Clone, Default)]
pub struct CatalogSource {
    /// The scenarios folder: every YAML and JSON file in it.
    pub dir: Option<PathBuf>,
    /// Scenario files named one by one (`--scenario FILE`). Each replaces a
    /// folder scenario of the same name.
    pub files: Vec<PathBuf>,
    /// Scenarios built in code: never read again, and they replace any
    /// scenario of the same name.
    pub fixed: Vec<Arc<Scenario>>,
    /// Leave out the bundled scenarios built into the binary.
    pub no_builtin: bool,
}

impl CatalogSource {
    /// Loads every scenario, then each built-in one whose name is not taken
    /// already. All problems of all files come together. A scenario with a
    /// large file is logged as it loads: the file and its size, a line
    /// every 2 s, and the time it took.
    pub fn load(&self) -> Result<Catalog, CatalogError> {
        let folder_files = match &self.dir {
            Some(dir) => scenario_files(dir)?,
            None => Vec::new(),
        };
        let mut problems = Vec::new();
        let mut folder: Vec<Arc<Scenario>> = Vec::new();
        for (file, loaded) in folder_files
            .iter()
            .zip(load_all(&folder_files, |f| progress::load_file(f)))
        {
            match loaded {
                Ok(scenario) => {
                    if let Some(twin) = folder.iter().find(|s| s.name() == scenario.name()) {
                        problems.push(name_taken(file, &scenario, twin));
                    } else {
                        folder.push(Arc::new(scenario));
                    }
                }
                Err(err) => problems.extend(err.problems),
            }
        }
        let mut chosen: Vec<Arc<Scenario>> = self.fixed.clone();
        let folder_ids: Vec<PathBuf> = folder_files.iter().map(|f| Disk.identity(f)).collect();
        for file in &self.files {
            if folder_ids.contains(&Disk.identity(file)) {
                // Already loaded (and reported) as part of the folder.
                if let Some(same) = folder.iter().find(|s| same_file(s.origin(), file)) {
                    chosen.push(Arc::clone(same));
                }
                continue;
            }
            match progress::load_file(file) {
                Ok(scenario) => {
                    if let Some(twin) = chosen.iter().find(|s| s.name() == scenario.name()) {
                        problems.push(name_taken(file, &scenario, twin));
                    } else {
                        chosen.push(Arc::new(scenario));
                    }
                }
                Err(err) => problems.extend(err.problems),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError { problems }.into());
        }
        let mut scenarios = chosen;
        for scenario in folder {
            if !scenarios.iter().any(|s| s.name() == scenario.name()) {
                scenarios.push(scenario);
            }
        }
        // Every file read from disk, includes too (the built-in scenarios,
        // added next, come from the binary and have nothing to watch).
        let watched: Vec<PathBuf> = scenarios
            .iter()
            .flat_map(|s| s.files().iter().cloned())
            .collect();
        let missing: Vec<&str> = Scenario::builtin_names()
            .filter(|name| !self.no_builtin && !scenarios.iter().any(|s| s.name() == *name))
            .collect();
        for builtin in load_all(&missing, |name| Scenario::builtin(name))
            .into_iter()
            .flatten()
        {
            scenarios.push(Arc::new(builtin?));
        }
        scenarios.sort_by(|a, b| a.name().cmp(b.name()));
        crate::memory::release_freed();
        Ok(Catalog { scenarios, watched })
    }
}

/// Whether two paths name the same file on disk (`./a.yaml` and `a.yaml` do).
fn same_file(a: &Path, b: &Path) -> bool {
    Disk.identity(a) == Disk.identity(b)
}

/// Loads each of `items` (the folder's files, or the names of the built-in
/// scenarios) with `load`, in their order: on two threads or more when the
/// machine has them, since a server answers nothing until every one is
/// loaded. Each is loaded on its own, so the results do not depend on the
/// threads.
fn load_all<T: Sync, R: Send>(items: &[T], load: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let done = parallel::share(
        items.iter().enumerate().collect(),
        parallel::cores(),
        Vec::new,
        |loaded: &mut Vec<_>, (i, item)| loaded.push((i, load(item))),
    );
    let mut loaded: Vec<(usize, R)> = done.into_iter().flatten().collect();
    loaded.sort_by_key(|(i, _)| *i);
    loaded.into_iter().map(|(_, result)| result).collect()
}

fn name_taken(file: &Path, scenario: &Scenario, twin: &Scenario) -> Problem {
    Problem {
        location: Location {
            path: file.to_path_buf(),
            at: Position::START,
        },
        message: format!(
            "scenario name `{}` is already used by {}",
            scenario.name(),
            twin.origin().display()
        ),
    }
}

impl Catalog {
    /// Loads every scenario of `dir` (when given) and the built-in ones it
    /// does not replace; all problems of all files are reported together.
    pub fn load(dir: Option<&Path>) -> Result<Catalog, CatalogError> {
        CatalogSource {
            dir: dir.map(Path::to_path_buf),
            ..CatalogSource::default()
        }
        .load()
    }

    /// The scenario read from the file at `path`, however the path is spelled.
    pub fn loaded_from(&self, path: &Path) -> Option<&Arc<Scenario>> {
        self.scenarios
            .iter()
            .find(|s| !s.is_builtin() && same_file(s.origin(), path))
    }

    /// The scenario called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.scenarios.iter().find(|s| s.name() == name)
    }

    /// Restarts the fault counters and rate windows of every scenario, and
    /// brings its data back to what the fixtures say.
    pub fn reset(&self) {
        for scenario in &self.scenarios {
            scenario.counters().reset();
            // The postbacks first: none goes out for data about to change.
            scenario.postbacks().reset();
            scenario.ledger().reset();
        }
    }

    /// Every scenario, sorted by name.
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// Every name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name()).collect()
    }

    /// The files on disk the scenarios were read from, includes too: what a
    /// watcher should look at.
    pub fn watched_files(&self) -> &[PathBuf] {
        &self.watched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> String {
        format!("name: {name}\ncredentials: [{{username: u, api_key: k}}]\n")
    }

    #[test]
    fn a_folder_loads_in_file_order_whatever_the_threads() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Twelve files: `twin` twice (the later file is the one reported),
        // one broken file, the rest plain.
        for i in 0..12 {
            let text = match i {
                3 | 9 => scenario("twin"),
                6 => "credentials: [oops\n".to_string(),
                _ => scenario(&format!("s{i:02}")),
            };
            std::fs::write(dir.path().join(format!("f{i:02}.yaml")), text).expect("write");
        }
        let source = CatalogSource {
            dir: Some(dir.path().to_path_buf()),
            ..CatalogSource::default()
        };
        for _ in 0..5 {
            let Err(CatalogError::Invalid(err)) = source.load() else {
                panic!("the broken file and the twin are problems");
            };
            let files: Vec<String> = err
                .problems
                .iter()
                .map(|p| {
                    p.location
                        .path
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            assert_eq!(files, ["f06.yaml", "f09.yaml"], "{err}");
            assert!(
                err.to_string()
                    .contains("scenario name `twin` is already used by")
            );
        }
        std::fs::remove_file(dir.path().join("f06.yaml")).expect("remove");
        std::fs::remove_file(dir.path().join("f09.yaml")).expect("remove");
        let catalog = source.load().expect("loads");
        let names: Vec<&str> = catalog.scenarios.iter().map(|s| s.name()).collect();
        let mut expected: Vec<String> = (0..12)
            .filter(|i| ![3, 6, 9].contains(i))
            .map(|i| format!("s{i:02}"))
            .chain(["twin".to_string()])
            .chain(Scenario::builtin_names().map(str::to_string))
            .collect();
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn a_folder_scenario_replaces_the_builtin_one_of_its_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("locked.yaml"), scenario("locked")).expect("write");
        let catalog = Catalog::load(Some(dir.path())).expect("loads");

        let locked = catalog.get("locked").expect("locked");
        assert!(!locked.is_builtin());
        assert_eq!(locked.click_count(), 0);
        assert_eq!(catalog.watched_files(), [dir.path().join("locked.yaml")]);
        // Every other bundled scenario is the built-in one.
        for name in Scenario::builtin_names().filter(|n| *n != "locked") {
            let builtin = catalog.get(name).expect(name);
            assert!(builtin.is_builtin(), "{name}");
            assert!(builtin.files().is_empty(), "{name}");
        }
        assert!(
            catalog
                .loaded_from(Path::new("scenarios/default.yaml"))
                .is_none()
        );
    }

    #[test]
    fn the_builtin_scenarios_can_be_left_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("mine.yaml"), scenario("mine")).expect("write");
        let source = CatalogSource {
            dir: Some(dir.path().to_path_buf()),
            no_builtin: true,
            ..CatalogSource::default()
        };
        assert_eq!(source.load().expect("loads").names(), ["mine"]);
    }

    #[test]
    fn without_a_folder_every_builtin_scenario_loads() {
        let catalog = Catalog::load(None).expect("loads");
        let names: Vec<&str> = Scenario::builtin_names().collect();
        assert_eq!(catalog.names(), names);
        assert!(catalog.watched_files().is_empty());
        assert_eq!(
            catalog.get("lifecycle").expect("lifecycle").name(),
            "lifecycle"
        );
    }
}
