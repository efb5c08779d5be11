//! Integration tests: real HTTP over loopback against servers bound to port 0,
//! and the built binary for the command line.

mod admin_token;
mod binary;
mod bodies;
mod bundled;
mod call_counts;
mod contract;
mod conversions;
mod determinism;
mod error_table;
mod faults;
mod generate;
mod ignored;
mod image;
mod journal;
mod json_files;
mod layout;
mod lifecycle;
mod limits;
mod load;
mod loader;
mod metrics;
mod postbacks;
mod props;
mod readme_postbacks;
mod readme_suites;
mod sidecar;
mod ui;
mod util;
mod workflow;
