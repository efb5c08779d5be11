//! What each subcommand does. Each returns `Ok` with the exit code of an
//! outcome it has printed (0, or 1 when `validate` found problems or
//! `verify` found drift), or a [`CliError`] that `main` prints once, whole.
//!
//! - [`serve`]: load, listen, serve until a signal.
//! - [`convert`]: a YAML scenario or fixture written as JSON.
//! - [`contract`]: `record` and `verify` against a live server.
//! - [`out`]: `--out` files, refused when they exist, written whole.
//! - [`error`]: [`CliError`] and the exit codes.
//! - [`shared`]: what several subcommands share: a runtime, the scenario a
//!   `--scenario` value names.

mod contract;
mod convert;
mod error;
mod out;
mod serve;
mod shared;

use std::path::PathBuf;
use std::process::ExitCode;

pub use error::CliError;

use crate::cli::{
    Cli, Command, GenerateArgs, ScenarioFormat, ScenariosArgs, ValidateArgs, WaitArgs,
};
use crate::generate::{self, Format, GenerateOptions};
use shared::{Threads, catalog_failure, runtime};

use crate::scenario::catalog;
use crate::scenario::source::is_json;
use crate::scenario::{LoadError, Scenario};
use crate::wait;

/// Runs the command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        None => serve::serve(&cli.serve),
        Some(Command::Serve(args)) => serve::serve(&args),
        Some(Command::Scenarios(args)) => scenarios(&args),
        Some(Command::Validate(args)) => validate(&args),
        Some(Command::Wait(args)) => wait(&args),
        Some(Command::Generate(args)) => generate(&args),
        Some(Command::Convert(args)) => convert::convert(&args),
        Some(Command::Record(args)) => contract::record(&args),
        Some(Command::Verify(args)) => contract::verify(&args),
    }
}

/// `n4n-mock scenarios`: one line per scenario.
fn scenarios(args: &ScenariosArgs) -> Result<ExitCode, CliError> {
    let catalog = args.folder.source().load().map_err(catalog_failure)?;
    let width = catalog
        .names()
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(4)
        .max(4);
    // Where each came from: `built-in`, or the file it was read from.
    let sources: Vec<String> = catalog
        .scenarios()
        .iter()
        .map(|s| {
            if s.is_builtin() {
                "built-in".to_string()
            } else {
                s.origin().display().to_string()
            }
        })
        .collect();
    let source_width = sources.iter().map(String::len).max().unwrap_or(6).max(6);
    println!(
        "{:width$}  {:>6}  {:>12}  {:source_width$}  DESCRIPTION",
        "NAME", "CLICKS", "TRANSACTIONS", "SOURCE"
    );
    for (scenario, source) in catalog.scenarios().iter().zip(&sources) {
        println!(
            "{:width$}  {:>6}  {:>12}  {:source_width$}  {}",
            scenario.name(),
            scenario.clicks().clicks(),
            scenario.clicks().transactions(),
            source,
            scenario.description()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `n4n-mock validate`: `ok` lines on stdout, problems on stderr.
fn validate(args: &ValidateArgs) -> Result<ExitCode, CliError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut builtin = false;
    let mut targets = args.paths.clone();
    if targets.is_empty() {
        match args.folder.resolve() {
            Some(folder) => targets.push(folder),
            None => builtin = !args.folder.no_builtin_scenarios,
        }
    }
    for target in targets {
        if target.is_dir() {
            let found =
                catalog::scenario_files(&target).map_err(|err| CliError::Usage(err.to_string()))?;
            files.extend(found);
        } else {
            files.push(target);
        }
    }
    let mut failed = 0usize;
    let mut report = |result: Result<Scenario, LoadError>, label: &str| match result {
        Ok(scenario) => println!("ok  {label}: {scenario}"),
        Err(err) => {
            failed += 1;
            eprintln!("{err}");
        }
    };
    let builtins: Vec<&str> = if builtin {
        Scenario::builtin_names().collect()
    } else {
        Vec::new()
    };
    for name in &builtins {
        if let Some(scenario) = Scenario::builtin(name) {
            report(scenario, &format!("built-in {name}"));
        }
    }
    for file in &files {
        // A large file says how its load goes, as when it is served.
        report(catalog::load_file(file), &file.display().to_string());
    }
    let total = files.len() + builtins.len();
    if failed > 0 {
        return Err(CliError::Failure(format!(
            "{failed} of {total} scenario files have problems"
        )));
    }
    println!(
        "{total} scenario{} valid",
        if total == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `n4n-mock wait`: the base URL alone on stdout once the mock answers.
fn wait(args: &WaitArgs) -> Result<ExitCode, CliError> {
    let target = match &args.url_file {
        Some(path) => wait::Target::UrlFile(path.clone()),
        None => wait::Target::Url(
            wait::health_url(&args.base_url()).map_err(|err| CliError::Usage(err.to_string()))?,
        ),
    };
    let ready = runtime(Threads::One)?
        .block_on(wait::wait_for(&target, args.timeout))
        .map_err(|err| CliError::Failure(err.to_string()))?;
    // stdout is the URL alone, for `URL=$(n4n-mock wait ...)`.
    eprintln!("n4n-mock is ready at {}: {}", ready.base_url, ready.health);
    println!("{}", ready.base_url);
    Ok(ExitCode::SUCCESS)
}

/// `n4n-mock generate`: a valid scenario of N clicks, to `--out` or stdout.
fn generate(args: &GenerateArgs) -> Result<ExitCode, CliError> {
    let json_file = args.out.file.as_deref().is_some_and(is_json);
    let format = match args.format {
        Some(ScenarioFormat::Json) => Format::Json,
        Some(ScenarioFormat::Yaml) => Format::Yaml,
        None if json_file => Format::Json,
        None => Format::Yaml,
    };
    let options = GenerateOptions {
        clicks: args.clicks,
        transactions_per_click: args.transactions_per_click,
        seed: args.seed,
        format,
    };
    out::write(&args.out, |mut out| {
        generate::write_scenario(&options, &mut out)
    })?;
    if let Some(path) = &args.out.file {
        eprintln!(
            "wrote {} clicks and {} transactions to {}",
            args.clicks,
            args.clicks.saturating_mul(args.transactions_per_click),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
