//! What a recording is made of: each lookup and the answer it got, and the
//! api-key written in place of the real one.

use crate::contract::upstream::Answer;
use crate::params::Lookup;

/// The api-key the recorded scenario holds instead of the real one.
pub const PLACEHOLDER_API_KEY: &str = "replace-with-the-api-key-your-tests-send";

/// One lookup and what the server answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The lookup sent.
    pub lookup: Lookup,
    /// The answer.
    pub answer: Answer,
}

/// `transaction_hash=abc`, for comments and warnings.
pub fn label(lookup: &Lookup) -> String {
    format!("{}={}", lookup.key.parameter(), lookup.value)
}
