//! `n4n-mock record` and `n4n-mock verify`: lookups against a live server,
//! written into a scenario or checked against the contract.
//!
//! Every line printed, errors included, is scrubbed of the api-key, in case
//! a server echoes it back.

use crate::scenario::catalog::CatalogSource;
use std::process::ExitCode;

use super::error::{CliError, EXIT_FAILURE, EXIT_OK};
use super::out;
use super::shared::{Threads, catalog_failure, chosen_scenario, runtime, unknown_scenario};
use crate::cli::{RecordArgs, ReportFormat, UpstreamArgs, VerifyArgs};
use crate::contract::lifecycle::{self, Probe};
use crate::contract::record::{self, Recorded};
use crate::contract::upstream::{self, ApiKey, Upstream};
use crate::contract::verify::{self, Checked, Report};
use crate::params::Lookup;
use crate::scenario::LookupKey;
use crate::server::state::Active;

/// Prints to stderr with the api-key scrubbed.
fn say(key: &ApiKey, text: &str) {
    eprintln!("{}", key.scrub(text));
}

/// Sends every lookup in order, stopping at the first that gets no answer.
fn look_up_all(
    upstream: &Upstream,
    key: &ApiKey,
    lookups: &[Lookup],
    mut each: impl FnMut(&Lookup, &upstream::Answer),
) -> Result<Vec<Recorded>, CliError> {
    runtime(Threads::One)?.block_on(async {
        let mut recorded = Vec::new();
        for lookup in lookups {
            let answer = upstream
                .lookup(lookup)
                .await
                .map_err(|err| CliError::Unreachable(key.scrub(&err.to_string())))?;
            each(lookup, &answer);
            recorded.push(Recorded {
                lookup: lookup.clone(),
                answer,
            });
        }
        Ok(recorded)
    })
}

/// Sends every lifecycle probe in order, stopping at the first that gets
/// no answer.
fn probe_all(
    upstream: &Upstream,
    key: &ApiKey,
    probes: &[Probe],
) -> Result<Vec<Checked>, CliError> {
    runtime(Threads::One)?.block_on(async {
        let mut checked = Vec::new();
        for probe in probes {
            let reply = upstream
                .call(probe.method.clone(), probe.path, &probe.form)
                .await
                .map_err(|err| CliError::Unreachable(key.scrub(&err.to_string())))?;
            checked.push(lifecycle::check(probe, &reply));
        }
        Ok(checked)
    })
}

/// The upstream the flags name.
fn connect(args: &UpstreamArgs) -> Result<Upstream, CliError> {
    Upstream::new(
        &args.upstream,
        &args.api_username,
        &args.api_key,
        args.timeout,
    )
    .map_err(|err| CliError::Usage(args.api_key.scrub(&err.to_string())))
}

/// `n4n-mock record`: looks each lookup up on the upstream and writes a
/// scenario of the answers. An `--out` that exists without `--force` is
/// refused before any lookup.
pub fn record(args: &RecordArgs) -> Result<ExitCode, CliError> {
    let key = &args.upstream.api_key;
    let lookups = args.lookups.lookups();
    if lookups.is_empty() {
        return Err(CliError::Usage(
            "nothing to record: pass --transaction-hash, --subscription-id or --orderid".into(),
        ));
    }
    if let Some(path) = &args.out.file {
        out::refuse_existing(path, args.out.force)?;
    }
    let upstream = connect(&args.upstream)?;
    let recorded = look_up_all(&upstream, key, &lookups, |lookup, answer| {
        say(
            key,
            &format!("{}: {}", record::label(lookup), answer.status),
        );
    })?;
    let recording = record::write_scenario(
        upstream.url().as_str(),
        &args.upstream.api_username,
        key,
        &recorded,
    );
    for warning in &recording.warnings {
        say(key, &format!("warning: {warning}"));
    }
    out::write(&args.out, |file| file.write_all(recording.yaml.as_bytes()))?;
    let target = args
        .out
        .file
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    let serve = args
        .out
        .file
        .as_ref()
        .map_or("FILE".to_string(), |p| p.display().to_string());
    say(
        key,
        &format!(
            "recorded {} click{} and {} error override{} into {target}\n\
             edit {target} line {}: `api_key: {}` is a placeholder, not your key; \
             until you change it the mock accepts api-username {} with that placeholder\n\
             serve it: n4n-mock --scenario {serve}",
            recording.clicks,
            if recording.clicks == 1 { "" } else { "s" },
            recording.overrides,
            if recording.overrides == 1 { "" } else { "s" },
            recording.placeholder_line,
            record::PLACEHOLDER_API_KEY,
            args.upstream.api_username,
        ),
    );
    if recording.clicks == 0 {
        say(
            key,
            "warning: no lookup found a click; the scenario holds only what the errors were",
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `n4n-mock verify`: looks each lookup up on the upstream and reports how
/// the answers differ from the contract: exit 0 no drift, 1 drift.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    let key = &args.upstream.api_key;
    let mut lookups = args.lookups.lookups();
    if let Some(scenario) = &args.scenario {
        for lookup in scenario_lookups(scenario, args.folder.source())? {
            if !lookups.contains(&lookup) {
                lookups.push(lookup);
            }
        }
    }
    let mut probes = Vec::new();
    if args.lifecycle || args.allow_writes {
        probes = lifecycle::read_only();
    }
    if args.allow_writes {
        let Some(hash) = args.lookups.transaction_hash.iter().find(|h| !h.is_empty()) else {
            return Err(CliError::Usage(
                "--allow-writes voids the first --transaction-hash: pass one".into(),
            ));
        };
        probes.extend(lifecycle::void_twice(hash));
    }
    if lookups.is_empty() && probes.is_empty() {
        return Err(CliError::Usage(
            "nothing to verify: pass --transaction-hash, --subscription-id, --orderid, \
             a --scenario with clicks, or --lifecycle"
                .into(),
        ));
    }
    let upstream = connect(&args.upstream)?;
    let url = upstream.url().to_string();
    // The lookups first, so that they see the data before any void.
    let sent = look_up_all(&upstream, key, &lookups, |_, _| {}).and_then(|recorded| {
        let probed = probe_all(&upstream, key, &probes)?;
        Ok((recorded, probed))
    });
    let (recorded, probed) = match sent {
        Ok(sent) => sent,
        Err(err) => {
            if args.format == ReportFormat::Json
                && let CliError::Unreachable(why) = &err
            {
                let failure = serde_json::json!({"upstream": url, "error": why, "drift": null});
                println!("{}", key.scrub(&failure.to_string()));
            }
            return Err(err);
        }
    };
    let checked = recorded
        .iter()
        .map(|r| verify::check(&r.lookup, &r.answer))
        .chain(probed)
        .collect();
    let report = Report::new(url, checked);
    let printed = match args.format {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Json => serde_json::to_string(&report).unwrap_or_default() + "\n",
    };
    print!("{}", key.scrub(&printed));
    Ok(ExitCode::from(if report.drift {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }))
}

/// Every click of a scenario as a `transaction_hash` lookup of its
/// `click_hash`. The scenario is found as `serve --scenario` finds it: a
/// name of the folder's catalog (a scenario's `name:` or its file stem, or
/// a bundled one built in), or a file.
fn scenario_lookups(value: &str, source: CatalogSource) -> Result<Vec<Lookup>, CliError> {
    let (mut source, active) = chosen_scenario(value, source);
    if let Active::File(path) = &active {
        source.files.push(path.clone());
    }
    let catalog = source.load().map_err(catalog_failure)?;
    let scenario = match &active {
        Active::File(path) => catalog.loaded_from(path),
        Active::Named(name) => catalog.get(name),
    }
    .ok_or_else(|| unknown_scenario(value, &catalog.names(), &source))?;
    Ok(scenario
        .clicks()
        .click_hashes()
        .map(|hash| Lookup {
            key: LookupKey::TransactionHash,
            value: hash.to_string(),
        })
        .collect())
}
