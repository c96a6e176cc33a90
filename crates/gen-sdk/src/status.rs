//! Typed open enums for the string enums of GEN's responses.
//!
//! These enums, generated from openapi.yaml's `x-extensible-enum` lists
//! into [`genpro_api::open_enums`] and used by genpro-api's response types, give
//! the known values names and keep unknown ones in `Other(String)`, so a
//! value GEN adds later never breaks decoding; the statuses know which
//! values end a job (`x-terminal-values`):
//!
//! ```
//! use genpro_sdk::status::GenerationStatus;
//!
//! let status = GenerationStatus::from("completed");
//! assert!(status.is_terminal());
//! assert_eq!(GenerationStatus::from("queued_v2"), GenerationStatus::Other("queued_v2".into()));
//! ```

pub use genpro_api::open_enums::{
    AgentRunStatus, ColumnRole, ColumnType, GenerationStatus, GenerationType, IdeaStatus,
    MonitoredItemType, UserJobStatus, VideoType,
};

/// Every open enum by the openapi.yaml schema name it types, with its known
/// values (genpro-api's [`genpro_api::open_enums::OPEN_ENUMS`]).
pub const TYPED_ENUMS: &[(&str, &[&str])] = genpro_api::open_enums::OPEN_ENUMS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_know_their_terminal_values() {
        assert!(GenerationStatus::Stopped.is_terminal());
        assert!(!GenerationStatus::Processing.is_terminal());
        assert!(!GenerationStatus::from("queued_v2").is_terminal());
        assert!(AgentRunStatus::from("cancelled").is_terminal());
        assert!(!AgentRunStatus::PendingApproval.is_terminal());
        assert!(UserJobStatus::Failed.is_terminal());
        assert!(!UserJobStatus::Pending.is_terminal());
    }
}
