//! What each subcommand does, returning the process exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{Cli, Command, ScenariosArgs, ServeArgs, ValidateArgs};
use crate::scenario::catalog::{self, Catalog, CatalogError};
use crate::scenario::{LoadError, Scenario};
use crate::server;

/// Clean stop, or every scenario valid.
pub const EXIT_OK: u8 = 0;
/// `validate` found problems, or the server failed at run time (port in use).
pub const EXIT_FAILURE: u8 = 1;
/// Bad usage, an unknown scenario, or a scenario that does not load.
pub const EXIT_USAGE: u8 = 2;

/// Runs the command line.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Scenarios(args)) => scenarios(&args),
        Some(Command::Validate(args)) => validate(&args),
    };
    ExitCode::from(code)
}

/// Whether `--scenario` names a file rather than a scenario of the folder.
fn names_a_file(value: &str) -> bool {
    let path = Path::new(value);
    path.components().count() > 1 || catalog::is_yaml(path)
}

/// The scenario `serve` should answer from, or the exit code and message.
fn choose_scenario(args: &ServeArgs) -> Result<Arc<Scenario>, (u8, String)> {
    if names_a_file(&args.scenario) {
        return Scenario::from_file(Path::new(&args.scenario))
            .map(Arc::new)
            .map_err(|err| (EXIT_USAGE, problems_message(&err)));
    }
    let folder = args.folder.resolve();
    let catalog = load_catalog(folder.as_deref())?;
    catalog.get(&args.scenario).ok_or_else(|| {
        let message = format!(
            "error: unknown scenario `{}`; available scenarios: {}",
            args.scenario,
            catalog.names().join(", ")
        );
        (EXIT_USAGE, message)
    })
}

fn load_catalog(folder: Option<&Path>) -> Result<Catalog, (u8, String)> {
    Catalog::load(folder).map_err(|err| match err {
        CatalogError::Invalid(err) => (EXIT_USAGE, problems_message(&err)),
        other => (EXIT_USAGE, format!("error: {other}")),
    })
}

fn problems_message(err: &LoadError) -> String {
    format!(
        "{err}\nerror: the scenario does not load ({} problem{})",
        err.problems.len(),
        if err.problems.len() == 1 { "" } else { "s" }
    )
}

fn serve(args: ServeArgs) -> u8 {
    let scenario = match choose_scenario(&args) {
        Ok(scenario) => scenario,
        Err((code, message)) => {
            eprintln!("{message}");
            return code;
        }
    };
    let address = SocketAddr::new(args.bind, args.port);
    let listener = match std::net::TcpListener::bind(address)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
    {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {address}: {err}");
            return EXIT_FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return EXIT_FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!("error: cannot listen on {address}: {err}");
                return EXIT_FAILURE;
            }
        };
        let shutdown = match shutdown_signal() {
            Ok(shutdown) => shutdown,
            Err(err) => {
                eprintln!("error: cannot install the signal handlers: {err}");
                return EXIT_FAILURE;
            }
        };
        let bound = listener.local_addr().unwrap_or(address);
        if !bound.ip().is_loopback() {
            tracing::warn!(address = %bound, "listening beyond this machine: anyone who can reach it can query the mock");
        }
        // The line scripts wait for: the port really bound, then the scenario.
        let mut stdout = std::io::stdout();
        let printed = writeln!(stdout, "n4n-mock listening on http://{bound} scenario={}", scenario.name())
            .and_then(|()| stdout.flush());
        if let Err(err) = printed {
            tracing::warn!(error = %err, "could not print the listening line");
        }
        tracing::info!(address = %bound, scenario = scenario.name(), "listening");
        server::run(listener, scenario, shutdown).await;
        EXIT_OK
    })
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are
/// installed before it returns, so a signal sent right after the listening
/// line is never lost to the default action.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT: stopping"),
            _ = terminate.recv() => tracing::info!("SIGTERM: stopping"),
        }
    })
}

/// A future that resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("Ctrl-C: stopping");
    })
}

fn scenarios(args: &ScenariosArgs) -> u8 {
    let catalog = match load_catalog(args.folder.resolve().as_deref()) {
        Ok(catalog) => catalog,
        Err((code, message)) => {
            eprintln!("{message}");
            return code;
        }
    };
    let width = catalog
        .names()
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:width$}  {:>6}  {:>12}  DESCRIPTION",
        "NAME", "CLICKS", "TRANSACTIONS"
    );
    for scenario in catalog.scenarios() {
        println!(
            "{:width$}  {:>6}  {:>12}  {}",
            scenario.name(),
            scenario.clicks().clicks(),
            scenario.clicks().transactions(),
            scenario.description()
        );
    }
    EXIT_OK
}

fn validate(args: &ValidateArgs) -> u8 {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut builtin = false;
    let mut targets = args.paths.clone();
    if targets.is_empty() {
        match args.folder.resolve() {
            Some(folder) => targets.push(folder),
            None => builtin = true,
        }
    }
    for target in targets {
        if target.is_dir() {
            match catalog::scenario_files(&target) {
                Ok(found) => files.extend(found),
                Err(err) => {
                    eprintln!("error: {err}");
                    return EXIT_USAGE;
                }
            }
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
    if builtin {
        report(Scenario::builtin_default(), "built-in default");
    }
    for file in &files {
        report(Scenario::from_file(file), &file.display().to_string());
    }
    let total = files.len() + usize::from(builtin);
    if failed == 0 {
        println!(
            "{total} scenario{} valid",
            if total == 1 { "" } else { "s" }
        );
        EXIT_OK
    } else {
        eprintln!("error: {failed} of {total} scenario files have problems");
        EXIT_FAILURE
    }
}
