//! Step 1 — set up the agent: one Agent Core PATCH (only the fields set are
//! sent), then the workspace's credit balance.
//!
//! `cargo run -p genpro-sdk --example step1_setup` (offline without `GEN_API_KEY`).

mod common;

use genpro_sdk::agent_core::AgentCorePatch;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = common::connect().await?;
    let client = &session.client;

    let me = client.setup().me().await?;
    println!("signed in as user {}", me.id.unwrap_or_default());

    let patch = AgentCorePatch::new()
        .brand_name("Santiago")
        .description("San Antonio street food scout who hunts the best tacos.")
        .identity_type("character")
        .goal("growth")
        .target_platforms(["tiktok", "instagram"])
        .shortform(true)
        .keywords(["streetfood", "foodtruck", "tacotok"])
        .personality("Santiago grew up eating at his tia taco stand in south San Antonio...");
    // validated before sending: description ≤ 500, personality ≤ 20000 characters
    let saved = client
        .setup()
        .update_agent_core(session.agent_id, &patch)
        .await?;
    if saved.is_complete() {
        println!("agent core saved (HTTP {})", saved.status);
    } else {
        println!(
            "agent core saved except: {}",
            saved.failed_section_names().join(", ")
        );
    }

    if let Some(credit) = client.setup().credits(1).await? {
        // no seed shows the balance with values: either may be missing
        let show = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        println!(
            "workspace 1: {} generic credits, {} aura",
            show(credit.generic),
            show(credit.aura)
        );
    }
    Ok(())
}
