//! Paginated lists as streams: lazy, in order, errors surfaced.

use futures::{StreamExt, TryStreamExt};
use genpro_sdk::pagination::{AssetFilter, AssetItem, ContentResourceFilter};
use genpro_sdk::steps::AgentId;
use genpro_sdk::{GenClient, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;

fn client(server: &MockServer) -> GenClient {
    GenClient::builder()
        .api_key("k")
        .api_url(server.base_url())
        .agent_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn resource(id: i64) -> serde_json::Value {
    json!({"id": id, "url": format!("https://cdn.gen.pro/r/{id}.mp4")})
}

async fn resources_page<'a>(
    server: &'a MockServer,
    page: u32,
    ids: &[i64],
    total_pages: i64,
) -> httpmock::Mock<'a> {
    let body = json!({
        "content_resources": ids.iter().map(|i| resource(*i)).collect::<Vec<_>>(),
        "meta": {"page": page, "per_page": 2, "total_pages": total_pages, "total_count": 5}
    });
    server
        .mock_async(move |when, then| {
            when.method("GET")
                .path("/v1/content_resources")
                .query_param("agent_id", "42")
                .query_param("page", page.to_string())
                .query_param("type", "video");
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn three_pages_in_order_with_one_request_each() {
    let server = MockServer::start_async().await;
    let p1 = resources_page(&server, 1, &[1, 2], 3).await;
    let p2 = resources_page(&server, 2, &[3, 4], 3).await;
    let p3 = resources_page(&server, 3, &[5], 3).await;
    let items: Vec<_> = client(&server)
        .agent(AgentId::new(42))
        .content_resources(ContentResourceFilter::default().object_type("video"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        items.iter().filter_map(|r| r.id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    // one request per page; a fourth (or any other) request would match no
    // mock, get a 404 and fail the collect above
    for page in [&p1, &p2, &p3] {
        assert_eq!(page.calls_async().await, 1);
    }
}

#[tokio::test]
async fn taking_two_items_fetches_only_the_first_page() {
    let server = MockServer::start_async().await;
    let p1 = resources_page(&server, 1, &[1, 2], 3).await;
    let p2 = resources_page(&server, 2, &[3, 4], 3).await;
    let items: Vec<_> = client(&server)
        .agent(AgentId::new(42))
        .content_resources(ContentResourceFilter::default().object_type("video"))
        .take(2)
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(p1.calls_async().await, 1);
    assert_eq!(p2.calls_async().await, 0);
}

#[tokio::test]
async fn an_error_on_page_two_follows_page_one_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    let _p1 = resources_page(&server, 1, &[1, 2], 3).await;
    let p2 = server
        .mock_async(|when, then| {
            when.path("/v1/content_resources").query_param("page", "2");
            then.status(404)
                .json_body(json!({"error": "Not found", "error_code": "not_found"}));
        })
        .await;
    let p3 = resources_page(&server, 3, &[5], 3).await;
    let results: Vec<_> = client(&server)
        .agent(AgentId::new(42))
        .content_resources(ContentResourceFilter::default().object_type("video"))
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().id, Some(1));
    assert_eq!(results[1].as_ref().unwrap().id, Some(2));
    assert_eq!(results[2].as_ref().unwrap_err().status(), Some(404));
    assert_eq!(p2.calls_async().await, 1);
    assert_eq!(p3.calls_async().await, 0);
}

#[tokio::test]
async fn without_meta_an_empty_page_ends_the_stream() {
    let server = MockServer::start_async().await;
    let page = |n: u32, ids: &'static [i64]| {
        let body =
            json!({"content_resources": ids.iter().map(|i| resource(*i)).collect::<Vec<_>>()});
        server.mock_async(move |when, then| {
            when.path("/v1/content_resources")
                .query_param("page", n.to_string());
            then.status(200).json_body(body);
        })
    };
    let p1 = page(1, &[1, 2]).await;
    let p2 = page(2, &[3]).await;
    let p3 = page(3, &[]).await;
    let p4 = page(4, &[4]).await;
    let items: Vec<_> = client(&server)
        .agent(AgentId::new(42))
        .content_resources(ContentResourceFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        items.iter().filter_map(|r| r.id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for (mock, calls) in [(&p1, 1), (&p2, 1), (&p3, 1), (&p4, 0)] {
        assert_eq!(mock.calls_async().await, calls);
    }
}

#[tokio::test]
async fn templates_stop_at_a_short_page() {
    let server = MockServer::start_async().await;
    let full: Vec<_> = (0..50)
        .map(|i| json!({"slug": format!("t-{i}"), "title": "T"}))
        .collect();
    let p1 = server
        .mock_async(move |when, then| {
            when.path("/v1/templates/projects")
                .query_param("page", "1")
                .query_param("per_page", "50");
            then.status(200).json_body(json!(full));
        })
        .await;
    let p2 = server
        .mock_async(|when, then| {
            when.path("/v1/templates/projects")
                .query_param("page", "2")
                .query_param("per_page", "50");
            then.status(200)
                .json_body(json!([{"slug": "last", "title": "L"}]));
        })
        .await;
    let templates: Vec<_> = client(&server)
        .templates_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(templates.len(), 51);
    assert_eq!(templates[50].slug.as_deref(), Some("last"));
    assert_eq!(p1.calls_async().await, 1);
    assert_eq!(p2.calls_async().await, 1);
}

#[tokio::test]
async fn asset_library_yields_folders_then_resources_with_filters() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.path("/v1/asset_libraries")
                .query_param("agent_id", "42")
                .query_param("folder_id", "7")
                .query_param("search", "taco")
                .query_param("page", "1");
            then.status(200).json_body(json!({
                "asset_folders": [{"id": 7, "name": "B-roll"}],
                "content_resources": [resource(9)],
                "meta": {"page": 1, "total_pages": 1}
            }));
        })
        .await;
    let items: Vec<_> = client(&server)
        .agent(AgentId::new(42))
        .asset_library(AssetFilter::default().folder_id(7).search("taco"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(page.calls_async().await, 1);
    assert!(matches!(&items[0], AssetItem::Folder(f) if f.id == Some(7)));
    assert!(matches!(&items[1], AssetItem::Resource(r) if r.id == Some(9)));
    assert_eq!(items.len(), 2);
}
