//! What several subcommands share: a tokio runtime, and the scenario a
//! `--scenario` value names, found the same way by `serve` and `verify`.

use std::path::{Path, PathBuf};

use super::error::CliError;
use crate::scenario::catalog::{self, CatalogError, CatalogSource};
use crate::server::state::Active;

/// How many threads a subcommand's runtime has.
#[derive(Debug, Clone, Copy)]
pub enum Threads {
    /// One per core: `serve`.
    Many,
    /// The calling thread: a client's few requests at a time.
    One,
}

/// The tokio runtime of a subcommand.
pub fn runtime(threads: Threads) -> Result<tokio::runtime::Runtime, CliError> {
    let mut builder = match threads {
        Threads::Many => tokio::runtime::Builder::new_multi_thread(),
        Threads::One => tokio::runtime::Builder::new_current_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|err| CliError::Failure(format!("cannot start the runtime: {err}")))
}

/// Whether a `--scenario` value names a file rather than a scenario of the
/// folder: it has a `/`, or ends in `.yaml`/`.yml`/`.json`.
fn names_a_file(value: &str) -> bool {
    let path = Path::new(value);
    path.components().count() > 1 || catalog::is_scenario_file(path)
}

/// Where the scenarios come from and which one a `--scenario` value picks:
/// every scenario of the folder (and the bundled ones built in), plus the file
/// when it names one.
pub fn chosen_scenario(value: &str, source: CatalogSource) -> (CatalogSource, Active) {
    let active = if names_a_file(value) {
        Active::File(PathBuf::from(value))
    } else {
        Active::Named(value.to_string())
    };
    (source, active)
}

/// The error of a `--scenario` name that no scenario of `source` has, with
/// the names there are. Without a folder to look in (none given, and no
/// `./scenarios` here) it says so: a name that is not built in can only be
/// in a folder.
pub fn unknown_scenario(
    name: &str,
    available: &[impl AsRef<str>],
    source: &CatalogSource,
) -> CliError {
    let no_folder =
        "there is no ./scenarios folder here (--scenarios-dir DIR names a folder of scenarios)";
    let why = match (&source.dir, source.no_builtin) {
        (Some(_), _) => String::new(),
        (None, false) => format!(": it is not built in, and {no_folder}"),
        (None, true) => {
            format!(
                ": the built-in scenarios are left out (--no-builtin-scenarios), and {no_folder}"
            )
        }
    };
    let available = if available.is_empty() {
        "none".to_string()
    } else {
        let names: Vec<&str> = available.iter().map(AsRef::as_ref).collect();
        names.join(", ")
    };
    CliError::Usage(format!(
        "unknown scenario `{name}`{why}; available scenarios: {available}"
    ))
}

/// A catalog that does not load, as the error the command line reports.
pub fn catalog_failure(err: CatalogError) -> CliError {
    match err {
        CatalogError::Invalid(err) => CliError::Scenarios(err),
        other => CliError::Usage(other.to_string()),
    }
}
