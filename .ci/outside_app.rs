//! An app outside the repository on the packaged crates (built and run by `.ci/package.sh`).

use genpro_sdk::genpro_api::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = genpro_mock::MockServer::start(genpro_mock::MockConfig::default()).await?;
    let client = genpro_sdk::GenClient::builder()
        .api_key("mock-key")
        .api_url(server.base_url())
        .agent_url(server.base_url())
        .allow_insecure_http(true)
        .build()?;
    let me = client.raw().get_me().send().await?;
    println!("outside app: GET /v1/me answered {:?}", me.into_inner().email);
    server.shutdown().await;
    Ok(())
}
