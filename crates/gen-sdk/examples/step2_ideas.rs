//! Step 2 — generate content ideas: start an agent run, wait for it (bounded),
//! read the ideas from the conversation.
//!
//! `cargo run -p genpro-sdk --features offline --example step2_ideas`
//! (offline without `GEN_API_KEY`).

use std::time::Duration;

use genpro_sdk::GenClient;
use genpro_sdk::wait::WaitOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    let run = conn
        .agent()?
        .start_run(
            "Generate 5 content ideas grounded in this week trends",
            None,
        )
        .await?;
    println!("run {} started", run.run_id);

    let wait = WaitOptions::default().max_wait(Duration::from_secs(600));
    conn.client
        .wait_run(&run.run_id, &wait)
        .await?
        .into_completed()?;

    let conversation = run.conversation_id.ok_or("the run has no conversation")?;
    for message in conn.client.messages(&conversation).await? {
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
    conn.close().await;
    Ok(())
}
