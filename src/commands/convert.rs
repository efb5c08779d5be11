//! `n4n-mock convert`: a YAML scenario or fixture written as JSON, which
//! loads several times faster, to `--out` (whole or not at all) or to
//! standard output. A file that does not load is refused with its problems
//! and nothing is written.

use std::path::Path;
use std::process::ExitCode;

use super::error::CliError;
use super::out;
use crate::cli::ConvertArgs;
use crate::scenario::convert::{self, Converted};
use crate::scenario::load::Role;
use crate::scenario::source::{Disk, is_json};

/// `n4n-mock convert FILE [--out FILE.json [--force]]`.
pub fn convert(args: &ConvertArgs) -> Result<ExitCode, CliError> {
    let file = &args.input;
    if is_json(file) {
        return Err(CliError::Usage(format!(
            "{} is JSON already: convert reads a YAML scenario or fixture and writes it as JSON",
            file.display()
        )));
    }
    if let Some(path) = &args.out.file {
        if same_file(file, path) {
            return Err(CliError::Usage(format!(
                "--out names {} itself: write the JSON beside it, as {}",
                file.display(),
                file.with_extension("json").display()
            )));
        }
        out::refuse_existing(path, args.out.force)?;
    }
    let converted = convert::convert(&Disk, file).map_err(|error| CliError::NotConverted {
        path: file.clone(),
        error,
    })?;
    out::write(&args.out, |out| converted.write(out))?;
    if let Some(path) = &args.out.file {
        eprintln!("{}", wrote(file, path, &converted));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `a` and `b` are one file (both exist, and lead to the same place).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// What was written: `wrote big.json: scenario big.yaml as JSON (2 clicks,
/// 1 transaction)`, and the files it still includes.
fn wrote(file: &Path, path: &Path, converted: &Converted) -> String {
    let count = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
    let role = match converted.role {
        Role::Scenario => "scenario",
        Role::Fixture => "fixture",
    };
    let mut line = format!(
        "wrote {}: {role} {} as JSON ({}, {})",
        path.display(),
        file.display(),
        count(converted.clicks(), "click"),
        count(converted.transactions(), "transaction")
    );
    if !converted.includes.is_empty() {
        line.push_str("; it still includes ");
        line.push_str(&converted.includes.join(", "));
    }
    line
}
