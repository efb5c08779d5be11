//! Postbacks: the network calling the affiliate's server when a sale
//! happens, rebills, or is voided, charged back or reversed
//! (`shared/POSTBACKS.md`).
//!
//! - [`target`]: a target as a scenario defines it, its URL template and
//!   the variables it may name.
//! - [`outbox`]: a scenario's targets in force, the numbering, the queues
//!   and the log; reset, replaced, read in pages, waited on.
//! - [`record`]: one postback as the log keeps it, and its attempts.
//! - `shared`: the state the outbox and its delivery tasks share, behind
//!   one lock.
//! - `deliver`: one task per target sending its postbacks in `seq` order,
//!   with timeouts, retries and faults.
//!
//! This layer knows nothing of scenarios: the scenario reads the targets
//! and says what each event was ([`outbox::EventFacts`]).

mod deliver;
pub mod outbox;
pub mod record;
mod shared;
pub mod target;

pub use outbox::{EventFacts, Outbox};
pub use record::{Attempt, PostbackRecord, PostbackState};
pub use target::{Event, Target};
