//! Step 4 — edit and generate: write the script cell, then generate the video
//! cell from a typed creation card and wait for it with progress. Cells are
//! found by role: their ids differ per clone.
//!
//! `cargo run -p genpro-sdk --features offline --example step4_edit`
//! (offline without `GEN_API_KEY`).

use genpro_sdk::GenClient;
use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
use genpro_sdk::steps::Role;
use genpro_sdk::wait::WaitOptions;
use genpro_sdk::workflow::describe_progress;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    let agent = conn.agent()?;
    let cloned = agent.clone_template("tiktok-talking-avatar").await?;
    let engine = agent.engine(cloned.id);

    let script = engine.cell_by_role(Role::Script).await?;
    script.update("The $2 taco at 2am saved my life.").await?;
    println!("script cell {} written", script.id());

    let card = Card::from(
        VideoFromTextCard::new(
            "San Antonio taco truck at golden hour, steam rising, handheld camera",
            VideoFromTextModel::Kling16,
        )
        .aspect_ratio(AspectRatio::Ratio9x16)
        .duration(10),
    );
    // progress arrives on a channel while the wait runs
    let (progress, mut events) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(async move {
        while let Some(p) = events.recv().await {
            println!(
                "  … {} ({:?}, {} requests)",
                describe_progress(&p),
                p.mode,
                p.polls
            );
        }
    });
    let video = engine.cell_by_role(Role::Video).await?;
    // validated first; a paid POST, never sent twice
    let outcome = video
        .generate_and_wait(&card, &WaitOptions::default().progress(progress))
        .await?;
    printer.await?;
    for output in &outcome.into_completed()?.output_resources {
        println!("output: {}", output.url);
    }
    conn.close().await;
    Ok(())
}
