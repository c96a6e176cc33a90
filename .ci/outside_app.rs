//! An app outside the repository on the packaged crates (built and run by `.ci/package.sh`):
//! offline against the packaged fake, clone → generate and wait → render and wait, cells by role.

use genpro_sdk::GenClient;
use genpro_sdk::cards::{AspectRatio, Card, VideoFromTextCard, VideoFromTextModel};
use genpro_sdk::steps::Role;
use genpro_sdk::wait::WaitOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = GenClient::connect_or_offline().await?;
    assert!(conn.is_offline(), "CI runs the outside app with no GEN_API_KEY");
    let agent = conn.agent()?;
    let cloned = agent.clone_template("tiktok-talking-avatar").await?;
    let engine = agent.engine(cloned.id);
    let card = Card::from(
        VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    let wait = WaitOptions::default();
    let video = engine.cell_by_role(Role::Video).await?;
    video.generate_and_wait(&card, &wait).await?.into_completed()?;
    let render = engine
        .cell_by_role(Role::FinalVideo)
        .await?
        .render_and_wait(&wait)
        .await?
        .into_completed()?;
    println!("outside app: rendered {}", render.output_resources[0].url);
    conn.close().await;
    Ok(())
}
