//! Typed open enums for the string enums of GEN's responses.
//!
//! gen-api decodes response enums into plain string newtypes so a value GEN
//! adds later never breaks decoding. These enums give the known values names
//! and keep unknown ones in `Other(String)`:
//!
//! ```
//! use gen_sdk::status::GenerationStatus;
//!
//! let status = GenerationStatus::from("completed");
//! assert!(status.is_terminal());
//! assert_eq!(GenerationStatus::from("queued_v2"), GenerationStatus::Other("queued_v2".into()));
//! ```

use crate::open_enum::open_enum;

open_enum! {
    /// Status of a generation (`GET /v1/generations/{id}`).
    pub enum GenerationStatus {
        /// Queued, waiting to be picked up.
        Pending => "pending",
        /// The model is generating.
        Processing => "processing",
        /// Done: see `result` / `output_resources`.
        Completed => "completed",
        /// Failed: see `failed_reason`; credits refunded.
        Failed => "failed",
        /// Cancelled with stop; credits refunded.
        Stopped => "stopped",
    }
}

impl GenerationStatus {
    /// True for `completed`, `failed` and `stopped`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Stopped)
    }
}

open_enum! {
    /// Status of an agent run (ideas, research, chat).
    pub enum AgentRunStatus {
        /// Still running.
        Running => "running",
        /// Done.
        Completed => "completed",
        /// Failed.
        Failed => "failed",
        /// Waiting for `POST /v1/agent/runs/{run_id}/approve`.
        PendingApproval => "pending_approval",
        /// Cancelled.
        Cancelled => "cancelled",
    }
}

impl AgentRunStatus {
    /// True for `completed`, `failed` and `cancelled`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

open_enum! {
    /// Status of a user job (publish, monitoring, voice preview).
    pub enum UserJobStatus {
        /// Queued.
        Pending => "pending",
        /// Running.
        Processing => "processing",
        /// Done.
        Completed => "completed",
        /// Failed.
        Failed => "failed",
    }
}

impl UserJobStatus {
    /// True for `completed` and `failed`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

open_enum! {
    /// Status of an idea.
    pub enum IdeaStatus {
        /// Proposed by the Ideas Engine.
        Generated => "generated",
        /// Approved for production.
        ApproveToCreate => "approve_to_create",
        /// Produced, waiting for review.
        ReadyForReview => "ready_for_review",
        /// Approved for posting.
        ApprovedToPost => "approved_to_post",
        /// Posted.
        Posted => "posted",
        /// The idea needs changes.
        ChangeIdea => "change_idea",
        /// The video needs changes.
        ChangeVideo => "change_video",
        /// Rejected.
        Rejected => "rejected",
    }
}

open_enum! {
    /// Video type of an idea or template.
    pub enum VideoType {
        /// Talking avatar (id 1).
        TalkingAvatar => "talking_avatar",
        /// Green screen (id 2).
        GreenScreen => "green_screen",
        /// Montage (id 3).
        Montage => "montage",
        /// Text-driven (id 4).
        TextDriven => "text_driven",
        /// POV object (id 5).
        PovObject => "pov_object",
        /// Narrated / voice-over (id 6).
        NarratedVo => "narrated_vo",
        /// Split screen (id 8).
        SplitScreen => "split_screen",
        /// Skit (id 9).
        Skit => "skit",
        /// Any (id 0).
        Any => "any",
    }
}

open_enum! {
    /// The creation card type of a generation or cell.
    pub enum GenerationType {
        /// Text.
        Text => "text",
        /// Uploaded media.
        Media => "media",
        /// Image from text.
        ImageFromText => "image_from_text",
        /// Video from text.
        VideoFromText => "video_from_text",
        /// Video from image.
        VideoFromImage => "video_from_image",
        /// Video from ingredients.
        VideoFromIngredients => "video_from_ingredients",
        /// Speech from text.
        SpeechFromText => "speech_from_text",
        /// Lipsync.
        Lipsync => "lipsync",
        /// Captions.
        Captions => "captions",
    }
}

open_enum! {
    /// Role of a vidsheet column; only `ingredient` columns are editable.
    pub enum ColumnRole {
        /// User-editable.
        Ingredient => "ingredient",
        /// Video (system).
        Video => "video",
        /// Final video (system; render target).
        FinalVideo => "final_video",
        /// Stats (system).
        Stats => "stats",
        /// Global variable name (system).
        GlobalVariableName => "global_variable_name",
        /// Global variable value (system).
        GlobalVariableValue => "global_variable_value",
    }
}

open_enum! {
    /// Content type of a vidsheet column.
    pub enum ColumnType {
        /// Text.
        Text => "text",
        /// Image.
        Image => "image",
        /// Video.
        Video => "video",
        /// Audio.
        Audio => "audio",
    }
}

open_enum! {
    /// Kind of a monitored inspiration source.
    pub enum MonitoredItemType {
        /// A creator account.
        Account => "account",
        /// A hashtag.
        Hashtag => "hashtag",
        /// A keyword.
        Keyword => "keyword",
    }
}

/// The open enums of this module by the gen-api schema name they type, with
/// their known values (checked against `gen_api::set_aside::OPENED_ENUMS`
/// in the tests).
pub const TYPED_ENUMS: &[(&str, &[&str])] = &[
    ("AgentRunStatus", AgentRunStatus::KNOWN),
    ("ColumnRole", ColumnRole::KNOWN),
    ("ColumnType", ColumnType::KNOWN),
    ("ErrorCode", crate::error::ErrorCode::KNOWN),
    ("GenerationStatus", GenerationStatus::KNOWN),
    ("GenerationType", GenerationType::KNOWN),
    ("IdeaStatus", IdeaStatus::KNOWN),
    ("MonitoredItemType", MonitoredItemType::KNOWN),
    ("UserJobStatus", UserJobStatus::KNOWN),
    ("VideoType", VideoType::KNOWN),
];
