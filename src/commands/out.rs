//! `--out` files of `record` and `generate`: an existing one is refused
//! unless `--force`, and every one is written whole or not at all, even when
//! SIGINT or SIGTERM arrives midway.

use std::io::Write;
use std::path::Path;

use super::error::CliError;
use crate::cli::OutArgs;
use crate::interrupt::WriteSignals;
use crate::write_file::{self, WriteOptions};

/// Refuses an `--out` that exists when `--force` is absent, naming the file
/// and `--force`. Commands check it before any other work, so a refusal
/// costs nothing.
pub fn refuse_existing(path: &Path, force: bool) -> Result<(), CliError> {
    // Anything at the path counts, a dangling symbolic link too: the rename
    // would refuse it as well.
    if !force && path.symlink_metadata().is_ok() {
        return Err(exists(path));
    }
    Ok(())
}

fn exists(path: &Path) -> CliError {
    CliError::Usage(format!(
        "{} exists; pass --force to replace it",
        path.display()
    ))
}

/// Writes an `--out` file whole or not at all (see [`crate::write_file`]):
/// an existing one is refused unless `force`, even one that appears while
/// writing; SIGINT or SIGTERM during the write stop it, leaving the old file
/// (or none) and no temporary file.
pub fn write_file(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    refuse_existing(path, force)?;
    let signals = WriteSignals::installed()
        .map_err(|err| CliError::Failure(format!("cannot install the signal handlers: {err}")))?;
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
        return Err(CliError::Interrupted {
            code: caught.exit_code(),
            message: format!(
                "stopped by {} before {} was whole: it is as it was before the run",
                caught.name(),
                path.display()
            ),
        });
    }
    if err.kind() == std::io::ErrorKind::AlreadyExists && !force {
        return Err(exists(path));
    }
    Err(CliError::Failure(format!(
        "cannot write {}: {err}",
        path.display()
    )))
}

/// Writes what `fill` writes to `--out` (whole or not at all) or, without
/// one, to standard output.
pub fn write(
    out: &OutArgs,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match &out.file {
        Some(path) => write_file(path, out.force, fill),
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            fill(&mut stdout)
                .and_then(|()| stdout.flush())
                .map_err(|err| CliError::Failure(format!("cannot write standard output: {err}")))
        }
    }
}
