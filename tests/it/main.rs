//! Integration tests: real HTTP over loopback against servers bound to port 0,
//! and the built binary for the command line.

mod admin_token;
mod binary;
mod bodies;
mod bundled;
mod call_counts;
mod cli_errors;
mod contract;
mod conversions;
mod convert;
mod credentials;
mod determinism;
mod doc_links;
mod error_table;
mod faults;
mod generate;
mod guide_postbacks;
mod guide_suites;
mod ignored;
mod image;
mod journal;
mod json_files;
mod layout;
mod lifecycle;
mod limits;
mod load;
mod load_progress;
mod loader;
mod metrics;
mod postbacks;
mod props;
mod sidecar;
mod ui;
mod util;
mod workflow;
