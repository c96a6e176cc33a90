//! The single-step commands, and the connection they share.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use genpro_sdk::GenClient;
use genpro_sdk::cards::GenerateBody;
use genpro_sdk::download::DownloadOptions;
use genpro_sdk::genpro_api::open_enums::GenerationType;
use genpro_sdk::steps::{
    AgentId, CellId, EngineId, GenerationId, LayerId, OrganizationId, PublishPost,
};
use genpro_sdk::upload::{UploadOptions, UploadSource};
use genpro_sdk::wait::{JobRef, JobSnapshot, WaitOptions};
use genpro_sdk::workflow;
use indicatif::ProgressBar;

use crate::Global;
use crate::ui::{self, Kind, Progress};

/// A client, and the in-process fake it talks to when no key was given
/// ([`genpro_sdk::workflow::Connection`]).
pub struct Connection {
    /// The SDK client.
    pub client: GenClient,
    /// True when talking to the built-in fake.
    pub offline: bool,
    inner: workflow::Connection,
}

impl Connection {
    /// Connect with the global options. Without an API key: when
    /// `allow_offline`, start the built-in fake and say so on stderr;
    /// otherwise fail with the fix.
    pub async fn open(global: &Global, allow_offline: bool, progress: &Progress) -> Result<Self> {
        let key = global.api_key.clone().filter(|k| !k.is_empty());
        if key.is_none() && !allow_offline {
            return Err(ui::fail_with_hint(
                Kind::Auth,
                "no API key: set GEN_API_KEY, GEN_API_KEY_FILE, --api-key-file or --api-key-stdin",
                "create a personal access token in the GEN dashboard > API page; or run `gen mock` and point --api-url at it",
            ));
        }
        let options = workflow::ConnectOptions::default()
            .api_key(key)
            .api_url(global.api_url.clone())
            .agent_url(global.agent_url.clone())
            .allow_offline(allow_offline)
            .announce(false)
            .mock(offline_fake(global));
        let inner = workflow::Connection::open(options)
            .await
            .context("connecting to GEN")?;
        if let Some(notice) = inner.offline_notice() {
            progress.say(format!("{notice}{}", varied_note(global)));
        }
        Ok(Self {
            client: inner.client.clone(),
            offline: inner.is_offline(),
            inner,
        })
    }

    /// Stop the in-process fake, if any.
    pub async fn close(self) {
        self.inner.close().await;
    }
}

/// The configuration of the built-in fake of offline runs: the defaults,
/// varied with `--mock-vary` / `GEN_MOCK_VARY` when given.
pub fn offline_fake(global: &Global) -> genpro_mock::MockConfig {
    let config = genpro_mock::MockConfig::default();
    match global.mock_vary {
        Some(seed) => config.vary(seed),
        None => config,
    }
}

/// `", answers varied with seed N"` when the fake varies its answers.
fn varied_note(global: &Global) -> String {
    global
        .mock_vary
        .map(|seed| format!(", answers varied with seed {seed} (GEN_MOCK_VARY)"))
        .unwrap_or_default()
}

/// Wait for `job` with `options`, showing its state on `pb`. A job that
/// ends in any state but completed is an error naming the state, reason and
/// hint.
pub async fn wait_job_with(
    client: &GenClient,
    job: JobRef,
    options: WaitOptions,
    pb: &ProgressBar,
) -> Result<JobSnapshot> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let watch_pb = pb.clone();
    let watcher = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            watch_pb.set_message(ui::scrub(&workflow::describe_progress(&p)).into_owned());
        }
    });
    let waiter = client.waiter().with_options(options.progress(tx));
    let outcome = waiter.wait(job).await;
    watcher.abort();
    // A job that ends otherwise is a WaitError::Unsuccessful: its text
    // names the state and reason, its hint the fix (exit code of
    // ui::Kind::Job).
    let done = outcome.and_then(genpro_sdk::wait::Outcome::into_completed);
    if done.is_err() {
        // the error is printed next: not on the spinner's line
        pb.finish_and_clear();
    }
    Ok(done?)
}

/// Download `url` to `path` with a progress bar (no API key is sent).
pub async fn download_to(url: &str, path: &Path, progress: &Progress) -> Result<()> {
    let pb = progress.bytes("download", 0);
    let bar = pb.clone();
    let options = DownloadOptions::new()
        .overwrite(true)
        .on_progress(move |done, total| {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        });
    let done = genpro_sdk::download::download(url, path, options)
        .await
        .with_context(|| format!("downloading {url}"))?;
    pb.finish_and_clear();
    progress.say(format!(
        "downloaded {} bytes to {}",
        done.bytes,
        done.path.display()
    ));
    Ok(())
}

/// `gen generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Agent owning the engine.
    #[arg(long)]
    pub agent: i64,
    /// Engine (vidsheet) id.
    #[arg(long)]
    pub engine: i64,
    /// Cell id.
    #[arg(long)]
    pub cell: i64,
    /// Layer id (generate on a layer of the cell).
    #[arg(long)]
    pub layer: Option<i64>,
    /// Creation card type (openapi.yaml's GenerationType); an internal Rails
    /// name (`text_generation`...) is also taken and sent as GEN's docs say.
    #[arg(long = "type", value_parser = GenerationTypeParser)]
    pub card_type: String,
    /// The card's `data` object as JSON.
    #[arg(long)]
    pub data: String,
    /// Wait for the generation to finish.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub limits: WaitLimits,
}

/// How long a wait may last.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitLimits {
    /// Longest wait in seconds (0: ask once). The wait ends at most 1 s
    /// after it, whatever the server does.
    #[arg(long, default_value_t = 1800)]
    pub max_wait: u64,
    /// Give up (resumably) after this many seconds in a row without
    /// reaching GEN (connection refused, DNS failure...).
    #[arg(long, default_value_t = 120)]
    pub max_unreachable: u64,
}

impl WaitLimits {
    /// The wait options these limits give.
    pub fn options(&self) -> WaitOptions {
        WaitOptions::default()
            .max_wait(Duration::from_secs(self.max_wait))
            .max_unreachable(Some(Duration::from_secs(self.max_unreachable)))
    }
}

/// `gen wait`.
#[derive(Debug, clap::Args)]
pub struct WaitArgs {
    /// Generation id.
    pub generation_id: i64,
    #[command(flatten)]
    pub limits: WaitLimits,
}

/// A generation id argument.
#[derive(Debug, clap::Args)]
pub struct IdArg {
    /// Generation id.
    pub generation_id: i64,
}

/// `gen upload`.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The file to upload (up to 1 GiB).
    pub file: PathBuf,
    /// Agent to upload for.
    #[arg(long)]
    pub agent: i64,
    /// Content type (default: from the file extension).
    #[arg(long)]
    pub content_type: Option<String>,
}

/// `gen render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Agent owning the engine.
    #[arg(long)]
    pub agent: i64,
    /// Engine (vidsheet) id.
    #[arg(long)]
    pub engine: i64,
    /// The final_video cell id.
    #[arg(long)]
    pub cell: i64,
    /// Wait for the render to finish.
    #[arg(long)]
    pub wait: bool,
    /// Download the video to this path (implies --wait).
    #[arg(long)]
    pub download: Option<PathBuf>,
    #[command(flatten)]
    pub limits: WaitLimits,
}

/// `gen publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Agent to publish from (needs a connected TikTok account).
    #[arg(long)]
    pub agent: i64,
    /// Public URL of the video (a render's output URL works).
    #[arg(long)]
    pub media_url: String,
    /// The post's caption.
    #[arg(long)]
    pub description: String,
    /// Schedule for this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
}

/// `gen credits`.
#[derive(Debug, clap::Args)]
pub struct CreditsArgs {
    /// Workspace (organization) id.
    #[arg(long)]
    pub org: i64,
}

/// `gen mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Send the fields no seed pins in other plausible shapes (a number as a
    /// string and the reverse, null, left out, unknown fields added), seeded:
    /// the same seed and requests give the same answers. Pinned fields never
    /// change. GEN_MOCK_VARY=SEED does the same, also for the built-in fake
    /// of offline runs (`gen journey`, `gen api`, `gen mcp` without a key).
    #[arg(long, value_name = "SEED")]
    pub vary: Option<u64>,
}

/// The values of `--type`: the generation types of genpro-api's generated
/// [`GenerationType`] (openapi.yaml), shown by `--help` and completions;
/// an internal Rails name (`…_generation`, lowercase) is taken too.
#[derive(Clone, Copy, Debug)]
pub struct GenerationTypeParser;

impl clap::builder::TypedValueParser for GenerationTypeParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<String, clap::Error> {
        let value = value.to_string_lossy();
        let rails = value.strip_suffix("_generation").is_some_and(|stem| {
            !stem.is_empty()
                && stem
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
        if GenerationType::KNOWN.contains(&value.as_ref()) || rails {
            return Ok(value.into_owned());
        }
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "invalid value '{value}' for '--type <CARD_TYPE>'\n  [possible values: {}; or an internal `…_generation` name]\n",
                GenerationType::KNOWN.join(", ")
            ),
        )
        .with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            GenerationType::KNOWN
                .iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

/// The generate body of `--type` and `--data`: a canonical card, or an
/// internal Rails name (`text_generation`...) normalised where genpro-sdk knows
/// the mapping and sent as given otherwise.
fn card_from(card_type: &str, data: &str) -> Result<GenerateBody> {
    let data: serde_json::Value = serde_json::from_str(data)
        .map_err(|e| ui::refused(format!("--data is not valid JSON: {e}")))?;
    GenerateBody::from_json(&serde_json::json!({ "generation_type": card_type, "data": data }))
        .map_err(|e| {
            ui::refused(format!(
                "--type {card_type} with this --data is not a valid creation card: {e}"
            ))
        })
}

/// `gen generate`.
pub async fn generate(global: &Global, args: GenerateArgs) -> Result<()> {
    let card = card_from(&args.card_type, &args.data)?;
    card.validate()?;
    // where the seeds disagree (e.g. Veo with 10 s) the card is sent: say so
    for warning in card.warnings() {
        eprintln!("note: {warning}");
    }
    let progress = Progress::new();
    let conn = Connection::open(global, false, &progress).await?;
    let cell = conn
        .client
        .agent(AgentId::new(args.agent))
        .engine(EngineId::new(args.engine))
        .cell(CellId::new(args.cell));
    let triggered = match args.layer {
        Some(layer) => cell.layer(LayerId::new(layer)).generate(&card).await?,
        None => cell.generate(&card).await?,
    };
    let created = &triggered.answer;
    if args.wait {
        let pb = progress.step("generate");
        let snap = wait_job_with(
            &conn.client,
            JobRef::Generation(created.generation_id),
            args.limits.options(),
            &pb,
        )
        .await?;
        pb.finish_and_clear();
        print_snapshot(global.json, &snap);
    } else {
        ui::output(global.json, &created, || {
            format!(
                "generation {} {}",
                created.generation_id,
                created.status.as_str()
            )
        });
    }
    Ok(())
}

fn print_snapshot(json: bool, snap: &JobSnapshot) {
    ui::output(json, &snap.body, || {
        let mut line = format!("{} {}", snap.job, snap.raw_status);
        if let Some(r) = &snap.result {
            line.push_str(&format!("\n{r}"));
        }
        for o in &snap.output_resources {
            line.push_str(&format!("\n{}", o.url));
        }
        line
    });
}

/// `gen wait`.
pub async fn wait(global: &Global, args: WaitArgs) -> Result<()> {
    let progress = Progress::new();
    let conn = Connection::open(global, false, &progress).await?;
    let pb = progress.step("wait");
    let snap = wait_job_with(
        &conn.client,
        JobRef::Generation(args.generation_id),
        args.limits.options(),
        &pb,
    )
    .await?;
    pb.finish_and_clear();
    print_snapshot(global.json, &snap);
    Ok(())
}

/// `gen stop`.
pub async fn stop(global: &Global, args: IdArg) -> Result<()> {
    let conn = Connection::open(global, false, &Progress::new()).await?;
    let g = conn
        .client
        .generation(GenerationId::new(args.generation_id))
        .stop()
        .await?;
    ui::output(global.json, &g, || {
        format!(
            "generation {} {} (credits refunded)",
            g.id,
            g.status.as_str()
        )
    });
    Ok(())
}

/// `gen continue`.
pub async fn continue_(global: &Global, args: IdArg) -> Result<()> {
    let conn = Connection::open(global, false, &Progress::new()).await?;
    let g = conn
        .client
        .generation(GenerationId::new(args.generation_id))
        .resume()
        .await?;
    ui::output(global.json, &g, || {
        format!(
            "generation {} {} (credits charged again)",
            g.id,
            g.status.as_str()
        )
    });
    Ok(())
}

/// `gen upload`.
pub async fn upload(global: &Global, args: UploadArgs) -> Result<()> {
    let progress = Progress::new();
    let conn = Connection::open(global, false, &progress).await?;
    let mut source = UploadSource::path(&args.file);
    if let Some(ct) = &args.content_type {
        source = source.with_content_type(ct.clone());
    }
    let pb = progress.bytes("upload", 0);
    let bar = pb.clone();
    let options = UploadOptions::new().on_progress(move |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    let resource = conn
        .client
        .agent(AgentId::new(args.agent))
        .upload(source, options)
        .await
        .with_context(|| format!("uploading {}", args.file.display()))?;
    pb.finish_and_clear();
    ui::output(global.json, &resource.resource, || {
        format!(
            "content resource {} {}",
            resource.id,
            ui::or_unknown(resource.resource.url.as_ref())
        )
    });
    Ok(())
}

/// `gen render`.
pub async fn render(global: &Global, args: RenderArgs) -> Result<()> {
    let progress = Progress::new();
    let conn = Connection::open(global, false, &progress).await?;
    let triggered = conn
        .client
        .agent(AgentId::new(args.agent))
        .engine(EngineId::new(args.engine))
        .cell(CellId::new(args.cell))
        .render()
        .await?;
    let created = &triggered.answer;
    if !args.wait && args.download.is_none() {
        ui::output(global.json, &created, || {
            format!(
                "render {} {}",
                created.generation_id,
                created.status.as_str()
            )
        });
        return Ok(());
    }
    let pb = progress.step("render");
    let snap = wait_job_with(
        &conn.client,
        JobRef::Generation(created.generation_id),
        args.limits.options(),
        &pb,
    )
    .await?;
    pb.finish_and_clear();
    if let Some(path) = &args.download {
        let url = snap
            .output_resources
            .first()
            .map(|r| r.url.clone())
            .ok_or_else(|| anyhow!("the render completed without an output URL"))?;
        download_to(&url, path, &progress).await?;
    }
    print_snapshot(global.json, &snap);
    Ok(())
}

/// `gen publish`.
pub async fn publish(global: &Global, args: PublishArgs) -> Result<()> {
    let mut post = PublishPost::tiktok(args.media_url, args.description);
    if let Some(at) = &args.at {
        let at = chrono::DateTime::parse_from_rfc3339(at).map_err(|e| {
            ui::refused(format!(
                "--at {at:?} is not an RFC 3339 time (e.g. 2026-04-20T15:00:00Z): {e}"
            ))
        })?;
        post = post.scheduled(at.with_timezone(&chrono::Utc));
    }
    post.validate()?;
    let conn = Connection::open(global, false, &Progress::new()).await?;
    let job = conn
        .client
        .agent(AgentId::new(args.agent))
        .publish(&post)
        .await?;
    ui::output(
        global.json,
        &serde_json::json!({ "user_job_id": job }),
        || format!("publish job {job} created"),
    );
    Ok(())
}

/// `gen credits`.
pub async fn credits(global: &Global, args: CreditsArgs) -> Result<()> {
    let conn = Connection::open(global, false, &Progress::new()).await?;
    let org = conn
        .client
        .organization(OrganizationId::new(args.org))
        .await?;
    let credit = org
        .available_credit
        .clone()
        .ok_or_else(|| anyhow!("organization {} did not report available_credit", args.org))?;
    ui::output(global.json, &credit, || {
        format!(
            "{} (workspace {}): {} generic credits, {} aura",
            ui::or_unknown(org.name.as_ref()),
            args.org,
            ui::or_unknown(credit.generic.as_ref()),
            ui::or_unknown(credit.aura.as_ref())
        )
    });
    Ok(())
}

/// `gen mock`: serve the fake until Ctrl-C.
pub async fn mock(global: &Global, args: MockArgs) -> Result<()> {
    let mut config = genpro_mock::MockConfig::default().with_port(args.port);
    let vary = args.vary.or(global.mock_vary);
    if let Some(seed) = vary {
        config = config.vary(seed);
    }
    let server = genpro_mock::MockServer::start(config)
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    println!("genpro-mock serving the GEN API at {}", server.base_url());
    if let Some(seed) = vary {
        println!("answers varied with seed {seed}: the fields no seed pins come in other shapes");
    }
    println!("API key: {}", server.api_key());
    println!(
        "try: GEN_API_URL={url} GEN_AGENT_URL={url} GEN_API_KEY={key} gen credits --org 1",
        url = server.base_url(),
        key = server.api_key()
    );
    tokio::signal::ctrl_c().await.ok();
    server.shutdown().await;
    Ok(())
}
