//! [`Agent`]: everything scoped to one agent (`agent_id`): its setup (step
//! 1), ideas and research (step 2), cloning templates into engines (step
//! 3), uploads (step 4) and publishing (step 5).

use chrono::{DateTime, Utc};
use genpro_api::prelude::*;
use genpro_api::types;

use super::{AgentId, ContentResourceId, Engine, EngineId, UserJobId, as_is, exact, non_empty};
use crate::agent_core::{AgentCorePatch, AgentCoreUpdate};
use crate::client::GenClient;
use crate::error::Error;
use crate::multipart::{TrainSocial, VoiceClone};
use crate::pagination::{AssetFilter, AssetItem, ContentResourceFilter, ItemStream};
use crate::status::IdeaStatus;
use crate::upload::{UploadOptions, UploadSource};
use crate::wait::{JobRef, JobStatus, Outcome, WaitError, WaitOptions};

/// One agent: every call here sends its `agent_id`, which is never passed
/// by hand. Made by [`GenClient::agent`]; [`Agent::engine`] goes one scope
/// down.
///
/// ```
/// # fn f(client: genpro_sdk::GenClient) {
/// use genpro_sdk::steps::{AgentId, EngineId};
/// let agent = client.agent(AgentId::new(42));
/// let engine = agent.engine(EngineId::new(101));
/// assert_eq!((engine.agent_id(), engine.id()), (AgentId::new(42), EngineId::new(101)));
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Agent<'a> {
    client: &'a GenClient,
    id: AgentId,
}

/// The answer to cloning a template: the new engine's id (GEN always sends
/// it; an answer without one is [`ErrorKind::MissingField`](crate::ErrorKind::MissingField)) and the engine.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EngineClone {
    /// The new engine.
    pub id: EngineId,
    /// The engine as GEN answered it: columns, rows, cells, layers.
    pub engine: types::Engine,
}

/// An uploaded content resource: its id (for a card's
/// `image_resource_id`, `content_resource_id`...) and the resource.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Uploaded {
    /// The content resource.
    pub id: ContentResourceId,
    /// The resource as GEN answered it.
    pub resource: types::ContentResource,
}

/// When to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// At once (`schedule_type: "now"`).
    Now,
    /// Later (`schedule_type: "scheduled"`, `scheduled_time`).
    At(DateTime<Utc>),
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

    /// Schedules the post for `at` instead of now (`chrono` is re-exported
    /// as [`crate::chrono`]).
    pub fn scheduled(mut self, at: DateTime<Utc>) -> Self {
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

/// How a publish ended ([`Agent::publish_and_wait`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PublishOutcome {
    /// The publish job ended: completed (`result.post_id` is the platform's
    /// post id) or not ([`Outcome::into_completed`] says why).
    Finished(Box<Outcome>),
    /// GEN accepted a scheduled post: the job exists and is pending until
    /// `scheduled_time` (GEN publishes it then; poll it later with
    /// [`Agent::user_job`]).
    Scheduled {
        /// The publish job.
        user_job_id: UserJobId,
        /// When GEN will publish it.
        scheduled_time: DateTime<Utc>,
    },
}

impl PublishOutcome {
    /// True for [`PublishOutcome::Scheduled`].
    pub fn is_scheduled(&self) -> bool {
        matches!(self, Self::Scheduled { .. })
    }

    /// True when the post was published or accepted for later.
    pub fn is_success(&self) -> bool {
        match self {
            Self::Finished(outcome) => outcome.is_completed(),
            Self::Scheduled { .. } => true,
        }
    }
}

impl std::fmt::Display for PublishOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Finished(outcome) => outcome.fmt(f),
            Self::Scheduled {
                user_job_id,
                scheduled_time,
            } => write!(
                f,
                "user job {user_job_id} scheduled for {}",
                scheduled_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

impl GenClient {
    /// The agent `id`: its setup, ideas, engines, uploads and publishing.
    pub fn agent(&self, id: AgentId) -> Agent<'_> {
        Agent { client: self, id }
    }
}

impl<'a> Agent<'a> {
    /// The agent's id.
    pub fn id(&self) -> AgentId {
        self.id
    }

    /// The client.
    pub fn client(&self) -> &'a GenClient {
        self.client
    }

    /// The engine `id` of this agent (no request: the handle for its
    /// calls).
    pub fn engine(&self, id: EngineId) -> Engine<'a> {
        Engine::new(self.client, self.id, id)
    }

    // ----- step 1: set up the agent -------------------------------------

    /// `GET /v1/agents/{agent_id}/core`: the flat agent setup.
    pub async fn core(&self) -> Result<types::AgentCore, Error> {
        let call = self.client.raw().get_agent_core().agent_id(self.id.0);
        Ok(call.send().await?.into_inner())
    }

    /// `PATCH /v1/agents/{agent_id}/core`: writes the fields set in `patch`
    /// (validated first: description ≤ 500, personality ≤ 20000
    /// characters). A `207 Multi-Status` answer is not an error: the result
    /// lists the sections that failed.
    pub async fn update_core(&self, patch: &AgentCorePatch) -> Result<AgentCoreUpdate, Error> {
        let agent_id = self.id.0;
        patch.validate()?;
        let body = patch.to_json();
        let (status, result) = match exact::<types::AgentCoreUpdate>(&body) {
            Some(body) => {
                let call = self
                    .client
                    .raw()
                    .update_agent_core()
                    .agent_id(agent_id)
                    .body(body);
                let answer = call.send().await?;
                (answer.status().as_u16(), answer.into_inner())
            }
            None => {
                let args = serde_json::json!({ "agent_id": agent_id, "body": body });
                as_is::<types::AgentCoreUpdateResult>(self.client, "update_agent_core", args)
                    .await?
            }
        };
        Ok(AgentCoreUpdate::from_answer(status, result))
    }

    /// `POST /v1/agents/{agent_id}/voice/clone` (multipart: `name`,
    /// `description`, `file`): clones a voice from an audio sample and
    /// returns it (its `voice_id` goes into `default_user_voice` or a
    /// `speech_from_text` card).
    pub async fn clone_voice(&self, voice: VoiceClone) -> Result<types::Voice, Error> {
        crate::multipart::clone_voice(self.client, self.id.0, voice).await
    }

    // ----- step 2: ideas ------------------------------------------------

    /// `POST /v1/agent/run`: starts an agent run (ideas, refinement,
    /// `remember:` preferences, chat). Pass the `conversation_id` of an
    /// earlier run to refine its ideas. Wait for it with
    /// [`GenClient::wait_run`]. Spends credits: retried only when the
    /// request never reached GEN.
    pub async fn start_run(
        &self,
        message: impl Into<String>,
        conversation_id: Option<&str>,
    ) -> Result<types::AgentRunCreated, Error> {
        let message = message.into();
        if message.trim().is_empty() {
            return Err(Error::validation("message", "must not be empty", None));
        }
        let body = types::AgentRunRequest {
            agent_id: self.id.to_string(),
            conversation_id: conversation_id.map(str::to_owned),
            message,
        };
        let call = self.client.raw().create_agent_run().body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `GET /v1/agent/ideas?agent_id=&status=`: the agent's ideas.
    pub async fn ideas(&self, status: Option<IdeaStatus>) -> Result<Vec<types::Idea>, Error> {
        let mut call = self.client.raw().list_ideas().agent_id(self.id.0);
        if let Some(status) = status {
            call = call.status(status);
        }
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/research`: standalone research on `topic`; wait for the
    /// returned run with [`GenClient::wait_run`]. Spends credits.
    pub async fn research(
        &self,
        topic: impl Into<String>,
        depth: types::ResearchRequestDepth,
    ) -> Result<types::AgentRunCreated, Error> {
        let topic = topic.into();
        if topic.trim().is_empty() {
            return Err(Error::validation("topic", "must not be empty", None));
        }
        let body = types::ResearchRequest {
            agent_id: self.id.to_string(),
            depth,
            topic,
        };
        let call = self.client.raw().create_research().body(body);
        Ok(call.send().await?.into_inner())
    }

    /// `POST /v1/user_jobs?agent_id=` (multipart `train_social`): starts
    /// scraping trending content into the agent (validated first). Poll the
    /// job with [`Agent::user_job`]. Starts paid work: retried only when the
    /// request never reached GEN.
    pub async fn train_social(&self, job: &TrainSocial) -> Result<UserJobId, Error> {
        let created = crate::multipart::train_social(self.client, self.id.0, job).await?;
        Ok(UserJobId(created.user_job_id))
    }

    // ----- step 3: vidsheets --------------------------------------------

    /// `POST /v1/templates/spreadsheets/{slug}/clone`: clones a template
    /// into the agent (free). The answer's engine id is required
    /// ([`ErrorKind::MissingField`](crate::ErrorKind::MissingField) without it). Retried only on 429 / 503 (GEN
    /// did not act on it), never after another 5xx: a retry could create a
    /// second engine.
    pub async fn clone_template(&self, slug: &str) -> Result<EngineClone, Error> {
        let slug = non_empty("slug", slug)?;
        let body = types::TemplateCloneRequest {
            // seed 001's curl quotes the id: `{ "agent_id": "'"$AGENT_ID"'" }`
            agent_id: self.id.to_string(),
        };
        let call = self.client.raw().clone_template().slug(slug).body(body);
        let engine = call.send().await?.into_inner();
        let id = engine
            .id
            .ok_or_else(|| Error::missing("clone_template", "id"))?;
        Ok(EngineClone {
            id: EngineId(id),
            engine,
        })
    }

    // ----- step 4: assets -----------------------------------------------

    /// Uploads a file (up to 1 GiB) into the agent's content resources:
    /// multipart up to the threshold (50 MiB), a checksummed direct upload
    /// above it. See the [module documentation](crate::upload) for the
    /// steps, retries, progress and cancellation. The answer's resource id
    /// is required ([`ErrorKind::MissingField`](crate::ErrorKind::MissingField) without it).
    ///
    /// Errors: [`ErrorKind::Validation`](crate::ErrorKind::Validation) (field `file`) for an empty file or
    /// one over 1 GiB, before any request; [`ErrorKind::Io`](crate::ErrorKind::Io) when the file
    /// cannot be read; [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled); and the API / storage errors
    /// of the requests ([`ErrorKind::Api`](crate::ErrorKind::Api) with the status).
    pub async fn upload(
        &self,
        source: impl Into<UploadSource>,
        options: UploadOptions,
    ) -> Result<Uploaded, Error> {
        let resource =
            crate::upload::upload(self.client, self.id.0, source.into(), options).await?;
        uploaded(resource)
    }

    /// `POST /v1/content_resources?agent_id=` (multipart): uploads a small
    /// file (1 byte to 50 MiB) in one request. Larger files need a direct
    /// upload: use [`Agent::upload`], which picks the way by size.
    pub async fn upload_multipart(
        &self,
        source: impl Into<UploadSource>,
    ) -> Result<Uploaded, Error> {
        let resource =
            crate::multipart::upload_multipart(self.client, self.id.0, source.into()).await?;
        uploaded(resource)
    }

    /// `GET /v1/content_resources?agent_id=&type=&page=`, every page, as a
    /// stream of resources.
    pub fn content_resources(
        &self,
        filter: ContentResourceFilter,
    ) -> ItemStream<types::ContentResource> {
        crate::pagination::content_resources(self.client, self.id.0, filter)
    }

    /// `GET /v1/asset_libraries?agent_id=&folder_id=&asset_type=&search=&page=`,
    /// every page, as a stream of folders and resources (each page's folders
    /// first).
    pub fn asset_library(&self, filter: AssetFilter) -> ItemStream<AssetItem> {
        crate::pagination::asset_library(self.client, self.id.0, filter)
    }

    // ----- step 5: publish ----------------------------------------------

    /// `POST /v1/user_jobs?agent_id=` (`publish_content`): publishes now or
    /// schedules `post` and returns the publish job. The agent needs a
    /// connected account on the platform. Not retried unless the request
    /// never reached GEN.
    pub async fn publish(&self, post: &PublishPost) -> Result<UserJobId, Error> {
        post.validate()?;
        let body = types::UserJobCreate {
            data: post.data_string(),
            user_job_type: types::UserJobCreateUserJobType::PublishContent,
        };
        let call = self
            .client
            .raw()
            .create_user_job()
            .agent_id(self.id.0)
            .body(body);
        Ok(UserJobId(call.send().await?.into_inner().user_job_id))
    }

    /// `GET /v1/user_jobs/{id}?agent_id=`: a user job (publish,
    /// `train_social`); on `completed`, a publish job's `result.post_id` is
    /// the platform's post id.
    pub async fn user_job(&self, id: UserJobId) -> Result<types::UserJob, Error> {
        let call = self
            .client
            .raw()
            .get_user_job()
            .id(id.0)
            .agent_id(self.id.0);
        Ok(call.send().await?.into_inner())
    }

    /// Waits for the user job `id` ([`crate::wait`], with `options`: its
    /// timeout, progress channel and cancellation).
    pub async fn wait_user_job(
        &self,
        id: UserJobId,
        options: &WaitOptions,
    ) -> Result<Outcome, WaitError> {
        let job = JobRef::UserJob {
            id: id.0,
            agent_id: self.id.0,
        };
        self.client
            .waiter()
            .with_options(options.clone())
            .wait(job)
            .await
    }

    /// Publishes `post` ([`Agent::publish`]) and waits with `options`
    /// ([`Agent::wait_published`]).
    pub async fn publish_and_wait(
        &self,
        post: &PublishPost,
        options: &WaitOptions,
    ) -> Result<PublishOutcome, WaitError> {
        let user_job_id = self.publish(post).await.map_err(WaitError::request)?;
        self.wait_published(user_job_id, post, options).await
    }

    /// Waits with `options` for the publish job `user_job_id` of `post`.
    ///
    /// A post published now is waited for until its job ends
    /// ([`PublishOutcome::Finished`]). A scheduled post stays pending at GEN
    /// until its time, so its wait ends as soon as GEN has accepted it: the
    /// job is read once and, still pending with its time in the future,
    /// gives [`PublishOutcome::Scheduled`] (a job that already ended, or a
    /// time already past, is waited for like a post published now).
    pub async fn wait_published(
        &self,
        user_job_id: UserJobId,
        post: &PublishPost,
        options: &WaitOptions,
    ) -> Result<PublishOutcome, WaitError> {
        if let Schedule::At(scheduled_time) = post.schedule {
            let job = JobRef::UserJob {
                id: user_job_id.0,
                agent_id: self.id.0,
            };
            let waiter = self.client.waiter().with_options(options.clone());
            let snapshot = waiter.poll_once(job).await.map_err(WaitError::request)?;
            if let Some(outcome) = snapshot.outcome() {
                return Ok(PublishOutcome::Finished(Box::new(outcome)));
            }
            let now: DateTime<Utc> = self.client.retrier().clock().now().into();
            if snapshot.status == JobStatus::Pending && scheduled_time > now {
                return Ok(PublishOutcome::Scheduled {
                    user_job_id,
                    scheduled_time,
                });
            }
        }
        self.wait_user_job(user_job_id, options)
            .await
            .map(|outcome| PublishOutcome::Finished(Box::new(outcome)))
    }
}

fn uploaded(resource: types::ContentResource) -> Result<Uploaded, Error> {
    let id = resource
        .id
        .ok_or_else(|| Error::missing("create_content_resource", "id"))?;
    Ok(Uploaded {
        id: ContentResourceId(id),
        resource,
    })
}
