//! The `gen` binary against hostile servers (issue 10): it never prints the
//! key, never sends a paid POST twice, ends `wait --max-wait 2` within 6 s
//! against a trickling server, polls at most a dozen times in 3 s under
//! `Retry-After: 0`, stays under 256 MiB of peak RSS on a 300 MiB answer,
//! gives up on a refused port, asks at least once with `--max-wait 0`,
//! prints each cause once, and refuses an unreadable upload source before
//! any request. Servers listen on 127.0.0.1 only.
//!
//! `GEN_BIN_UNDER_TEST=/path/to/gen` runs the suite against another build
//! of the binary (e.g. one from before a fix, to measure it); each test
//! prints what it measured (`--nocapture`).

#[path = "../../gen-sdk/tests/hostile_common/mod.rs"]
mod hostile_common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hostile_common::{Body, HostileServer, Reply, refused_base};
use serde_json::json;

const KEY: &str = "sk-gen-HOSTILE-CLI-0123456789abcdef";

/// What one run of `gen` did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    /// Peak resident memory (VmHWM) seen while it ran, in bytes.
    peak_rss: u64,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Runs `gen --api-url base --agent-url base --api-key KEY args...` off the
/// async runtime, sampling its peak RSS every 5 ms until it exits.
async fn gen_cmd(base: &str, args: &[&str]) -> Run {
    let mut all: Vec<String> = vec![
        "--api-url".into(),
        base.into(),
        "--agent-url".into(),
        base.into(),
        "--api-key".into(),
        KEY.into(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let out_path = dir.path().join("stdout");
        let err_path = dir.path().join("stderr");
        let started = Instant::now();
        let bin = std::env::var("GEN_BIN_UNDER_TEST")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_gen").to_owned());
        let mut child = Command::new(bin)
            .args(&all)
            .env_remove("GEN_API_KEY")
            .env_remove("GEN_API_KEY_FILE")
            .env_remove("GEN_API_URL")
            .env_remove("GEN_AGENT_URL")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&err_path).unwrap())
            .spawn()
            .expect("run gen");
        let mut peak_rss = 0;
        let status = loop {
            if let Some(hwm) = vm_hwm(child.id()) {
                peak_rss = peak_rss.max(hwm);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("gen {all:?} ran for 2 minutes");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Run {
            code: status.code(),
            stdout: std::fs::read_to_string(&out_path).unwrap(),
            stderr: std::fs::read_to_string(&err_path).unwrap(),
            took: started.elapsed(),
            peak_rss,
        }
    })
    .await
    .unwrap()
}

fn processing() -> Reply {
    Reply::json(200, json!({"id": 9000, "status": "processing"}))
}

const DATA: &str =
    r#"{"prompt":"taco truck","model":"kling_1_6","aspect_ratio":"9:16","duration":5}"#;

const GENERATE: &[&str] = &[
    "generate",
    "--agent",
    "42",
    "--engine",
    "101",
    "--cell",
    "3000",
    "--type",
    "video_from_text",
    "--data",
    DATA,
];

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_never_printed_whatever_the_server_echoes() {
    // The key in guessed fields (read as absent), in a generation's
    // pinned `id` (a wait reads only its status), in an error answer, and
    // as a completed job's result.
    let api = HostileServer::start("127.0.0.1", |hit| {
        if hit.path.starts_with("/v1/organizations/1") {
            Reply::json(200, json!({"id": KEY, "name": KEY}))
        } else if hit.path.starts_with("/v1/generations/9001") {
            Reply::json(200, json!({"id": KEY, "status": "completed"}))
        } else if hit.path.starts_with("/v1/organizations/2") {
            Reply::json(
                401,
                json!({"error": format!("bad key {KEY}"), "error_code": KEY}),
            )
            .header("x-request-id", KEY)
        } else {
            Reply::json(
                200,
                json!({"id": 9000, "status": "completed", "result": KEY,
                       "output_resources": [{"url": format!("https://cdn.example/{KEY}.mp4")}]}),
            )
        }
    })
    .await;

    for args in [
        &["credits", "--org", "1"][..],
        &["credits", "--org", "2"],
        &["--json", "credits", "--org", "1"],
        &["wait", "9000", "--max-wait", "5"],
        &["--json", "wait", "9000", "--max-wait", "5"],
        &["wait", "9001", "--max-wait", "5"],
    ] {
        let run = gen_cmd(&api.base, args).await;
        assert!(
            !run.all().contains(KEY),
            "gen {args:?} printed the key:\n{}",
            run.all()
        );
        assert!(
            !run.all().contains("0123456789abcdef"),
            "gen {args:?}:\n{}",
            run.all()
        );
    }
    // The organization's guessed fields read as absent: no balance to show.
    let run = gen_cmd(&api.base, &["credits", "--org", "1"]).await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.trim(),
        "error: organization 1 did not report available_credit"
    );
    // (A wrongly typed pinned field, a decode error, is genpro-sdk's
    // hostile.rs `b_a_key_in_a_wrongly_typed_field_never_reaches_any_text`.)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paid_post_is_never_sent_twice() {
    for status in [429u16, 500, 502, 503, 504] {
        let api = HostileServer::start("127.0.0.1", move |_| {
            Reply::json(status, json!({"error": "busy"})).header("retry-after", "0")
        })
        .await;

        let run = gen_cmd(&api.base, GENERATE).await;

        assert_eq!(run.code, Some(5), "{status}: {}", run.stderr);
        let posts = api.hits().iter().filter(|h| h.method == "POST").count();
        assert_eq!(posts, 1, "{status}: the paid POST was sent {posts} times");
    }
}

/// The transport's part (A/C): a redirect on a paid POST is final and
/// carries nothing to the other host.
#[tokio::test(flavor = "multi_thread")]
async fn a_redirected_paid_post_is_sent_once_and_goes_nowhere_else() {
    let other = HostileServer::start("127.0.0.2", |_| {
        Reply::json(201, json!({"generation_id": 1, "status": "pending"}))
    })
    .await;
    let location = format!("{}/v1/steal", other.base);
    let api = HostileServer::start("127.0.0.1", move |_| {
        Reply::json(307, json!({})).header("location", location.clone())
    })
    .await;

    let run = gen_cmd(&api.base, GENERATE).await;

    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert_eq!(api.hit_count(), 1);
    assert!(other.hits().is_empty(), "{:?}", other.hits());
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_max_wait_2_ends_within_6_s_against_a_trickling_server() {
    let api = HostileServer::start("127.0.0.1", |_| {
        Reply::with_body(
            200,
            Body::Trickle {
                announced: 1 << 20,
                chunk: b" ".to_vec(),
                every: Duration::from_millis(100),
            },
        )
    })
    .await;

    let run = gen_cmd(&api.base, &["wait", "9000", "--max-wait", "2"]).await;
    eprintln!("trickling server, --max-wait 2: ended after {:?}", run.took);

    assert!(run.took < Duration::from_secs(6), "took {:?}", run.took);
    assert_eq!(run.code, Some(7));
    assert!(run.stderr.contains("gave up waiting"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_zero_gives_at_most_a_dozen_polls_in_3_s() {
    let api = HostileServer::start("127.0.0.1", |_| processing().header("retry-after", "0")).await;

    let run = gen_cmd(&api.base, &["wait", "9000", "--max-wait", "3"]).await;
    eprintln!(
        "Retry-After: 0: {} polls in {:?}",
        api.hit_count(),
        run.took
    );

    assert_eq!(run.code, Some(7), "{}", run.stderr);
    assert!(
        api.hit_count() <= 12,
        "{} polls in {:?}",
        api.hit_count(),
        run.took
    );
    assert!(api.hit_count() >= 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_stays_under_256_mib_on_a_300_mib_answer() {
    let api = HostileServer::start("127.0.0.1", |_| {
        Reply::huge(200, br#"{"id":9000,"status":"processing","pad":""#)
    })
    .await;

    let run = gen_cmd(&api.base, &["wait", "9000", "--max-wait", "5"]).await;
    eprintln!("300 MiB status answer: peak RSS {} MiB", run.peak_rss >> 20);

    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert!(
        run.peak_rss < 256 << 20,
        "peak RSS {} MiB",
        run.peak_rss >> 20
    );
    assert!(run.peak_rss > 0, "RSS was sampled");
    assert!(run.stderr.contains("limit"), "{}", run.stderr);
    assert_eq!(api.hit_count(), 1);
}

/// The transport's part (D): a plain call (`credits`) on a 300 MiB answer.
#[tokio::test(flavor = "multi_thread")]
async fn credits_stays_under_256_mib_on_a_300_mib_answer() {
    for status in [200u16, 500] {
        let api = HostileServer::start("127.0.0.1", move |_| {
            Reply::huge(status, br#"{"id":1,"name":""#)
        })
        .await;

        let run = gen_cmd(&api.base, &["credits", "--org", "1"]).await;
        eprintln!(
            "300 MiB {status} answer to credits: peak RSS {} MiB",
            run.peak_rss >> 20
        );

        assert_eq!(run.code, Some(5), "{}", run.stderr);
        assert!(
            run.peak_rss < 256 << 20,
            "{status}: peak RSS {} MiB",
            run.peak_rss >> 20
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_against_a_refused_port_gives_up_resumably() {
    let dead = refused_base().await;

    let run = gen_cmd(&dead, &["wait", "9000", "--max-unreachable", "2"]).await;
    eprintln!(
        "refused port, --max-unreachable 2: ended after {:?}",
        run.took
    );

    assert_eq!(run.code, Some(6));
    assert!(run.took < Duration::from_secs(6), "took {:?}", run.took);
    assert!(run.stderr.contains("could not reach GEN"), "{}", run.stderr);
    assert!(run.stderr.contains("wait for it again"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_max_wait_0_asks_once() {
    let api = HostileServer::start("127.0.0.1", |_| processing()).await;

    let run = gen_cmd(&api.base, &["wait", "9000", "--max-wait", "0"]).await;

    assert_eq!(run.code, Some(7));
    assert_eq!(api.hit_count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("(1 requests)"), "{}", run.stderr);
    assert!(run.stderr.contains("processing"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_print_their_cause_once() {
    let api = HostileServer::start("127.0.0.1", |_| processing()).await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.mp4");

    let run = gen_cmd(
        &api.base,
        &["upload", missing.to_str().unwrap(), "--agent", "42"],
    )
    .await;

    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.matches("No such file").count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(api.hit_count(), 0);

    // A connection error names each cause once too.
    let dead = refused_base().await;
    let run = gen_cmd(&dead, &["credits", "--org", "1"]).await;
    assert_eq!(run.code, Some(6));
    assert_eq!(
        run.stderr.matches("error sending request").count(),
        1,
        "{}",
        run.stderr
    );
}

/// An upload source that cannot be read as a file (a directory, a FIFO) is
/// refused before any request, whoever runs the test (root can read a
/// mode-000 file, but not a directory as a file).
#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_upload_source_fails_before_any_request() {
    let api = HostileServer::start("127.0.0.1", |_| processing()).await;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("clip.mp4");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut sources = vec![dir.path().to_path_buf()];
    if made.is_ok_and(|s| s.success()) {
        sources.push(fifo);
    }

    for source in &sources {
        let run = gen_cmd(
            &api.base,
            &["upload", source.to_str().unwrap(), "--agent", "42"],
        )
        .await;

        assert_eq!(run.code, Some(3), "{}: {}", source.display(), run.stderr);
        assert!(
            run.stderr.contains("not a regular file"),
            "{}: {}",
            source.display(),
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    assert!(Path::new(&sources[0]).is_dir());
    assert_eq!(api.hit_count(), 0, "{:?}", api.hits());
}
