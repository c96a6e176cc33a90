//! Step 5 — export and publish: render the final_video cell and wait,
//! download the video (no API key goes to the CDN), publish to TikTok now.
//!
//! `cargo run -p genpro-sdk --example step5_publish` (offline without `GEN_API_KEY`).

mod common;

use genpro_sdk::download::DownloadOptions;
use genpro_sdk::phases::{CellRef, PublishPost};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = common::connect().await?;
    let client = &session.client;
    let agent = session.agent_id;

    let engine = client
        .vidsheet()
        .clone_template("tiktok-talking-avatar", agent)
        .await?;
    let final_video = common::cell_of(&engine, "final_video", None).ok_or("no final_video cell")?;

    let render = client
        .publish()
        .render_and_wait(CellRef::new(
            agent,
            engine.id.unwrap_or_default(),
            final_video,
        ))
        .await?
        .into_completed()?;
    let url = render
        .output_resources
        .first()
        .map(|r| r.url.clone())
        .ok_or("the render has no output")?;
    println!("rendered: {url}");

    let path =
        std::env::temp_dir().join(format!("gen-final-{}.mp4", engine.id.unwrap_or_default()));
    let file = client
        .publish()
        .download(&url, &path, DownloadOptions::new().overwrite(true))
        .await?;
    println!("downloaded {} bytes to {}", file.bytes, file.path.display());
    std::fs::remove_file(&path).ok();

    let post = PublishPost::tiktok(&url, "The $2 taco at 2am #streetfood #tacotok");
    let job = client
        .publish()
        .publish_and_wait(agent, &post)
        .await?
        .into_completed()?;
    println!(
        "published: post id {}",
        job.body
            .pointer("/result/post_id")
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
    Ok(())
}
