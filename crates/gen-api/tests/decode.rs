//! `genpro_api::transport::decode` reads a body in pieces, and a body that
//! breaks off fails with the same error reqwest's `Response::bytes` gives.
//! Against a raw local server on 127.0.0.1.

use std::time::Duration;

use genpro_api::transport::decode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves every connection with `head` and then `pieces`, a pause between
/// them, and closes.
async fn serve(head: &'static str, pieces: &'static [&'static str]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                socket.write_all(head.as_bytes()).await.unwrap();
                for piece in pieces {
                    socket.write_all(piece.as_bytes()).await.unwrap();
                    socket.flush().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
    });
    format!("http://{addr}/v1/x")
}

#[tokio::test]
async fn a_body_in_pieces_decodes_whole() {
    let url = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 27\r\nx-request-id: r1\r\n\r\n",
        &["{\"id\":9000,", "\"status\":", "\"done\"}"],
    )
    .await;
    let answer = reqwest::get(&url).await.unwrap();
    let value = decode::<serde_json::Value, ()>(answer).await.unwrap();
    assert_eq!(value.status(), 200);
    assert_eq!(value.headers()["x-request-id"], "r1");
    assert_eq!(
        value.into_inner(),
        serde_json::json!({"id": 9000, "status": "done"})
    );
}

#[tokio::test]
async fn a_body_that_breaks_off_fails_as_bytes_fails() {
    let url = serve(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n",
        &["{\"id\":"],
    )
    .await;
    let http = reqwest::Client::new();
    let by_bytes = http
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap_err();
    let answer = http.get(&url).send().await.unwrap();
    let by_decode = match decode::<serde_json::Value, ()>(answer).await {
        Err(progenitor_client::Error::ResponseBodyError(e)) => e,
        other => panic!("not a body error: {other:?}"),
    };
    assert_eq!(by_decode.to_string(), by_bytes.to_string());
    assert_eq!(by_decode.url().map(|u| u.as_str()), Some(url.as_str()));
    assert_eq!(by_decode.url(), by_bytes.url());
    assert!(by_decode.is_decode() && by_bytes.is_decode());
}

#[tokio::test]
async fn an_empty_body_reads_as_null() {
    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Thing {
        id: i64,
    }
    let url = serve("HTTP/1.1 204 No Content\r\n\r\n", &[]).await;
    let answer = reqwest::get(&url).await.unwrap();
    let value = decode::<Option<Thing>, ()>(answer).await.unwrap();
    assert_eq!(value.status(), 204);
    assert_eq!(value.into_inner(), None);
    let answer = reqwest::get(&url).await.unwrap();
    let value = decode::<serde_json::Value, ()>(answer).await.unwrap();
    assert_eq!(value.into_inner(), serde_json::Value::Null);
    // A type that cannot be null refuses it, the body kept as it came.
    let answer = reqwest::get(&url).await.unwrap();
    match decode::<Thing, ()>(answer).await {
        Err(progenitor_client::Error::InvalidResponsePayload(body, e)) => {
            assert!(body.is_empty());
            assert_eq!(
                e.to_string(),
                "invalid type: null, expected struct Thing at line 1 column 4"
            );
        }
        other => panic!("{other:?}"),
    }
}
