//! Step 3 — convert an idea to a vidsheet: pick the template tagged with the
//! idea's video type and clone it (free of credits).
//!
//! `cargo run -p gen-sdk --example step3_vidsheet` (offline without `GEN_API_KEY`).

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = common::connect().await?;
    let client = &session.client;

    let video_type = "montage"; // an idea's `video_type`
    let templates = client.vidsheet().templates().await?;
    for t in &templates {
        println!("template {} — tags {:?}", t.slug, t.tags);
    }
    let slug = templates
        .iter()
        .find(|t| t.tags.iter().any(|tag| tag == video_type))
        .map(|t| t.slug.as_str())
        .unwrap_or("tiktok-talking-avatar");

    let engine = client
        .vidsheet()
        .clone_template(slug, session.agent_id)
        .await?;
    println!(
        "cloned {slug} into engine {}: {} columns, {} rows",
        engine.id,
        engine.spreadsheet_columns.len(),
        engine.spreadsheet_rows.len()
    );
    Ok(())
}
