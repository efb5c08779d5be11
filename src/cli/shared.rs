//! Options several subcommands share: the scenarios folder, and where a
//! command that writes a scenario writes it.

use std::path::PathBuf;

use clap::Args;

use crate::scenario::catalog::CatalogSource;

/// The scenarios folder option, shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct ScenariosFolder {
    /// Folder of scenario files, added to the bundled ones built into the
    /// binary (a file replaces the bundled scenario of its name)
    /// [default: ./scenarios when it exists].
    #[arg(long, env = "N4N_MOCK_SCENARIOS_DIR", value_name = "DIR")]
    pub scenarios_dir: Option<PathBuf>,

    /// Leave out the bundled scenarios built into the binary: only the
    /// folder's (and a --scenario file) are loaded, listed and offered.
    #[arg(long, env = "N4N_MOCK_NO_BUILTIN_SCENARIOS")]
    pub no_builtin_scenarios: bool,
}

impl ScenariosFolder {
    /// The folder given, else `./scenarios` when it exists.
    pub fn resolve(&self) -> Option<PathBuf> {
        self.scenarios_dir.clone().or_else(|| {
            let local = PathBuf::from("scenarios");
            local.is_dir().then_some(local)
        })
    }

    /// Where the scenarios come from: the folder, and the built-in ones
    /// unless left out.
    pub fn source(&self) -> CatalogSource {
        CatalogSource {
            dir: self.resolve(),
            no_builtin: self.no_builtin_scenarios,
            ..CatalogSource::default()
        }
    }
}

/// Where a command that writes a scenario writes it: `--out` and `--force`.
#[derive(Debug, Clone, Args)]
pub struct OutArgs {
    /// The scenario file to write (standard output when omitted). A file
    /// already there is kept: the command stops with exit 2 before any work,
    /// unless --force. The text goes to a hidden temporary file beside FILE,
    /// renamed to FILE only once whole: a failure or Ctrl-C leaves no part of it.
    #[arg(long = "out", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Replace the --out file if it exists (once the new one is whole).
    #[arg(long, requires = "file")]
    pub force: bool,
}
