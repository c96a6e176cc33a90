//! Agent Core updates: the one flat setup endpoint of an agent.
//!
//! [`AgentCorePatch`] sends only the fields that are set (unknown fields
//! return 422), checks the documented limits before sending
//! (`description` ≤ 500 characters, `personality` ≤ 20000), and
//! [`AgentCoreUpdate`] reports a `207 Multi-Status` answer's failed
//! sections.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use genpro_api::types::{
    AgentCore, AgentCoreSectionError, DefaultUserVoiceInput, LinkedAccountInput,
    MonitoredItemInput, ResearchTopicInput,
};

/// Maximum length of `description`, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 500;
/// Maximum length of `personality`, in characters.
pub const PERSONALITY_MAX_CHARS: usize = 20_000;

/// A partial Agent Core update (`PATCH /v1/agents/{agent_id}/core`): only
/// the fields set to `Some` are sent. An empty list is sent as `[]` (it
/// clears the section).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AgentCorePatch {
    /// Brand name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_name: Option<String>,
    /// 2-3 sentence summary, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `character`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_type: Option<String>,
    /// `growth`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// `tiktok`, `instagram`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_platforms: Option<Vec<String>>,
    /// Short-form content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortform: Option<bool>,
    /// Keywords (mirrored into `monitored` when `monitored` is not sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
    /// Inspiration sources (creators, hashtags, keywords to watch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<serde_json::Map<String, serde_json::Value>>>")
    )]
    pub monitored: Option<Vec<MonitoredItemInput>>,
    /// Expertise areas researched daily.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<serde_json::Map<String, serde_json::Value>>>")
    )]
    pub research_topics: Option<Vec<ResearchTopicInput>>,
    /// The agent's own brand socials (what it posts from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<Vec<serde_json::Map<String, serde_json::Value>>>")
    )]
    pub linked_accounts: Option<Vec<LinkedAccountInput>>,
    /// Full persona text, at most 20000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
    /// The default voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schemars",
        schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")
    )]
    pub default_user_voice: Option<DefaultUserVoiceInput>,
}

impl AgentCorePatch {
    /// An empty patch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `brand_name`.
    pub fn brand_name(mut self, v: impl Into<String>) -> Self {
        self.brand_name = Some(v.into());
        self
    }

    /// Sets `description` (≤ 500 characters).
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Sets `identity_type`.
    pub fn identity_type(mut self, v: impl Into<String>) -> Self {
        self.identity_type = Some(v.into());
        self
    }

    /// Sets `goal`.
    pub fn goal(mut self, v: impl Into<String>) -> Self {
        self.goal = Some(v.into());
        self
    }

    /// Sets `target_platforms`.
    pub fn target_platforms<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.target_platforms = Some(v.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `shortform`.
    pub fn shortform(mut self, v: bool) -> Self {
        self.shortform = Some(v);
        self
    }

    /// Sets `keywords`.
    pub fn keywords<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.keywords = Some(v.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `monitored`.
    pub fn monitored(mut self, v: impl IntoIterator<Item = MonitoredItemInput>) -> Self {
        self.monitored = Some(v.into_iter().collect());
        self
    }

    /// Sets `research_topics`.
    pub fn research_topics(mut self, v: impl IntoIterator<Item = ResearchTopicInput>) -> Self {
        self.research_topics = Some(v.into_iter().collect());
        self
    }

    /// Sets `linked_accounts`.
    pub fn linked_accounts(mut self, v: impl IntoIterator<Item = LinkedAccountInput>) -> Self {
        self.linked_accounts = Some(v.into_iter().collect());
        self
    }

    /// Sets `personality` (≤ 20000 characters).
    pub fn personality(mut self, v: impl Into<String>) -> Self {
        self.personality = Some(v.into());
        self
    }

    /// Sets `default_user_voice`.
    pub fn default_user_voice(
        mut self,
        voice_id: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        self.default_user_voice = Some(DefaultUserVoiceInput {
            voice_id: voice_id.into(),
            source: source.into(),
        });
        self
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the documented limits; the error names the field and the
    /// limit.
    pub fn validate(&self) -> Result<(), Error> {
        check_len(
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX_CHARS,
        )?;
        check_len(
            "personality",
            self.personality.as_deref(),
            PERSONALITY_MAX_CHARS,
        )?;
        if self.is_empty() {
            return Err(Error::validation("body", "the patch sets no field", None));
        }
        Ok(())
    }

    /// The JSON body: only the set fields.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn check_len(field: &str, value: Option<&str>, max: usize) -> Result<(), Error> {
    match value.map(|v| v.chars().count()) {
        Some(len) if len > max => Err(Error::validation(
            field,
            format!("{len} characters is over the limit of {max} characters"),
            None,
        )),
        _ => Ok(()),
    }
}

/// The answer of an Agent Core update: the saved core, and the sections
/// that could not be saved (`207 Multi-Status`).
#[derive(Clone, Debug, PartialEq)]
pub struct AgentCoreUpdate {
    /// HTTP status: 200 (all saved) or 207 (some sections failed).
    pub status: u16,
    /// The Agent Core after the update.
    pub core: AgentCore,
    /// The sections that failed (empty on 200).
    pub failed_sections: Vec<AgentCoreSectionError>,
}

impl AgentCoreUpdate {
    /// Reads an answer of either shape the seeds leave open (seed 001 says
    /// only "Returns `200 OK` on full success, `207 Multi-Status` if some
    /// sections fail"): the wrapper `{core, failed_sections}`, or the flat
    /// core (its fields at the top level).
    pub fn from_answer(status: u16, answer: genpro_api::types::AgentCoreUpdateResult) -> Self {
        let genpro_api::types::AgentCoreUpdateResult {
            core,
            failed_sections,
            ..
        } = answer.clone();
        let core = core.unwrap_or_else(|| {
            // the flat form: the same fields as AgentCore, at the top level
            let mut flat = serde_json::to_value(&answer).unwrap_or_default();
            if let Some(object) = flat.as_object_mut() {
                object.remove("core");
                object.remove("failed_sections");
            }
            serde_json::from_value(flat).unwrap_or_default()
        });
        Self {
            status,
            core,
            failed_sections,
        }
    }

    /// True when every section was saved.
    pub fn is_complete(&self) -> bool {
        self.failed_sections.is_empty()
    }

    /// The names of the sections that failed.
    pub fn failed_section_names(&self) -> Vec<&str> {
        self.failed_sections
            .iter()
            .map(|s| s.section.as_deref().unwrap_or_default())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(body: serde_json::Value) -> genpro_api::types::AgentCoreUpdateResult {
        serde_json::from_value(body).expect("decodes")
    }

    #[test]
    fn a_flat_core_answer_is_read() {
        // seed 001 shows no body for the 200; the flat core is one likely form
        let update = AgentCoreUpdate::from_answer(
            200,
            answer(json!({"brand_name": "Santiago", "keywords": ["tacos"], "goal": "growth"})),
        );
        assert_eq!(update.core.brand_name.as_deref(), Some("Santiago"));
        assert_eq!(update.core.keywords, vec!["tacos".to_owned()]);
        assert!(update.is_complete());
    }

    #[test]
    fn a_wrapped_answer_with_failed_sections_is_read() {
        let update = AgentCoreUpdate::from_answer(
            207,
            answer(json!({
                "core": {"brand_name": "Santiago"},
                "failed_sections": [{"section": "default_user_voice", "error": "Voice not found"}]
            })),
        );
        assert_eq!(update.core.brand_name.as_deref(), Some("Santiago"));
        assert_eq!(update.failed_section_names(), vec!["default_user_voice"]);
        assert!(!update.is_complete());
    }

    #[test]
    fn an_empty_answer_is_an_empty_core() {
        let update = AgentCoreUpdate::from_answer(200, answer(json!({})));
        assert_eq!(update.core, AgentCore::default());
    }
}
