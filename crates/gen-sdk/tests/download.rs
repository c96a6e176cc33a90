//! Downloads of output URLs: streamed to a temporary file and renamed, no
//! credentials sent, typed errors, retries, progress, against a recording
//! server on 127.0.0.1.

mod upload_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use genpro_sdk::ErrorKind;

use genpro_sdk::download::{self, DownloadOptions};
use genpro_sdk::retry::testing::ManualTime;
use serde_json::json;
use upload_common::*;

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn downloads_without_credentials_and_renames() {
    let data = pseudo_random(1_000_003, 21);
    let body = data.clone();
    let cdn = Server::start(move |_, _| {
        Reply::bytes(200, body.clone()).header("content-type", "video/mp4")
    })
    .await;
    let api = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("final_video.mp4");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let url = format!("{}/outputs/render_xyz.mp4", cdn.base);

    let done = client
        .download(
            &url,
            &target,
            DownloadOptions::new()
                .on_progress(move |n, total| seen2.lock().unwrap().push((n, total))),
        )
        .await
        .unwrap();
    assert_eq!(done.bytes, data.len() as u64);
    assert_eq!(done.path, target);
    assert_eq!(done.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(
        entries(dir.path()),
        ["final_video.mp4"],
        "no temporary file left"
    );

    let reqs = cdn.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/outputs/render_xyz.mp4")
    );
    reqs[0].assert_no_credentials();
    assert!(api.requests().is_empty());

    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.last(),
        Some(&(data.len() as u64, Some(data.len() as u64)))
    );
}

#[tokio::test]
async fn non_2xx_is_a_typed_error_and_leaves_nothing() {
    let cdn = Server::start(|_, _| Reply::bytes(404, "<Error>NoSuchKey</Error>")).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.mp4");
    let err = download::download(
        &format!("{}/missing.mp4", cdn.base),
        &target,
        DownloadOptions::new(),
    )
    .await
    .unwrap_err();
    match &err {
        e if e.kind() == ErrorKind::Api => {
            assert_eq!(e.status(), Some(404));
            assert!(e.body().unwrap().contains("NoSuchKey"));
        }
        other => panic!("{other:?}"),
    }
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    assert_eq!(cdn.requests().len(), 1, "404 is not retried");
}

#[tokio::test]
async fn server_errors_are_retried() {
    let cdn = Server::start(|_, n| {
        if n < 2 {
            Reply::bytes(503, "slow down")
        } else {
            Reply::bytes(200, "final bytes")
        }
    })
    .await;
    let time = ManualTime::default();
    let retrier = genpro_sdk::retry::Retrier::new(genpro_sdk::RetryPolicy::default())
        .with_sleep(Arc::new(time.clone()))
        .with_clock(Arc::new(time.clone()));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.txt");
    download::download(
        &format!("{}/x", cdn.base),
        &target,
        DownloadOptions::new().retrier(retrier),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "final bytes");
    assert_eq!(cdn.requests().len(), 3);
    assert_eq!(time.sleeps().len(), 2);
}

#[tokio::test]
async fn follows_redirects_without_credentials() {
    let cdn = Server::start(|req, _| match req.path.as_str() {
        "/short" => Reply::bytes(302, "").header("location", "/real/file.jpg"),
        _ => Reply::bytes(200, "jpeg").header("content-type", "image/jpeg"),
    })
    .await;
    let api = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let time = ManualTime::default();
    let client = client(&api.base, &time);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a.jpg");
    client
        .download(
            &format!("{}/short", cdn.base),
            &target,
            DownloadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"jpeg");
    let reqs = cdn.requests();
    assert_eq!(reqs.len(), 2);
    reqs.iter().for_each(Recorded::assert_no_credentials);
}

#[tokio::test]
async fn overwrite_false_keeps_an_existing_file() {
    let cdn = Server::start(|_, _| Reply::bytes(200, "new")).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("keep.txt");
    std::fs::write(&target, "old").unwrap();
    let err = download::download(
        &format!("{}/x", cdn.base),
        &target,
        DownloadOptions::new().overwrite(false),
    )
    .await
    .unwrap_err();
    match &err {
        e if e.kind() == ErrorKind::Io => assert_eq!(
            e.io_error().unwrap().kind(),
            std::io::ErrorKind::AlreadyExists
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");

    download::download(&format!("{}/x", cdn.base), &target, DownloadOptions::new())
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert_eq!(entries(dir.path()), ["keep.txt"]);
}

#[tokio::test]
async fn cancel_and_idle_timeout() {
    let cdn =
        Server::start(|_, _| Reply::bytes(200, "late").delayed(Duration::from_secs(30))).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("never.bin");
    let token = tokio_util::sync::CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let err = download::download(
        &format!("{}/x", cdn.base),
        &target,
        DownloadOptions::new().cancel_token(token),
    )
    .await
    .unwrap_err();
    assert!(err.kind() == ErrorKind::Cancelled, "{err:?}");
    assert!(entries(dir.path()).is_empty());

    let err = download::download(
        &format!("{}/x", cdn.base),
        &target,
        DownloadOptions::new()
            .idle_timeout(Duration::from_millis(200))
            .retrier(genpro_sdk::retry::Retrier::new(
                genpro_sdk::RetryPolicy::none(),
            )),
    )
    .await
    .unwrap_err();
    assert!(err.kind() == ErrorKind::Timeout, "{err:?}");
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn bad_urls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("x");
    for url in ["not a url", "ftp://example.com/x", "file:///etc/passwd"] {
        let err = download::download(url, &target, DownloadOptions::new())
            .await
            .unwrap_err();
        assert!(
            err.kind() == ErrorKind::Validation && err.field() == Some("url"),
            "{url}: {err:?}"
        );
    }
}
