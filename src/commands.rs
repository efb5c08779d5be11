//! What each subcommand does, returning the process exit code.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{Cli, Command, GenerateArgs, ScenariosArgs, ServeArgs, ValidateArgs, WaitArgs};
use crate::generate::{self, GenerateOptions};
use crate::interrupt::WriteSignals;
use crate::scenario::catalog::{self, Catalog, CatalogError, CatalogSource};
use crate::scenario::{LoadError, Scenario};
use crate::server::limits::Limits;
use crate::server::state::{Active, StartError};
use crate::server::{self, MockOptions, MockState, reload};
use crate::wait;
use crate::write_file::{self, WriteOptions};

/// Clean stop, or every scenario valid.
pub const EXIT_OK: u8 = 0;
/// `validate` found problems, the server failed at run time (port in use),
/// or a file could not be written.
pub const EXIT_FAILURE: u8 = 1;
/// Bad usage, an unknown scenario, a scenario that does not load, or an
/// `--out` file that exists without `--force`.
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
        // Written before the listening line, so a script that has read the
        // line finds the file.
        let url_file = match &args.url_file {
            Some(path) => match UrlFile::write(path, bound) {
                Ok(file) => Some(file),
                Err(err) => {
                    eprintln!("error: cannot write the URL file {}: {err}", path.display());
                    return EXIT_FAILURE;
                }
            },
            None => None,
        };
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
        if let Some(file) = url_file {
            file.remove();
        }
        EXIT_OK
    })
}

/// The file `serve --url-file` writes: the base URL really bound, one line.
struct UrlFile {
    path: PathBuf,
    line: String,
}

impl UrlFile {
    /// Writes the base URL of `bound` to `path`, whole or not at all.
    fn write(path: &Path, bound: SocketAddr) -> std::io::Result<UrlFile> {
        let line = format!("{}\n", base_url(bound));
        write_file::write_text_atomically(path, &line)?;
        Ok(UrlFile {
            path: path.to_path_buf(),
            line,
        })
    }

    /// Removes the file on a clean stop, unless another mock has written
    /// its own URL there meanwhile.
    fn remove(self) {
        let ours = std::fs::read_to_string(&self.path).is_ok_and(|text| text == self.line);
        if ours && let Err(err) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %err, "could not remove the URL file");
        }
    }
}

/// The URL a client on this machine reaches `bound` at: an unspecified
/// address (0.0.0.0, ::) is reached through loopback.
fn base_url(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
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
    let target = match &args.url_file {
        Some(path) => wait::Target::UrlFile(path.clone()),
        None => match wait::health_url(&args.base_url()) {
            Ok(url) => wait::Target::Url(url),
            Err(err) => {
                eprintln!("error: {err}");
                return EXIT_USAGE;
            }
        },
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
    match runtime.block_on(wait::wait_for(&target, args.timeout)) {
        Ok(ready) => {
            // stdout is the URL alone, for `URL=$(n4n-mock wait ...)`.
            eprintln!("n4n-mock is ready at {}: {}", ready.base_url, ready.health);
            println!("{}", ready.base_url);
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
    let Some(path) = &args.out.file else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return match generate::write_scenario(&options, &mut out).and_then(|()| out.flush()) {
            Ok(()) => EXIT_OK,
            Err(err) => {
                eprintln!("error: cannot write standard output: {err}");
                EXIT_FAILURE
            }
        };
    };
    let written = write_out_file(path, args.out.force, |mut out| {
        generate::write_scenario(&options, &mut out)
    });
    match written {
        Ok(()) => {
            eprintln!(
                "wrote {} clicks and {} transactions to {}",
                args.clicks,
                args.clicks.saturating_mul(args.transactions_per_click),
                path.display()
            );
            EXIT_OK
        }
        Err((code, message)) => {
            eprintln!("{message}");
            code
        }
    }
}

/// Refuses an `--out` that exists when `--force` is absent, with exit 2 and
/// a message naming the file and `--force`. Commands check it before any
/// other work, so a refusal costs nothing.
pub fn refuse_existing_out(path: &Path, force: bool) -> Result<(), (u8, String)> {
    // Anything at the path counts, a dangling symbolic link too: the rename
    // would refuse it as well.
    if !force && path.symlink_metadata().is_ok() {
        return Err((EXIT_USAGE, exists_message(path)));
    }
    Ok(())
}

fn exists_message(path: &Path) -> String {
    format!(
        "error: {} exists; pass --force to replace it",
        path.display()
    )
}

/// Writes an `--out` file whole or not at all (see [`crate::write_file`]):
/// an existing one is refused unless `force`, even one that appears while
/// writing; SIGINT or SIGTERM during the write stop it, leaving the old file
/// (or none) and no temporary file. Else the exit code and message: 2 the
/// file exists, 1 it cannot be written, 128 + the signal's number when
/// stopped (130 SIGINT, 143 SIGTERM).
pub fn write_out_file(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), (u8, String)> {
    refuse_existing_out(path, force)?;
    let signals = WriteSignals::installed().map_err(|err| {
        (
            EXIT_FAILURE,
            format!("error: cannot install the signal handlers: {err}"),
        )
    })?;
    let written = signals.during(|stop| {
        let options = WriteOptions {
            replace: force,
            stop: Some(stop),
        };
        write_file::write_atomically_with(path, options, fill)
    });
    let Err(err) = written else {
        return Ok(());
    };
    if let Some(caught) = signals.caught() {
        return Err((
            caught.exit_code(),
            format!(
                "error: stopped by {} before {} was whole: it is as it was before the run",
                caught.name(),
                path.display()
            ),
        ));
    }
    if err.kind() == std::io::ErrorKind::AlreadyExists && !force {
        return Err((EXIT_USAGE, exists_message(path)));
    }
    Err((
        EXIT_FAILURE,
        format!("error: cannot write {}: {err}", path.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_of_an_unspecified_address_is_loopback() {
        let v4: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        let v6: SocketAddr = "[::]:8080".parse().expect("addr");
        let given: SocketAddr = "127.0.0.2:9".parse().expect("addr");
        assert_eq!(base_url(v4), "http://127.0.0.1:8080");
        assert_eq!(base_url(v6), "http://[::1]:8080");
        assert_eq!(base_url(given), "http://127.0.0.2:9");
    }
}
