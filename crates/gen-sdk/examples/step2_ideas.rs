//! Step 2 — generate content ideas: start an agent run, wait for it (bounded,
//! with the waiter), read the ideas from the conversation.
//!
//! `cargo run -p genpro-sdk --example step2_ideas` (offline without `GEN_API_KEY`).

mod common;

use std::time::Duration;

use genpro_sdk::wait::{JobRef, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = common::connect().await?;
    let client = &session.client;

    let run = client
        .ideas()
        .start_run(
            session.agent_id,
            "Generate 5 content ideas grounded in this week trends",
            None,
        )
        .await?;
    println!("run {} started", run.run_id);

    let waiter = client
        .waiter()
        .with_options(WaitOptions::default().max_wait(Duration::from_secs(600)));
    waiter
        .wait(JobRef::AgentRun(run.run_id.clone()))
        .await?
        .into_completed()?;

    let conversation = run.conversation_id.ok_or("the run has no conversation")?;
    for message in client.ideas().messages(&conversation).await? {
        for idea in &message.ideas {
            println!(
                "- {} [{}] — {}",
                idea.title.as_deref().unwrap_or("(untitled)"),
                idea.video_type
                    .as_ref()
                    .map(|v| v.as_str())
                    .unwrap_or("any"),
                idea.hook.as_deref().unwrap_or("")
            );
        }
    }
    Ok(())
}
