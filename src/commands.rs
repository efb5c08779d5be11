//! What each subcommand does, returning the process exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{Cli, Command, GenerateArgs, ScenariosArgs, ServeArgs, ValidateArgs, WaitArgs};
use crate::generate::{self, GenerateOptions};
use crate::scenario::catalog::{self, Catalog, CatalogError, CatalogSource};
use crate::scenario::{LoadError, Scenario};
use crate::server::limits::Limits;
use crate::server::state::{Active, StartError};
use crate::server::{self, MockOptions, MockState, reload};
use crate::wait;

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
        Some(Command::Wait(args)) => wait(&args),
        Some(Command::Generate(args)) => generate(&args),
        Some(Command::Record(args)) => crate::contract::record(&args),
        Some(Command::Verify(args)) => crate::contract::verify(&args),
    };
    ExitCode::from(code)
}

/// Whether `--scenario` names a file rather than a scenario of the folder.
fn names_a_file(value: &str) -> bool {
    let path = Path::new(value);
    path.components().count() > 1 || catalog::is_yaml(path)
}

/// Loads every scenario `serve` knows (the folder's, a file named by
/// `--scenario`, the built-in `default`) and picks the active one, or the
/// exit code and message.
fn load_state(args: &ServeArgs) -> Result<MockState, (u8, String)> {
    let source = CatalogSource {
        dir: args.folder.resolve(),
        ..CatalogSource::default()
    };
    let active = if names_a_file(&args.scenario) {
        Active::File(PathBuf::from(&args.scenario))
    } else {
        Active::Named(args.scenario.clone())
    };
    let options = MockOptions {
        admin: !args.no_admin,
        journal_size: args.journal_size,
        journal_bytes: args.journal_bytes,
        limits: Limits {
            header_read_timeout: args.header_read_timeout,
            max_header_bytes: args.max_header_bytes as usize,
            idle_timeout: args.idle_timeout,
            max_connections: args.max_connections as usize,
        },
    };
    MockState::load(source, active, options).map_err(|err| match err {
        StartError::Load(err) => catalog_failure(err),
        unknown @ StartError::UnknownScenario(_) => (EXIT_USAGE, format!("error: {unknown}")),
    })
}

fn catalog_failure(err: CatalogError) -> (u8, String) {
    match err {
        CatalogError::Invalid(err) => (EXIT_USAGE, problems_message(&err)),
        other => (EXIT_USAGE, format!("error: {other}")),
    }
}

fn problems_message(err: &LoadError) -> String {
    format!(
        "{err}\nerror: the scenarios do not load ({} problem{})",
        err.problems.len(),
        if err.problems.len() == 1 { "" } else { "s" }
    )
}

fn serve(args: ServeArgs) -> u8 {
    let state = match load_state(&args) {
        Ok(state) => Arc::new(state),
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
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!("error: cannot listen on {address}: {err}");
                return EXIT_FAILURE;
            }
        };
        // Every signal handler is in place before the listening line, so a
        // signal sent the moment a script reads it is never lost.
        let shutdown = match shutdown_signal() {
            Ok(shutdown) => shutdown,
            Err(err) => {
                eprintln!("error: cannot install the signal handlers: {err}");
                return EXIT_FAILURE;
            }
        };
        if let Err(err) = reload::on_hangup(Arc::clone(&state)) {
            eprintln!("error: cannot install the SIGHUP handler: {err}");
            return EXIT_FAILURE;
        }
        if args.watch
            && let Err(err) = reload::watch(Arc::clone(&state))
        {
            eprintln!("error: cannot watch the scenario files: {err}");
            return EXIT_FAILURE;
        }
        let bound = listener.local_addr().unwrap_or(address);
        if !bound.ip().is_loopback() {
            tracing::warn!(address = %bound, "listening beyond this machine: anyone who can reach it can query the mock");
        }
        let active = state.snapshot().active.name().to_string();
        // The line scripts wait for: the port really bound, then the scenario.
        let mut stdout = std::io::stdout();
        let printed = writeln!(stdout, "n4n-mock listening on http://{bound} scenario={active}")
            .and_then(|()| stdout.flush());
        if let Err(err) = printed {
            tracing::warn!(error = %err, "could not print the listening line");
        }
        tracing::info!(address = %bound, scenario = active, "listening");
        server::run(listener, state, shutdown).await;
        EXIT_OK
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| {
            eprintln!("error: cannot start the runtime: {err}");
            EXIT_FAILURE
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
    let catalog = match Catalog::load(args.folder.resolve().as_deref()).map_err(catalog_failure) {
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

fn wait(args: &WaitArgs) -> u8 {
    let url = match wait::health_url(&args.url) {
        Ok(url) => url,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_USAGE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return EXIT_FAILURE;
        }
    };
    match runtime.block_on(wait::wait_for(url.clone(), args.timeout)) {
        Ok(health) => {
            println!("n4n-mock is ready at {url}: {health}");
            EXIT_OK
        }
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_FAILURE
        }
    }
}

fn generate(args: &GenerateArgs) -> u8 {
    let options = GenerateOptions {
        clicks: args.clicks,
        transactions_per_click: args.transactions_per_click,
        seed: args.seed,
    };
    let written = match &args.out {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            generate::write_scenario(&options, &mut out)?;
            out.flush()
        }),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            generate::write_scenario(&options, &mut out).and_then(|()| out.flush())
        }
    };
    match written {
        Ok(()) => {
            if let Some(path) = &args.out {
                eprintln!(
                    "wrote {} clicks and {} transactions to {}",
                    args.clicks,
                    args.clicks.saturating_mul(args.transactions_per_click),
                    path.display()
                );
            }
            EXIT_OK
        }
        Err(err) => {
            let target = args
                .out
                .as_ref()
                .map_or("standard output".to_string(), |p| p.display().to_string());
            eprintln!("error: cannot write {target}: {err}");
            EXIT_FAILURE
        }
    }
}
