//! The flags of `record` and `verify`, each with an environment variable;
//! the api-key's value is never shown (not in `--help`, not in `Debug`).

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::shared::{OutArgs, ScenariosFolder};
use crate::contract::upstream::ApiKey;
use crate::params::Lookup;
use crate::scenario::LookupKey;

/// The server to talk to and the credentials to do it.
#[derive(Debug, Clone, Args)]
pub struct UpstreamArgs {
    /// Base URL of the NATS for Networks server, e.g. `https://nats.example.com`
    /// (`/api/transaction/click_detail` is added).
    #[arg(long, env = "N4N_UPSTREAM_URL", value_name = "URL")]
    pub upstream: String,

    /// The `api-username` to send.
    #[arg(long, env = "N4N_UPSTREAM_USERNAME", value_name = "USERNAME")]
    pub api_username: String,

    /// The `api-key` to send. Prefer the environment variable: a flag shows
    /// in the process list. Never printed, never written.
    #[arg(
        long,
        env = "N4N_UPSTREAM_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        value_parser = parse_api_key
    )]
    pub api_key: ApiKey,

    /// How long one lookup may take, e.g. `30s`.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
}

fn parse_api_key(value: &str) -> Result<ApiKey, String> {
    if value.is_empty() {
        Err("the api-key is empty".into())
    } else {
        Ok(ApiKey::new(value))
    }
}

/// The lookups to make; each flag may repeat.
#[derive(Debug, Clone, Args)]
pub struct LookupArgs {
    /// A click's `click_hash` or a transaction's `transaction_hash`.
    #[arg(long = "transaction-hash", value_name = "HASH")]
    pub transaction_hash: Vec<String>,

    /// A transaction's `subscription_id`.
    #[arg(long = "subscription-id", value_name = "ID")]
    pub subscription_id: Vec<String>,

    /// A transaction's `orderid`.
    #[arg(long, value_name = "ID")]
    pub orderid: Vec<String>,
}

impl LookupArgs {
    /// The lookups, `transaction_hash` ones first; empty values are dropped.
    pub fn lookups(&self) -> Vec<Lookup> {
        let flags = [
            (LookupKey::TransactionHash, &self.transaction_hash),
            (LookupKey::SubscriptionId, &self.subscription_id),
            (LookupKey::OrderId, &self.orderid),
        ];
        let mut lookups: Vec<Lookup> = Vec::new();
        for (key, values) in flags {
            for value in values.iter().filter(|v| !v.is_empty()) {
                let lookup = Lookup {
                    key,
                    value: value.clone(),
                };
                if !lookups.contains(&lookup) {
                    lookups.push(lookup);
                }
            }
        }
        lookups
    }
}

/// Options of `record`.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub upstream: UpstreamArgs,

    #[command(flatten)]
    pub lookups: LookupArgs,

    #[command(flatten)]
    pub out: OutArgs,
}

/// How `verify` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for a person.
    Text,
    /// One JSON object, for CI.
    Json,
}

/// Options of `verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub upstream: UpstreamArgs,

    #[command(flatten)]
    pub lookups: LookupArgs,

    /// Also look up every click of this scenario (a name of the scenarios
    /// folder, or a YAML or JSON file) by its `click_hash`.
    #[arg(long, value_name = "NAME|FILE")]
    pub scenario: Option<String>,

    #[command(flatten)]
    pub folder: ScenariosFolder,

    /// The report's format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Also check the transaction lifecycle's answers that change nothing:
    /// a void without an identifier, an order check without `orderid`, a
    /// payout preview without `transaction_hash`, a void sent with GET.
    #[arg(long)]
    pub lifecycle: bool,

    /// Also void the first `--transaction-hash` for real, then check that a
    /// second void is refused (implies `--lifecycle`). This changes the
    /// server's data: never use it against a server whose data matters.
    #[arg(long)]
    pub allow_writes: bool,
}
