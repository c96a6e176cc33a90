//! The hand-written multipart operations: content resource upload,
//! train_social, global variables XLSX import, voice clone. Wire format and
//! errors, against a recording server on 127.0.0.1.

mod upload_common;

use genpro_sdk::ErrorKind;

use genpro_sdk::multipart::{
    SocialPlatform, SocialSourceType, TrainSocial, VoiceClone, XLSX_CONTENT_TYPE,
};
use genpro_sdk::retry::testing::ManualTime;
use genpro_sdk::steps::{AgentId, ContentResourceId, EngineId, UserJobId};
use genpro_sdk::upload::{DIRECT_UPLOAD_THRESHOLD, UploadSource};
use serde_json::json;
use upload_common::*;

async fn api(
    reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
) -> (Server, ManualTime, genpro_sdk::GenClient) {
    let server = Server::start(reply).await;
    let time = ManualTime::default();
    let client = client(&server.base, &time);
    (server, time, client)
}

#[tokio::test]
async fn upload_multipart_wire_format() {
    let (server, _, client) = api(|_, _| Reply::json(200, content_resource(77, "photo.png"))).await;
    let data = pseudo_random(4096, 11);
    let resource = client
        .agent(AgentId::new(42))
        .upload_multipart(UploadSource::bytes(data.clone(), "photo.png"))
        .await
        .unwrap();
    assert_eq!(resource.id, ContentResourceId::new(77));
    assert_eq!(resource.resource.id, Some(77));
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/content_resources")
    );
    assert_eq!(req.query.as_deref(), Some("agent_id=42"));
    assert_eq!(req.header("x-api-key"), Some(KEY));
    let fields = form_fields(req).await;
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "content_resource[file]");
    assert_eq!(fields[0].filename.as_deref(), Some("photo.png"));
    assert_eq!(fields[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(fields[0].data.as_ref(), data.as_slice());
}

#[tokio::test]
async fn upload_multipart_refuses_large_files() {
    let (server, _, client) = api(|_, _| Reply::json(200, content_resource(1, "a"))).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mp4");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(DIRECT_UPLOAD_THRESHOLD + 1)
        .unwrap();
    let err = client
        .agent(AgentId::new(1))
        .upload_multipart(path.as_path())
        .await
        .unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some("file"),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn train_social_wire_format() {
    let (server, _, client) = api(|_, _| Reply::json(200, json!({"user_job_id": 138860}))).await;
    let job = TrainSocial::new(
        SocialPlatform::TikTok,
        SocialSourceType::Hashtag,
        "streetfood",
    )
    .days(7)
    .max_results(50)
    .monitoring(false);
    let created = client
        .agent(AgentId::new(42))
        .train_social(&job)
        .await
        .unwrap();
    assert_eq!(created, UserJobId::new(138860));

    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/user_jobs")
    );
    assert_eq!(req.query.as_deref(), Some("agent_id=42"));
    assert_eq!(req.header("x-api-key"), Some(KEY));
    assert_eq!(req.header("api-version"), Some("1.0.0"));
    let fields = form_fields(req).await;
    let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["user_job[user_job_type]", "user_job[data]"]);
    assert!(fields.iter().all(|f| f.filename.is_none()), "text fields");
    assert_eq!(fields[0].text(), "train_social");
    assert_eq!(
        fields[1].text(),
        r#"{"platform":"tiktok","type":"hashtag","value":"streetfood","days":7,"max_results":50,"monitoring":false}"#
    );
    // The data string decodes into the generated type.
    let data: genpro_sdk::genpro_api::types::TrainSocialData =
        serde_json::from_str(&fields[1].text()).unwrap();
    assert_eq!(data.value, "streetfood");
}

#[tokio::test]
async fn train_social_validates_before_sending() {
    let (server, _, client) = api(|_, _| Reply::json(200, json!({"user_job_id": 1}))).await;
    let job = TrainSocial::new(
        SocialPlatform::Instagram,
        SocialSourceType::Keyword,
        "tacos",
    );
    let err = client
        .agent(AgentId::new(42))
        .train_social(&job)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err:?}");
    assert_eq!(err.field(), Some("type"));
    assert_eq!(
        err.allowed(),
        Some(&["username".to_owned(), "hashtag".to_owned()][..])
    );
    let job = TrainSocial::new(SocialPlatform::YouTube, SocialSourceType::Keyword, "");
    assert!(
        client
            .agent(AgentId::new(42))
            .train_social(&job)
            .await
            .is_err()
    );
    assert!(server.requests().is_empty(), "0 hits");
}

#[tokio::test]
async fn train_social_5xx_is_not_retried() {
    let (server, time, client) =
        api(|_, _| Reply::json(503, json!({"error": "busy", "error_code": "busy"}))).await;
    let job = TrainSocial::new(SocialPlatform::YouTube, SocialSourceType::Username, "mkbhd");
    let err = client
        .agent(AgentId::new(42))
        .train_social(&job)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        err.error_code().map(|c| c.as_str().to_owned()),
        Some("busy".to_owned())
    );
    assert_eq!(server.requests().len(), 1, "a paid job is never sent twice");
    assert!(time.sleeps().is_empty());
}

#[tokio::test]
async fn import_global_variables_wire_format() {
    let (server, _, client) = api(|_, _| {
        Reply::json(
            200,
            json!([{"name": "brand_name", "value": "Santiago"}, {"name": "city", "value": null}]),
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("variables.xlsx");
    let data = pseudo_random(9000, 12);
    std::fs::write(&path, &data).unwrap();
    let variables = client
        .agent(AgentId::new(42))
        .engine(EngineId::new(314))
        .import_global_variables(path.as_path())
        .await
        .unwrap();
    assert_eq!(variables.len(), 2);
    assert_eq!(variables[0].name.as_deref(), Some("brand_name"));
    assert_eq!(variables[0].value.as_deref(), Some("Santiago"));

    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/autocontentengine/314/import_global_variables")
    );
    assert_eq!(req.query.as_deref(), Some("agent_id=42"));
    assert_eq!(req.header("x-api-key"), Some(KEY));
    let fields = form_fields(req).await;
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "file");
    assert_eq!(fields[0].filename.as_deref(), Some("variables.xlsx"));
    assert_eq!(fields[0].content_type.as_deref(), Some(XLSX_CONTENT_TYPE));
    assert_eq!(fields[0].data.as_ref(), data.as_slice());
}

#[tokio::test]
async fn import_global_variables_forces_the_xlsx_type() {
    let (server, _, client) = api(|_, _| Reply::json(200, json!([]))).await;
    client
        .agent(AgentId::new(2))
        .engine(EngineId::new(1))
        .import_global_variables(UploadSource::bytes(vec![1, 2, 3], "vars.bin"))
        .await
        .unwrap();
    let fields = form_fields(&server.requests()[0]).await;
    assert_eq!(fields[0].content_type.as_deref(), Some(XLSX_CONTENT_TYPE));
}

#[tokio::test]
async fn clone_voice_wire_format() {
    let (server, _, client) = api(|_, _| {
        Reply::json(
            200,
            json!({"voice_id": "v-123", "name": "Santiago", "source": "cloned", "user_owned": true}),
        )
    })
    .await;
    let sample = pseudo_random(30_000, 13);
    let voice = client
        .agent(AgentId::new(42))
        .clone_voice(
            VoiceClone::new(
                "Santiago",
                UploadSource::bytes(sample.clone(), "sample.mp3"),
            )
            .description("Warm San Antonio storyteller"),
        )
        .await
        .unwrap();
    assert_eq!(voice.voice_id.as_deref(), Some("v-123"));
    assert_eq!(voice.user_owned, Some(true));

    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/agents/42/voice/clone")
    );
    assert_eq!(req.query, None);
    assert_eq!(req.header("x-api-key"), Some(KEY));
    let fields = form_fields(req).await;
    let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["name", "description", "file"]);
    assert_eq!(fields[0].text(), "Santiago");
    assert_eq!(fields[1].text(), "Warm San Antonio storyteller");
    assert_eq!(fields[2].filename.as_deref(), Some("sample.mp3"));
    assert_eq!(fields[2].content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(fields[2].data.as_ref(), sample.as_slice());
}

#[tokio::test]
async fn clone_voice_without_description_and_blank_name() {
    let (server, _, client) = api(|_, _| {
        Reply::json(
            200,
            json!({"voice_id": "v", "name": "n", "source": "cloned"}),
        )
    })
    .await;
    let err = client
        .agent(AgentId::new(1))
        .clone_voice(VoiceClone::new("  ", UploadSource::bytes(vec![1], "a.wav")))
        .await
        .unwrap_err();
    assert!(err.kind() == ErrorKind::Validation && err.field() == Some("name"));
    assert!(server.requests().is_empty());

    client
        .agent(AgentId::new(1))
        .clone_voice(VoiceClone::new(
            "n",
            UploadSource::bytes(vec![1; 100], "a.wav"),
        ))
        .await
        .unwrap();
    let fields = form_fields(&server.requests()[0]).await;
    let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["name", "file"]);
}

#[tokio::test]
async fn errors_carry_status_code_body_and_hide_the_key() {
    let (server, _, client) = api(|req, _| {
        // A server that echoes the key it received.
        let key = req.header("x-api-key").unwrap_or_default().to_owned();
        Reply::json(
            422,
            json!({"error": format!("bad key {key}"), "error_code": "validation_error"}),
        )
    })
    .await;
    let err = client
        .agent(AgentId::new(1))
        .clone_voice(VoiceClone::new(
            "n",
            UploadSource::bytes(vec![1; 10], "a.wav"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err:?}");
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.error_code().unwrap().as_str(), "validation_error");
    let (message, body) = (err.message().unwrap(), err.body().unwrap());
    assert!(!message.contains(KEY) && !body.contains(KEY), "{err:?}");
    assert!(body.contains("validation_error"));
    assert!(!format!("{err} {err:?}").contains(KEY));
    assert!(err.hint().is_some());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn undecodable_success_is_a_decode_error() {
    let (_server, _, client) = api(|_, _| Reply::bytes(200, "<html>oops</html>")).await;
    let job = TrainSocial::new(
        SocialPlatform::TikTok,
        SocialSourceType::Username,
        "keithlee",
    );
    let err = client
        .agent(AgentId::new(1))
        .train_social(&job)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert_eq!(err.status(), Some(200));
}

#[test]
fn set_aside_operations_are_all_covered() {
    // Every multipart operation genpro-api sets aside has a hand-written
    // method here (others, e.g. XML bodies, are reached through `gen api`).
    let covered = [
        ("clone_voice", "/v1/agents/{agent_id}/voice/clone"),
        ("create_content_resource", "/v1/content_resources"),
        ("create_user_job", "/v1/user_jobs"),
        (
            "import_global_variables",
            "/v1/autocontentengine/{id}/import_global_variables",
        ),
    ];
    let multipart = genpro_sdk::genpro_api::set_aside::SET_ASIDE
        .iter()
        .filter(|op| {
            op.removed_media_types
                .iter()
                .any(|m| m.starts_with("multipart/"))
        })
        .collect::<Vec<_>>();
    for op in &multipart {
        assert!(
            covered.contains(&(op.operation_id, op.path)),
            "{} {} is not covered",
            op.operation_id,
            op.path
        );
        assert_eq!(op.method, "POST");
        assert_eq!(op.removed_media_types, &["multipart/form-data"]);
    }
    assert_eq!(multipart.len(), covered.len());
}
