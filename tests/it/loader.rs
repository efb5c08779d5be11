//! Scenario loader tests.
