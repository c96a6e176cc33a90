//! Step 3 — convert an idea to a vidsheet: take an idea's video type, pick
//! the template tagged with it and clone it (free of credits).
//!
//! `cargo run -p genpro-sdk --features offline --example step3_vidsheet [-- VIDEO_TYPE]`
//! (offline without `GEN_API_KEY`). The video type is the argument if given,
//! else the one of the agent's latest idea, else `montage`.

use futures::TryStreamExt;
use genpro_sdk::GenClient;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    let agent = conn.agent()?;

    let from_idea = agent.ideas(None).await?.into_iter().rev().find_map(|idea| {
        let title = idea.title.unwrap_or_else(|| "(untitled)".to_owned());
        Some((title, idea.video_type?.to_string()))
    });
    let (video_type, source) = match (std::env::args().nth(1), from_idea) {
        (Some(arg), _) => (arg, "the command line".to_owned()),
        (None, Some((title, video_type))) => (video_type, format!("idea \"{title}\"")),
        (None, None) => ("montage".to_owned(), "the default (no idea yet)".to_owned()),
    };
    println!("video type {video_type} (from {source})");

    // every page of the template list, fetched lazily
    let templates: Vec<_> = conn.client.templates_stream().try_collect().await?;
    for t in &templates {
        let slug = t.slug.as_deref().unwrap_or("(no slug)");
        println!("template {slug} — tags {:?}", t.tags);
    }
    let slug = templates
        .iter()
        .filter(|t| t.tags.contains(&video_type))
        .find_map(|t| t.slug.as_deref())
        .unwrap_or("tiktok-talking-avatar");

    // the engine id is typed and required: it feeds the next call as is
    let cloned = agent.clone_template(slug).await?;
    println!(
        "cloned {slug} into engine {}: {} columns, {} rows",
        cloned.id,
        cloned.engine.spreadsheet_columns.len(),
        cloned.engine.spreadsheet_rows.len()
    );
    conn.close().await;
    Ok(())
}
