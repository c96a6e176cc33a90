//! The `multipart/form-data` operations the generated client sets aside
//! ([`genpro_api::set_aside::SET_ASIDE`]), written by hand on the
//! authenticated HTTP client with the generated response types:
//!
//! | operation | method | form fields |
//! |---|---|---|
//! | `create_content_resource` | [`Agent::upload_multipart`] | `content_resource[file]` (file) |
//! | `create_content_resource` (after a direct upload) | [`Agent::upload`] | `content_resource[file]` (the `signed_id`, a text field) |
//! | `create_user_job` (train_social) | [`Agent::train_social`] | `user_job[user_job_type]=train_social`, `user_job[data]` (JSON string) |
//! | `import_global_variables` | [`Engine::import_global_variables`] | `file` (XLSX) |
//! | `clone_voice` | [`Agent::clone_voice`] | `name`, `description` (optional), `file` (audio) |
//!
//! Files are streamed from their [`UploadSource`], never read into memory
//! whole. Requests carry the API key like every other GEN call and the
//! `api-version` header of the generated client. Errors are [`Error`]s
//! (status, `error_code`, body), scrubbed of the key.
//!
//! Retries follow the operation's class in [`crate::steps::OPERATIONS`];
//! the content resource upload (which creates a resource each time) is
//! retried only when the request never reached GEN. A request whose file
//! comes from an async reader is sent once (a reader cannot be rewound).
//!
//! [`Agent::upload_multipart`]: crate::steps::Agent::upload_multipart
//! [`Agent::upload`]: crate::steps::Agent::upload
//! [`Engine::import_global_variables`]: crate::steps::Engine::import_global_variables
//! [`Agent::train_social`]: crate::steps::Agent::train_social
//! [`Agent::clone_voice`]: crate::steps::Agent::clone_voice

use std::fmt;
use std::future::Future;
use std::time::Duration;

use genpro_api::types;
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;

use crate::client::GenClient;
use crate::error::Error;
use crate::retry::{Idempotency, Retrier, RetryPolicy};
use crate::steps::Host;
use crate::upload::{
    CountingStream, DIRECT_UPLOAD_THRESHOLD, Described, ProgressSink, UploadSource,
    default_file_timeout,
};

/// The content type of the global variables import file (XLSX).
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Sends one multipart `POST` to the api host with retries. `form` builds a
/// fresh form (re-opening files) for each attempt.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_multipart<T, F, Fut>(
    client: &GenClient,
    operation_id: &'static str,
    idempotency: Idempotency,
    rewindable: bool,
    path: &str,
    query: &[(&str, String)],
    timeout: Option<Duration>,
    form: F,
) -> Result<T, Error>
where
    T: DeserializeOwned,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Form, Error>>,
{
    let url = format!("{}{}", client.base_url(Host::Api), path);
    let single;
    let retrier = if rewindable {
        client.retrier()
    } else {
        single = Retrier::new(RetryPolicy::none());
        &single
    };
    // Each attempt builds a fresh form (files re-opened) and goes once
    // through the one transport (auth, routing, path checks, typed errors,
    // body cap, span); the retries by class happen here because a streamed
    // form cannot be cloned.
    retrier
        .run(idempotency, |_attempt| {
            let form = form();
            let url = &url;
            async move {
                let form = form.await?;
                let mut request = client
                    .http()
                    .post(url)
                    .query(query)
                    .header("api-version", crate::transport::api_version())
                    .multipart(form);
                if let Some(timeout) = timeout {
                    request = request.timeout(timeout);
                }
                let response = client.execute_once(operation_id, request).await?;
                client.transport().json::<T>(response).await
            }
        })
        .await
}

/// A file part streamed from `source`.
pub(crate) async fn file_part(
    source: &UploadSource,
    described: &Described,
    progress: &ProgressSink,
) -> Result<Part, Error> {
    let reader = source.open().await?;
    let stream = CountingStream::new(reader, described.len, progress.clone());
    Part::stream_with_length(reqwest::Body::wrap_stream(stream), described.len)
        .file_name(described.filename.clone())
        .mime_str(&described.content_type)
        .map_err(|_| {
            Error::validation(
                "content_type",
                format!("{:?} is not a valid media type", described.content_type),
                None,
            )
        })
}

fn idempotency_of(operation_id: &str) -> Idempotency {
    genpro_api::operations::find(operation_id)
        .map(|op| crate::transport::idempotency(op.retry))
        .unwrap_or(Idempotency::PaidPost)
}

/// `POST /v1/content_resources?agent_id=` with the file in
/// `content_resource[file]`. Free of credits: retried when GEN did not act
/// on it (connect errors, 429, 503), and only from a rewindable source.
pub(crate) async fn post_content_resource(
    client: &GenClient,
    agent_id: i64,
    source: &UploadSource,
    described: &Described,
    progress: &ProgressSink,
    timeout: Duration,
) -> Result<types::ContentResource, Error> {
    send_multipart(
        client,
        "create_content_resource",
        Idempotency::NonIdempotent,
        source.is_rewindable(),
        "/v1/content_resources",
        &[("agent_id", agent_id.to_string())],
        Some(timeout),
        || async move {
            let part = file_part(source, described, progress).await?;
            Ok(Form::new().part("content_resource[file]", part))
        },
    )
    .await
}

/// `POST /v1/content_resources?agent_id=` (multipart) with the `signed_id`
/// of a finished direct upload as the text field `content_resource[file]`:
/// seed 001's "3. POST /v1/content_resources with signed_id as
/// `content_resource[file]`", on the endpoint it marks "(multipart)".
/// Retried like [`post_content_resource`] (the form is rebuilt each time).
pub(crate) async fn post_signed_content_resource(
    client: &GenClient,
    agent_id: i64,
    signed_id: &str,
) -> Result<types::ContentResource, Error> {
    send_multipart(
        client,
        "create_content_resource",
        Idempotency::NonIdempotent,
        true,
        "/v1/content_resources",
        &[("agent_id", agent_id.to_string())],
        None,
        || async move { Ok(Form::new().text("content_resource[file]", signed_id.to_owned())) },
    )
    .await
}

/// [`crate::steps::Agent::upload_multipart`]: the file in
/// `content_resource[file]`.
pub(crate) async fn upload_multipart(
    client: &GenClient,
    agent_id: i64,
    source: UploadSource,
) -> Result<types::ContentResource, Error> {
    {
        let described = source.describe().await?;
        if described.len > DIRECT_UPLOAD_THRESHOLD {
            return Err(Error::validation(
                "file",
                format!(
                    "is {} bytes, over the 50 MiB ({DIRECT_UPLOAD_THRESHOLD} bytes) multipart limit; use upload(), which sends larger files by direct upload",
                    described.len
                ),
                None,
            ));
        }
        post_content_resource(
            client,
            agent_id,
            &source,
            &described,
            &ProgressSink::default(),
            default_file_timeout(client.config().request_timeout(), described.len),
        )
        .await
    }
}

/// [`crate::steps::Engine::import_global_variables`]: form field `file`,
/// content type [`XLSX_CONTENT_TYPE`].
pub(crate) async fn import_global_variables(
    client: &GenClient,
    engine_id: i64,
    agent_id: i64,
    source: UploadSource,
) -> Result<Vec<types::GlobalVariable>, Error> {
    {
        let mut described = source.describe().await?;
        described.content_type = XLSX_CONTENT_TYPE.to_owned();
        let (source, described) = (&source, &described);
        send_multipart(
            client,
            "import_global_variables",
            idempotency_of("import_global_variables"),
            source.is_rewindable(),
            &format!("/v1/autocontentengine/{engine_id}/import_global_variables"),
            &[("agent_id", agent_id.to_string())],
            Some(default_file_timeout(
                client.config().request_timeout(),
                described.len,
            )),
            || async move {
                let part = file_part(source, described, &ProgressSink::default()).await?;
                Ok(Form::new().part("file", part))
            },
        )
        .await
    }
}

/// A voice to clone from an audio sample: the body of
/// [`crate::steps::Agent::clone_voice`] (`VoiceCloneRequest` in the spec).
#[derive(Debug)]
pub struct VoiceClone {
    name: String,
    description: Option<String>,
    sample: UploadSource,
}

impl VoiceClone {
    /// A voice named `name` cloned from the audio in `sample` (content type
    /// guessed from the extension: `audio/mpeg` for `.mp3`, ...).
    pub fn new(name: impl Into<String>, sample: impl Into<UploadSource>) -> Self {
        Self {
            name: name.into(),
            description: None,
            sample: sample.into(),
        }
    }

    /// Sets the optional description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Checks the name (not blank); the sample is checked when sent.
    pub fn validate(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(Error::validation("name", "must not be blank", None));
        }
        Ok(())
    }
}

/// [`crate::steps::Agent::clone_voice`]: multipart `name`, `description`,
/// `file`.
pub(crate) async fn clone_voice(
    client: &GenClient,
    agent_id: i64,
    voice: VoiceClone,
) -> Result<types::Voice, Error> {
    {
        voice.validate()?;
        let described = &voice.sample.describe().await?;
        let voice = &voice;
        send_multipart(
            client,
            "clone_voice",
            idempotency_of("clone_voice"),
            voice.sample.is_rewindable(),
            &format!("/v1/agents/{agent_id}/voice/clone"),
            &[],
            Some(default_file_timeout(
                client.config().request_timeout(),
                described.len,
            )),
            || async move {
                let part = file_part(&voice.sample, described, &ProgressSink::default()).await?;
                let mut form = Form::new().text("name", voice.name.clone());
                if let Some(description) = &voice.description {
                    form = form.text("description", description.clone());
                }
                Ok(form.part("file", part))
            },
        )
        .await
    }
}

/// A platform `train_social` can scrape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocialPlatform {
    /// TikTok: username, hashtag, keyword.
    TikTok,
    /// Instagram: username, hashtag.
    Instagram,
    /// YouTube: username, hashtag, keyword.
    YouTube,
}

impl SocialPlatform {
    /// The wire value (`tiktok`, `instagram`, `youtube`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TikTok => "tiktok",
            Self::Instagram => "instagram",
            Self::YouTube => "youtube",
        }
    }

    /// The source types the platform supports, as documented.
    pub fn supported_types(self) -> &'static [SocialSourceType] {
        use SocialSourceType::*;
        match self {
            Self::TikTok | Self::YouTube => &[Username, Hashtag, Keyword],
            Self::Instagram => &[Username, Hashtag],
        }
    }
}

impl fmt::Display for SocialPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to scrape on a platform (`type` of `TrainSocialData`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocialSourceType {
    /// A creator's account.
    Username,
    /// A hashtag (without `#`).
    Hashtag,
    /// A search keyword.
    Keyword,
}

impl SocialSourceType {
    /// The wire value (`username`, `hashtag`, `keyword`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Hashtag => "hashtag",
            Self::Keyword => "keyword",
        }
    }
}

impl fmt::Display for SocialSourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `train_social` job: scrape trending content from a platform into the
/// agent's knowledge base ([`Agent::train_social`](crate::steps::Agent::train_social)).
///
/// ```
/// use genpro_sdk::multipart::{SocialPlatform, SocialSourceType, TrainSocial};
///
/// let job = TrainSocial::new(SocialPlatform::TikTok, SocialSourceType::Hashtag, "streetfood")
///     .days(7)
///     .max_results(50)
///     .monitoring(false);
/// job.validate().unwrap();
/// assert_eq!(
///     job.data_string(),
///     r#"{"platform":"tiktok","type":"hashtag","value":"streetfood","days":7,"max_results":50,"monitoring":false}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrainSocial {
    /// The platform.
    pub platform: SocialPlatform,
    /// What to scrape.
    pub source_type: SocialSourceType,
    /// The username, hashtag or keyword.
    pub value: String,
    /// How many days back (at least 1).
    pub days: Option<u32>,
    /// At most this many items (at least 1).
    pub max_results: Option<u32>,
    /// Keep monitoring (re-scrape periodically).
    pub monitoring: Option<bool>,
}

#[derive(serde::Serialize)]
struct TrainSocialWire<'a> {
    platform: &'static str,
    #[serde(rename = "type")]
    source_type: &'static str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monitoring: Option<bool>,
}

impl TrainSocial {
    /// Scrape `value` (a username, hashtag or keyword) on `platform`.
    pub fn new(
        platform: SocialPlatform,
        source_type: SocialSourceType,
        value: impl Into<String>,
    ) -> Self {
        Self {
            platform,
            source_type,
            value: value.into(),
            days: None,
            max_results: None,
            monitoring: None,
        }
    }

    /// Sets `days`.
    pub fn days(mut self, days: u32) -> Self {
        self.days = Some(days);
        self
    }

    /// Sets `max_results`.
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }

    /// Sets `monitoring`.
    pub fn monitoring(mut self, monitoring: bool) -> Self {
        self.monitoring = Some(monitoring);
        self
    }

    /// Checks the platform / type combination (Instagram has no keyword
    /// search), a non-blank value and `days`, `max_results` ≥ 1.
    pub fn validate(&self) -> Result<(), Error> {
        let supported = self.platform.supported_types();
        if !supported.contains(&self.source_type) {
            return Err(Error::validation(
                "type",
                format!(
                    "{} cannot be scraped by {} on {}",
                    self.platform, self.source_type, self.platform
                ),
                Some(supported.iter().map(|t| t.as_str().to_owned()).collect()),
            ));
        }
        if self.value.trim().is_empty() {
            return Err(Error::validation("value", "must not be blank", None));
        }
        if self.days == Some(0) {
            return Err(Error::validation("days", "must be at least 1", None));
        }
        if self.max_results == Some(0) {
            return Err(Error::validation("max_results", "must be at least 1", None));
        }
        Ok(())
    }

    /// The JSON string sent as `user_job[data]`, fields in the documented
    /// order.
    pub fn data_string(&self) -> String {
        serde_json::to_string(&TrainSocialWire {
            platform: self.platform.as_str(),
            source_type: self.source_type.as_str(),
            value: &self.value,
            days: self.days,
            max_results: self.max_results,
            monitoring: self.monitoring,
        })
        .unwrap_or_default()
    }
}

/// [`crate::steps::Agent::train_social`]: multipart `user_job[...]` fields.
pub(crate) async fn train_social(
    client: &GenClient,
    agent_id: i64,
    job: &TrainSocial,
) -> Result<types::UserJobCreated, Error> {
    {
        job.validate()?;
        let data = job.data_string();
        send_multipart(
            client,
            "create_user_job",
            idempotency_of("create_user_job"),
            true,
            "/v1/user_jobs",
            &[("agent_id", agent_id.to_string())],
            None,
            || {
                let form = Form::new()
                    .text("user_job[user_job_type]", "train_social")
                    .text("user_job[data]", data.clone());
                std::future::ready(Ok(form))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_combinations() {
        use SocialPlatform::*;
        use SocialSourceType::*;
        for (platform, source_type, ok) in [
            (TikTok, Username, true),
            (TikTok, Hashtag, true),
            (TikTok, Keyword, true),
            (Instagram, Username, true),
            (Instagram, Hashtag, true),
            (Instagram, Keyword, false),
            (YouTube, Username, true),
            (YouTube, Hashtag, true),
            (YouTube, Keyword, true),
        ] {
            let job = TrainSocial::new(platform, source_type, "x");
            assert_eq!(job.validate().is_ok(), ok, "{platform} {source_type}");
        }
        let err = TrainSocial::new(Instagram, Keyword, "x")
            .validate()
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Validation, "{err:?}");
        assert_eq!(err.field(), Some("type"));
        assert_eq!(err.allowed().unwrap(), ["username", "hashtag"]);
    }

    #[test]
    fn data_string_matches_generated_type() {
        let job = TrainSocial::new(SocialPlatform::YouTube, SocialSourceType::Keyword, "tacos")
            .max_results(10);
        let parsed: types::TrainSocialData = serde_json::from_str(&job.data_string()).unwrap();
        assert_eq!(parsed.platform, types::TrainSocialDataPlatform::Youtube);
        assert_eq!(parsed.value, "tacos");
        assert_eq!(parsed.days, None);
        assert_eq!(parsed.max_results.map(|n| n.get()), Some(10));
    }

    #[test]
    fn blank_and_zero_refused() {
        let base = TrainSocial::new(SocialPlatform::TikTok, SocialSourceType::Hashtag, " ");
        assert!(base.validate().is_err());
        let base = TrainSocial::new(SocialPlatform::TikTok, SocialSourceType::Hashtag, "a");
        assert!(base.clone().days(0).validate().is_err());
        assert!(base.clone().max_results(0).validate().is_err());
        assert!(base.days(1).max_results(1).validate().is_ok());
    }
}
