//! `n4n-mock serve`: load every scenario, listen, print the listening line
//! (and write the `--url-file`), serve until SIGINT or SIGTERM.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use super::error::CliError;
use super::shared::{Threads, catalog_failure, chosen_scenario, runtime, unknown_scenario};
use crate::cli::ServeArgs;
use crate::server::admin_token::AdminToken;
use crate::server::limits::Limits;
use crate::server::state::StartError;
use crate::server::{self, MockOptions, MockState, reload};
use crate::write_file;

/// Loads every scenario `serve` knows (the folder's, a file named by
/// `--scenario`, the bundled ones built in) and picks the active one.
fn load_state(args: &ServeArgs) -> Result<MockState, CliError> {
    let (source, active) = chosen_scenario(&args.scenario, args.folder.source());
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
        admin_token: admin_token(args)?,
    };
    let looked_in = source.clone();
    MockState::load(source, active, options).map_err(|err| match err {
        StartError::Load(err) => catalog_failure(err),
        StartError::UnknownScenario(unknown) => {
            unknown_scenario(&unknown.name, &unknown.available, &looked_in)
        }
    })
}

/// The admin token of `--admin-token`, or read from `--admin-token-file`.
fn admin_token(args: &ServeArgs) -> Result<Option<AdminToken>, CliError> {
    let Some(path) = &args.admin_token_file else {
        return Ok(args.admin_token.clone());
    };
    let text = std::fs::read_to_string(path).map_err(|err| {
        CliError::Usage(format!(
            "cannot read the admin token file {}: {err}",
            path.display()
        ))
    })?;
    AdminToken::from_file_text(&text)
        .map(Some)
        .map_err(|err| CliError::Usage(format!("{err} (in {})", path.display())))
}

/// Serves until SIGINT or SIGTERM, then lets requests in flight finish.
pub fn serve(args: &ServeArgs) -> Result<ExitCode, CliError> {
    let state = Arc::new(load_state(args)?);
    let address = SocketAddr::new(args.bind, args.port);
    let cannot_listen =
        |err: std::io::Error| CliError::Failure(format!("cannot listen on {address}: {err}"));
    let listener = std::net::TcpListener::bind(address)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(cannot_listen)?;
    runtime(Threads::Many)?.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(cannot_listen)?;
        // Every signal handler is in place before the listening line, so a
        // signal sent the moment a script reads it is never lost.
        let shutdown = shutdown_signal().map_err(|err| {
            CliError::Failure(format!("cannot install the signal handlers: {err}"))
        })?;
        reload::on_hangup(Arc::clone(&state)).map_err(|err| {
            CliError::Failure(format!("cannot install the SIGHUP handler: {err}"))
        })?;
        if args.watch {
            reload::watch(Arc::clone(&state)).map_err(|err| {
                CliError::Failure(format!("cannot watch the scenario files: {err}"))
            })?;
        }
        let bound = listener.local_addr().unwrap_or(address);
        if !bound.ip().is_loopback() && state.admin_token().is_none() {
            tracing::warn!(address = %bound, "listening beyond this machine without an admin token: anyone who can reach it can query the mock, and through its admin API (switch, reset, reload, the journal, postback targets) make it send postbacks to any address; set --admin-token-file or N4N_MOCK_ADMIN_TOKEN, or --no-admin");
        }
        // Written before the listening line, so a script that has read the
        // line finds the file.
        let url_file = match &args.url_file {
            Some(path) => Some(UrlFile::write(path, bound).map_err(|err| {
                CliError::Failure(format!(
                    "cannot write the URL file {}: {err}",
                    path.display()
                ))
            })?),
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
        Ok(ExitCode::SUCCESS)
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
