//! Step 1 — set up the agent: one Agent Core PATCH (only the fields set are
//! sent), then the workspace's credit balance.
//!
//! `cargo run -p genpro-sdk --features offline --example step1_setup`
//! (offline without `GEN_API_KEY`).

use genpro_sdk::GenClient;
use genpro_sdk::steps::OrganizationId;
use genpro_sdk::workflow::seed_persona;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    let me = conn.client.me().await?;
    println!("signed in as user {}", me.id.unwrap_or_default());

    // validated before sending: description ≤ 500, personality ≤ 20000 characters
    let saved = conn.agent()?.update_core(&seed_persona()).await?;
    if saved.is_complete() {
        println!("agent core saved (HTTP {})", saved.status);
    } else {
        println!(
            "agent core saved except: {}",
            saved.failed_section_names().join(", ")
        );
    }

    if let Some(credit) = conn.client.credits(OrganizationId::new(1)).await? {
        // no seed shows the balance with values: either may be missing
        let show = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        println!(
            "workspace 1: {} generic credits, {} aura",
            show(credit.generic),
            show(credit.aura)
        );
    }
    conn.close().await;
    Ok(())
}
