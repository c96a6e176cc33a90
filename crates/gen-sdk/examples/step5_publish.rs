//! Step 5 — export and publish: render the final_video cell and wait,
//! download the video (no API key goes to the CDN), publish to TikTok now,
//! then schedule a second post (accepted by GEN, not waited for).
//!
//! `cargo run -p genpro-sdk --features offline --example step5_publish`
//! (offline without `GEN_API_KEY`).

use genpro_sdk::GenClient;
use genpro_sdk::chrono::{Duration, Utc};
use genpro_sdk::download::DownloadOptions;
use genpro_sdk::steps::{PublishOutcome, PublishPost, Role};
use genpro_sdk::wait::WaitOptions;
use genpro_sdk::workflow::published_post_id;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    let agent = conn.agent()?;
    let wait = WaitOptions::default();
    let cloned = agent.clone_template("tiktok-talking-avatar").await?;
    let final_video = agent
        .engine(cloned.id)
        .cell_by_role(Role::FinalVideo)
        .await?;

    let render = final_video.render_and_wait(&wait).await?.into_completed()?;
    let url = render
        .output_resources
        .first()
        .map(|r| r.url.clone())
        .ok_or("the render has no output")?;
    println!("rendered: {url}");

    let path = std::env::temp_dir().join(format!("gen-final-{}.mp4", cloned.id));
    let file = conn
        .client
        .download(&url, &path, DownloadOptions::new().overwrite(true))
        .await?;
    println!("downloaded {} bytes to {}", file.bytes, file.path.display());
    std::fs::remove_file(&path).ok();

    let post = PublishPost::tiktok(&url, "The $2 taco at 2am #streetfood #tacotok");
    let published = agent.publish_and_wait(&post, &wait).await?;
    println!("published: post id {:?}", published_post_id(&published));

    let later = post.scheduled(Utc::now() + Duration::hours(3));
    match agent.publish_and_wait(&later, &wait).await? {
        PublishOutcome::Scheduled {
            user_job_id,
            scheduled_time,
        } => println!("publish job {user_job_id} scheduled for {scheduled_time}"),
        other => println!("scheduled post: {other}"),
    }
    conn.close().await;
    Ok(())
}
