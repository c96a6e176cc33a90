//! Step 5 — export and publish: render, publish / schedule, publish jobs.
//!
//! Waiting for a render or a publish job is in [`crate::wait`], downloads
//! in [`crate::download`].

use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, CellRef, UserJobId, handle};
use crate::error::Error;

handle!(
    /// Step 5 — export and publish: render, publish / schedule, publish
    /// jobs.
    Publish,
    genpro_api::operations::Phase::Publish
);

/// When to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// At once (`schedule_type: "now"`).
    Now,
    /// Later (`schedule_type: "scheduled"`, `scheduled_time`).
    At(chrono::DateTime<chrono::Utc>),
}

/// A post to publish: the fields of a `publish_content` user job, which the
/// API takes as a JSON *string* in `data` (genpro-sdk encodes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishPost {
    /// `tiktok` (Instagram / YouTube coming).
    pub platform: String,
    /// A publicly accessible media URL (a render's `output_resources[0].url`).
    pub media_url: String,
    /// The post's caption.
    pub description: String,
    /// `VIDEO`.
    pub media_type: String,
    /// Now or later.
    pub schedule: Schedule,
}

impl PublishPost {
    /// A TikTok video post published now.
    pub fn tiktok(media_url: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            platform: "tiktok".to_owned(),
            media_url: media_url.into(),
            description: description.into(),
            media_type: "VIDEO".to_owned(),
            schedule: Schedule::Now,
        }
    }

    /// Schedules the post for `at` instead of now.
    pub fn scheduled(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.schedule = Schedule::At(at);
        self
    }

    /// Checks the post: a platform, and an `http(s)` media URL.
    pub fn validate(&self) -> Result<(), Error> {
        if self.platform.trim().is_empty() {
            return Err(Error::validation(
                "data.platform",
                "must not be empty",
                None,
            ));
        }
        match url::Url::parse(&self.media_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(()),
            _ => Err(Error::validation(
                "data.media_url",
                "must be a publicly accessible http(s) URL",
                None,
            )),
        }
    }

    /// The `data` JSON string, fields in the documented order.
    pub fn data_string(&self) -> String {
        #[derive(serde::Serialize)]
        struct Data<'a> {
            platform: &'a str,
            media_url: &'a str,
            description: &'a str,
            schedule_type: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            scheduled_time: Option<String>,
            media_type: &'a str,
        }
        let (schedule_type, scheduled_time) = match &self.schedule {
            Schedule::Now => ("now", None),
            Schedule::At(at) => (
                "scheduled",
                Some(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            ),
        };
        serde_json::to_string(&Data {
            platform: &self.platform,
            media_url: &self.media_url,
            description: &self.description,
            schedule_type,
            scheduled_time,
            media_type: &self.media_type,
        })
        .unwrap_or_default()
    }
}

impl<'a> Publish<'a> {
    /// `POST .../cells/{cell_id}/render`: composites the final_video cell's
    /// layers into one MP4; poll the generation with
    /// [`super::Edit::generation`]. Spends credits.
    pub async fn render(&self, cell: CellRef) -> Result<types::GenerationCreated, Error> {
        let call = self
            .raw()
            .render_cell()
            .id(cell.engine_id)
            .cell_id(cell.cell_id)
            .agent_id(cell.agent_id);
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/user_jobs` (`publish_content`): publishes now or schedules
    /// `post`. The agent needs a connected account on the platform. Not
    /// retried unless the request never reached GEN.
    pub async fn publish(
        &self,
        agent_id: impl Into<AgentId>,
        post: &PublishPost,
    ) -> Result<types::UserJobCreated, Error> {
        post.validate()?;
        let body = types::UserJobCreate {
            data: post.data_string(),
            user_job_type: types::UserJobCreateUserJobType::PublishContent,
        };
        let call = self
            .raw()
            .create_user_job()
            .agent_id(agent_id.into().0)
            .body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/user_jobs/{id}?agent_id=`: a publish job; on `completed`,
    /// `result.post_id` is the platform's post id.
    pub async fn user_job(
        &self,
        user_job_id: impl Into<UserJobId>,
        agent_id: impl Into<AgentId>,
    ) -> Result<types::UserJob, Error> {
        let call = self
            .raw()
            .get_user_job()
            .id(user_job_id.into().0)
            .agent_id(agent_id.into().0);
        Ok(call.send().await?.into_inner())
    }
}
