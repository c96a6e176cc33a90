//! Step 4 — edit and generate: write the script cell, then generate the video
//! cell from a typed creation card and wait for it with progress.
//!
//! `cargo run -p genpro-sdk --example step4_edit` (offline without `GEN_API_KEY`).

mod common;

use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
use genpro_sdk::phases::CellRef;
use genpro_sdk::wait::JobRef;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = common::connect().await?;
    let client = &session.client;
    let agent = session.agent_id;

    let engine = client
        .vidsheet()
        .clone_template("tiktok-talking-avatar", agent)
        .await?;
    if let Some(script) = common::cell_of(&engine, "ingredient", Some("text")) {
        client
            .edit()
            .update_cell(
                CellRef::new(agent, engine.id.unwrap_or_default(), script),
                "The $2 taco at 2am saved my life.",
            )
            .await?;
        println!("script cell {script} written");
    }

    let video = common::cell_of(&engine, "video", None).ok_or("no video cell")?;
    let card = Card::from(
        VideoFromTextCard::new(
            "San Antonio taco truck at golden hour, steam rising, handheld camera",
            VideoFromTextModel::Kling16,
        )
        .aspect_ratio(AspectRatio::Ratio9x16)
        .duration(10),
    );
    // validated first; a paid POST, never sent twice
    let created = client
        .edit()
        .generate_on_cell(
            CellRef::new(agent, engine.id.unwrap_or_default(), video),
            &card,
        )
        .await?;
    println!(
        "generation {} {}",
        created.generation_id,
        created.status.as_str()
    );

    let (done, mut progress) = client
        .waiter()
        .wait_with_progress(JobRef::Generation(created.generation_id));
    // the channel closes when the wait ends, which ends this task
    let printer = tokio::spawn(async move {
        while progress.changed().await.is_ok() {
            let p = progress.borrow_and_update().clone();
            if let Some(status) = &p.status {
                let percent = p
                    .progress_percent
                    .map(|pc| format!(" {pc:.0}%"))
                    .unwrap_or_default();
                println!(
                    "  … {status}{percent} ({:?}, {} requests, {:.1?})",
                    p.mode, p.polls, p.elapsed
                );
            }
        }
    });
    let outcome = done.await?;
    printer.await?;
    let snapshot = outcome.into_completed()?;
    for output in &snapshot.output_resources {
        println!("output: {}", output.url);
    }
    Ok(())
}
