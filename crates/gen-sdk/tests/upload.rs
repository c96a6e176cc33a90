//! `Edit::upload`: the wire format of both ways (multipart, direct upload),
//! checksums, size limits, retries, progress and cancellation, against a
//! recording server on 127.0.0.1.

mod upload_common;

use genpro_sdk::steps::{AgentId, ContentResourceId};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genpro_sdk::ErrorKind;
use genpro_sdk::GenClient;
use genpro_sdk::retry::testing::ManualTime;
use genpro_sdk::upload::{
    MAX_UPLOAD_BYTES, UploadOptions, UploadPhase, UploadSource, md5_base64, md5_base64_file,
};
use serde_json::json;
use upload_common::*;

struct Fixture {
    api: Server,
    storage: Server,
    time: ManualTime,
    client: GenClient,
}

/// An API server answering direct_upload (pointing at `storage`) and
/// content_resources, and a storage server answering with `storage_reply`.
async fn fixture(
    storage_reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
) -> Fixture {
    let storage = Server::start(storage_reply).await;
    let storage_url = format!(
        "{}/storage/blob-abc?X-Amz-Signature=sig&X-Amz-Expires=300",
        storage.base
    );
    let api = Server::start(
        move |req, _| match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/direct_upload") => {
                let blob = &req.json()["blob"];
                Reply::json(
                    200,
                    json!({
                        "signed_id": "signed-123",
                        "direct_upload": {
                            "url": storage_url,
                            "headers": {
                                "Content-Type": blob["content_type"],
                                "Content-MD5": blob["checksum"],
                            }
                        }
                    }),
                )
            }
            ("POST", "/v1/content_resources") => {
                Reply::json(200, content_resource(4821, "hero.mp4"))
            }
            _ => Reply::json(
                404,
                json!({"error": "not found", "error_code": "not_found"}),
            ),
        },
    )
    .await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    Fixture {
        api,
        storage,
        time,
        client,
    }
}

fn ok_storage() -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    |_, _| Reply::bytes(200, Vec::new())
}

fn write_temp(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    path
}

#[test]
fn checksum_known_vectors() {
    assert_eq!(md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(md5_base64(b"a"), "DMF1ucDxtqgxw5niaXcmYQ==");
    assert_eq!(md5_base64(b"hello world\n"), "b1kCrCNwJL3QwXbLkwY9xA==");
}

#[tokio::test]
async fn checksum_matches_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let data = pseudo_random(3 * 1024 * 1024 + 17, 7);
    let path = write_temp(&dir, "sample.bin", &data);
    let ours = md5_base64_file(&path).await.unwrap();
    assert_eq!(ours, md5_base64(&data));
    let openssl = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("openssl md5 -binary '{}' | base64", path.display()))
        .output();
    match openssl {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), ours);
        }
        _ => eprintln!("openssl not available: compared against known vectors only"),
    }
}

#[tokio::test]
async fn small_file_is_one_multipart_post() {
    let f = fixture(ok_storage()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = pseudo_random(100_000, 1);
    let path = write_temp(&dir, "clip.mp4", &data);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let options = UploadOptions::new().on_progress(move |sent, total| {
        seen2.lock().unwrap().push((sent, total));
    });

    let resource = f
        .client
        .agent(AgentId::new(42))
        .upload(UploadSource::path(&path), options)
        .await
        .unwrap();
    assert_eq!(resource.id, ContentResourceId::new(4821));

    let requests = f.api.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let req = &requests[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1/content_resources");
    assert_eq!(req.query.as_deref(), Some("agent_id=42"));
    assert_eq!(req.header("x-api-key"), Some(KEY));
    assert_eq!(req.header("api-version"), Some("1.0.0"));
    assert!(req.header("content-length").is_some(), "sized body");
    assert!(req.header("transfer-encoding").is_none());
    let fields = form_fields(req).await;
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "content_resource[file]");
    assert_eq!(fields[0].filename.as_deref(), Some("clip.mp4"));
    assert_eq!(fields[0].content_type.as_deref(), Some("video/mp4"));
    assert_eq!(fields[0].data.as_ref(), data.as_slice());
    assert!(f.storage.requests().is_empty());

    let seen = seen.lock().unwrap();
    assert_eq!(seen.first(), Some(&(0, 100_000)));
    assert_eq!(seen.last(), Some(&(100_000, 100_000)));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[tokio::test]
async fn large_file_goes_by_direct_upload() {
    let f = fixture(ok_storage()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = pseudo_random(700_001, 2);
    let path = write_temp(&dir, "hero.mp4", &data);
    let checksum = md5_base64(&data);
    let (options, progress) = UploadOptions::new()
        .direct_upload_threshold(64 * 1024)
        .progress_channel();

    let resource = f
        .client
        .agent(AgentId::new(42))
        .upload(UploadSource::path(&path), options)
        .await
        .unwrap();
    assert_eq!(resource.id, ContentResourceId::new(4821));

    // 1. direct_upload, with the key.
    let api = f.api.requests();
    assert_eq!(api.len(), 2, "{api:?}");
    assert_eq!(
        (api[0].method.as_str(), api[0].path.as_str()),
        ("POST", "/v1/direct_upload")
    );
    assert_eq!(api[0].header("x-api-key"), Some(KEY));
    assert!(
        api[0]
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        api[0].json(),
        json!({"blob": {
            "filename": "hero.mp4",
            "byte_size": 700_001,
            "checksum": checksum,
            "content_type": "video/mp4",
        }})
    );

    // 2. PUT to storage: exactly the returned headers, no credentials.
    let puts = f.storage.requests();
    assert_eq!(puts.len(), 1);
    let put = &puts[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.path, "/storage/blob-abc");
    assert_eq!(
        put.query.as_deref(),
        Some("X-Amz-Signature=sig&X-Amz-Expires=300")
    );
    put.assert_no_credentials();
    assert_eq!(put.header("content-type"), Some("video/mp4"));
    assert_eq!(put.header("content-md5"), Some(checksum.as_str()));
    assert_eq!(put.header("content-length"), Some("700001"));
    assert!(put.header("transfer-encoding").is_none());
    assert!(put.header("api-version").is_none());
    assert_eq!(put.body.as_ref(), data.as_slice());
    assert_eq!(md5_base64(&put.body), checksum);

    // 3. the content resource from the signed id, with the key.
    assert_eq!(
        (api[1].method.as_str(), api[1].path.as_str()),
        ("POST", "/v1/content_resources")
    );
    assert_eq!(api[1].query.as_deref(), Some("agent_id=42"));
    assert_eq!(api[1].header("x-api-key"), Some(KEY));
    // seed 001: "3. POST /v1/content_resources with signed_id as
    // `content_resource[file]`" on an endpoint marked "(multipart)"
    let fields = form_fields(&api[1]).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].name, "content_resource[file]");
    assert_eq!(fields[0].filename, None, "a text field, not a file");
    assert_eq!(fields[0].text(), "signed-123");

    let last = *progress.borrow();
    assert_eq!(last.phase, UploadPhase::Sending);
    assert_eq!((last.bytes, last.total), (700_001, 700_001));
}

#[tokio::test]
async fn bearer_token_never_reaches_storage() {
    let storage = Server::start(|_, _| Reply::bytes(200, Vec::new())).await;
    let url = format!("{}/put-here", storage.base);
    let api = Server::start(move |req, _| match req.path.as_str() {
        "/v1/direct_upload" => Reply::json(
            200,
            json!({"signed_id": "s", "direct_upload": {"url": url, "headers": {}}}),
        ),
        _ => Reply::json(200, content_resource(1, "a.bin")),
    })
    .await;
    let client = GenClient::builder()
        .bearer_token(KEY)
        .api_url(&api.base)
        .agent_url(&api.base)
        .build()
        .unwrap();
    client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(pseudo_random(5000, 3), "a.bin"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap();
    let direct = api.hits("POST", "/v1/direct_upload");
    assert_eq!(
        direct[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let put = &storage.requests()[0];
    put.assert_no_credentials();
    // No headers were returned, so none but the transport's are sent.
    assert!(put.header("content-type").is_none());
    assert!(put.header("content-md5").is_none());
}

#[tokio::test]
async fn failed_put_is_retried_from_the_file() {
    let f = fixture(|_, n| {
        if n == 0 {
            Reply::bytes(503, "<Error><Code>SlowDown</Code></Error>")
        } else {
            Reply::bytes(200, Vec::new())
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let data = pseudo_random(400_000, 4);
    let path = write_temp(&dir, "retry.mov", &data);
    f.client
        .agent(AgentId::new(7))
        .upload(
            UploadSource::path(&path),
            UploadOptions::new().direct_upload_threshold(1000),
        )
        .await
        .unwrap();
    let puts = f.storage.hits("PUT", "/storage/blob-abc");
    assert_eq!(puts.len(), 2);
    for put in &puts {
        assert_eq!(put.body.as_ref(), data.as_slice());
        assert_eq!(put.header("content-length"), Some("400000"));
        assert_eq!(put.header("content-type"), Some("video/quicktime"));
        put.assert_no_credentials();
    }
    assert_eq!(f.time.sleeps().len(), 1, "one backoff before the retry");
    assert_eq!(f.api.hits("POST", "/v1/direct_upload").len(), 1);
    assert_eq!(f.api.hits("POST", "/v1/content_resources").len(), 1);
}

#[tokio::test]
async fn put_gives_up_after_the_policy_attempts() {
    let f = fixture(|_, _| Reply::bytes(500, "boom")).await;
    let err = f
        .client
        .agent(AgentId::new(7))
        .upload(
            UploadSource::bytes(pseudo_random(3000, 5), "x.mp4"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(f.storage.requests().len(), 3, "max_attempts = 3");
    assert!(f.api.hits("POST", "/v1/content_resources").is_empty());
}

#[tokio::test]
async fn storage_4xx_is_not_retried() {
    let f = fixture(|_, _| Reply::bytes(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"))
        .await;
    let err = f
        .client
        .agent(AgentId::new(7))
        .upload(
            UploadSource::bytes(pseudo_random(3000, 5), "x.mp4"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(!err.to_string().contains("X-Amz-Signature=sig"), "{err}");
    assert_eq!(f.storage.requests().len(), 1);
    assert!(f.api.hits("POST", "/v1/content_resources").is_empty());
}

#[tokio::test]
async fn direct_upload_post_500_is_not_retried() {
    let api = Server::start(|_, _| {
        Reply::json(
            500,
            json!({"error": "unavailable", "error_code": "unavailable"}),
        )
    })
    .await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let err = client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(pseudo_random(3000, 6), "a.mp4"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        api.requests().len(),
        1,
        "not retried: it may have been created"
    );
    assert!(time.sleeps().is_empty());
}

#[tokio::test]
async fn multipart_post_502_is_not_retried() {
    let api = Server::start(|_, _| Reply::json(502, json!({"error": "bad gateway"}))).await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let err = client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(vec![1, 2, 3], "a.png"),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(api.requests().len(), 1, "it may have been created");
}

#[tokio::test]
async fn multipart_post_503_and_429_are_retried() {
    // an unavailable or rate-limiting server did not act on the request
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let api = Server::start(move |_, _| {
        match counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Reply::json(503, json!({"error": "unavailable"})),
            1 => Reply::json(429, json!({"error": "slow down"})),
            _ => Reply::json(200, json!({"id": 5, "url": "https://cdn.gen.pro/a.png"})),
        }
    })
    .await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let resource = client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(vec![1, 2, 3], "a.png"),
            UploadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(resource.id, ContentResourceId::new(5));
    assert_eq!(api.requests().len(), 3);
}

#[tokio::test]
async fn connect_errors_are_retried() {
    // A port with nothing listening: every attempt fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let time = ManualTime::default();
    let client = client(&base, &time);
    let err = client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(pseudo_random(3000, 6), "a.mp4"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(time.sleeps().len(), 2, "3 attempts");
}

#[tokio::test]
async fn size_limits_fail_before_any_request() {
    let f = fixture(ok_storage()).await;
    let dir = tempfile::tempdir().unwrap();

    let empty = write_temp(&dir, "empty.mp4", b"");
    let err = f
        .client
        .agent(AgentId::new(1))
        .upload(UploadSource::path(&empty), UploadOptions::new())
        .await
        .unwrap_err();
    match &err {
        e if e.kind() == ErrorKind::Validation => {
            assert_eq!(e.field(), Some("file"));
            let message = e.message().unwrap();
            assert!(message.contains("0 bytes"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let err = f
        .client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::bytes(Vec::new(), "e.bin"),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Validation, "{err:?}");

    // Sparse: no disk space used.
    let huge = dir.path().join("huge.mp4");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(MAX_UPLOAD_BYTES + 1)
        .unwrap();
    let err = f
        .client
        .agent(AgentId::new(1))
        .upload(UploadSource::path(&huge), UploadOptions::new())
        .await
        .unwrap_err();
    match &err {
        e if e.kind() == ErrorKind::Validation => {
            assert_eq!(e.field(), Some("file"));
            let message = e.message().unwrap();
            assert!(message.contains("1 GiB"), "{message}");
            assert!(message.contains("1073741824"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let reader = tokio::io::empty();
    let err = f
        .client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::reader(reader, MAX_UPLOAD_BYTES + 1, "r.mp4"),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Validation, "{err:?}");

    let missing = f
        .client
        .agent(AgentId::new(1))
        .upload(
            UploadSource::path(dir.path().join("nope.mp4")),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(missing.kind() == ErrorKind::Io, "{missing:?}");

    assert!(f.api.requests().is_empty(), "0 hits");
    assert!(f.storage.requests().is_empty(), "0 hits");
}

#[tokio::test]
async fn large_reader_is_spooled_and_hashed() {
    let f = fixture(|_, n| {
        if n == 0 {
            Reply::bytes(502, "")
        } else {
            Reply::bytes(200, "")
        }
    })
    .await;
    let spool = tempfile::tempdir().unwrap();
    let data = pseudo_random(300_000, 8);
    let reader = std::io::Cursor::new(data.clone());
    let (options, progress) = UploadOptions::new()
        .direct_upload_threshold(10_000)
        .spool_dir(spool.path())
        .progress_channel();
    f.client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::reader(reader, 300_000, "stream.webm"),
            options,
        )
        .await
        .unwrap();
    let direct = &f.api.hits("POST", "/v1/direct_upload")[0];
    assert_eq!(direct.json()["blob"]["checksum"], json!(md5_base64(&data)));
    assert_eq!(direct.json()["blob"]["content_type"], json!("video/webm"));
    let puts = f.storage.requests();
    assert_eq!(puts.len(), 2, "retried from the spooled copy");
    assert!(puts.iter().all(|p| p.body.as_ref() == data.as_slice()));
    assert_eq!(
        std::fs::read_dir(spool.path()).unwrap().count(),
        0,
        "spool file removed"
    );
    let last = *progress.borrow();
    assert_eq!(
        (last.phase, last.bytes, last.total),
        (UploadPhase::Sending, 300_000, 300_000)
    );
}

#[tokio::test]
async fn reader_with_wrong_length_fails() {
    let f = fixture(ok_storage()).await;
    let short = std::io::Cursor::new(vec![1u8; 10]);
    let err = f
        .client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::reader(short, 5000, "a.mp4"),
            UploadOptions::new().direct_upload_threshold(100),
        )
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Validation, "{err:?}");
    assert!(f.api.requests().is_empty());

    // Multipart: the body stream fails, the request is aborted.
    let long = std::io::Cursor::new(vec![1u8; 500]);
    let err = f
        .client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::reader(long, 100, "a.mp4"),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(err.kind() != ErrorKind::Validation, "{err:?}");
}

#[tokio::test]
async fn small_reader_is_streamed_once() {
    let f = fixture(ok_storage()).await;
    let data = pseudo_random(20_000, 9);
    f.client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::reader(std::io::Cursor::new(data.clone()), 20_000, "pic.jpg"),
            UploadOptions::new(),
        )
        .await
        .unwrap();
    let req = &f.api.requests()[0];
    let fields = form_fields(req).await;
    assert_eq!(fields[0].filename.as_deref(), Some("pic.jpg"));
    assert_eq!(fields[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(fields[0].data.as_ref(), data.as_slice());
}

#[tokio::test]
async fn content_type_and_filename_overrides() {
    let f = fixture(ok_storage()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "raw.dat", &[7u8; 2048]);
    f.client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::path(&path)
                .with_filename("voice.wav")
                .with_content_type("audio/x-wav"),
            UploadOptions::new().direct_upload_threshold(1024),
        )
        .await
        .unwrap();
    let blob = f.api.hits("POST", "/v1/direct_upload")[0].json()["blob"].clone();
    assert_eq!(blob["filename"], json!("voice.wav"));
    assert_eq!(blob["content_type"], json!("audio/x-wav"));
    let put = &f.storage.requests()[0];
    assert_eq!(put.header("content-type"), Some("audio/x-wav"));
}

#[tokio::test]
async fn cancellation_token_stops_the_put() {
    let f = fixture(|_, _| Reply::bytes(200, "").delayed(Duration::from_secs(30))).await;
    let token = tokio_util::sync::CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let started = std::time::Instant::now();
    let err = f
        .client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::bytes(pseudo_random(50_000, 10), "a.mp4"),
            UploadOptions::new()
                .direct_upload_threshold(100)
                .cancel_token(token),
        )
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Cancelled, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(f.api.hits("POST", "/v1/content_resources").is_empty());
}

#[tokio::test]
async fn cancelled_before_start_sends_nothing() {
    let f = fixture(ok_storage()).await;
    let token = tokio_util::sync::CancellationToken::new();
    token.cancel();
    let err = f
        .client
        .agent(AgentId::new(5))
        .upload(
            UploadSource::bytes(vec![1, 2, 3], "a.mp4"),
            UploadOptions::new().cancel_token(token),
        )
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Cancelled);
    assert!(f.api.requests().is_empty());
}

#[tokio::test]
async fn api_errors_keep_status_code_and_body() {
    let api = Server::start(|_, _| {
        Reply::json(
            422,
            json!({"error": "Agent not found", "error_code": "agent_not_found"}),
        )
        .header("x-request-id", "req-9")
    })
    .await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let err = client
        .agent(AgentId::new(999))
        .upload(
            UploadSource::bytes(vec![1; 10], "a.png"),
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.error_code().unwrap().as_str(), "agent_not_found");
    assert_eq!(err.message(), Some("Agent not found"));
    assert_eq!(err.request_id(), Some("req-9"));
    assert!(err.body().unwrap().contains("agent_not_found"));
}
