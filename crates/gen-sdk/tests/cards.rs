//! Creation cards: the JSON each card produces equals the documentation's
//! examples exactly, validation names the field and the allowed values,
//! `{{variables}}` helpers.

use std::collections::{BTreeMap, BTreeSet};

use genpro_sdk::ErrorKind;

use genpro_sdk::agent_core::AgentCorePatch;
use genpro_sdk::cards::*;
use serde_json::{Map, Value, json};

/// Parses a seed example verbatim.
fn seed(text: &str) -> Value {
    serde_json::from_str(text).expect("seed JSON")
}

fn assert_round_trip(card: &Card, expected: &Value) {
    assert_eq!(&card.to_json(), expected);
    // and back: the documented JSON decodes into the same card
    let decoded: Card = serde_json::from_value(expected.clone()).expect("decode");
    assert_eq!(&decoded, card);
}

#[test]
fn text_card_matches_seed_001() {
    let expected = seed(
        r#"{ "generation_type": "text", "data": { "prompt": "Write a 12s TikTok hook for {{topic}}", "model": "gemini_2_5_pro", "variables": { "topic": "San Antonio tacos" } } }"#,
    );
    let card = Card::from(
        TextCard::new(
            "Write a 12s TikTok hook for {{topic}}",
            TextModel::Gemini25Pro,
        )
        .variable("topic", "San Antonio tacos"),
    );
    assert_round_trip(&card, &expected);
    card.validate().unwrap();
}

#[test]
fn text_card_matches_seed_002() {
    let expected = seed(
        r#"{ "generation_type": "text", "data": { "model": "gemini", "prompt": "Write a hook for a cooking video" } }"#,
    );
    let card = Card::from(TextCard::new(
        "Write a hook for a cooking video",
        TextModel::Gemini,
    ));
    assert_round_trip(&card, &expected);
}

#[test]
fn image_from_text_matches_seed() {
    let expected = seed(
        r#"{ "generation_type": "image_from_text", "data": { "prompt": "...", "model": "midjourney", "aspect_ratio": "9:16" } }"#,
    );
    let card = Card::from(
        ImageFromTextCard::new("...", ImageModel::Midjourney).aspect_ratio(AspectRatio::Ratio9x16),
    );
    assert_round_trip(&card, &expected);
    card.validate().unwrap();
}

#[test]
fn video_from_text_matches_seeds() {
    // seed 001, creation card section
    let expected = seed(
        r#"{ "generation_type": "video_from_text", "data": { "prompt": "...", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10, "negative_prompt": "no text overlays" } }"#,
    );
    let card = Card::from(
        VideoFromTextCard::new("...", VideoFromTextModel::Veo3)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(10)
            .negative_prompt("no text overlays"),
    );
    assert_round_trip(&card, &expected);

    // seed 001, Step 4 "trigger a cell generation"
    let expected = seed(
        r#"{ "generation_type": "video_from_text", "data": { "prompt": "San Antonio taco truck at golden hour, steam rising, handheld camera", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10 } }"#,
    );
    let card = Card::from(
        VideoFromTextCard::new(
            "San Antonio taco truck at golden hour, steam rising, handheld camera",
            VideoFromTextModel::Veo3,
        )
        .aspect_ratio(AspectRatio::Ratio9x16)
        .duration(10),
    );
    assert_round_trip(&card, &expected);

    // seed 003, regenerate with veo_3_1_fast
    let expected = seed(
        r#"{ "generation_type": "video_from_text", "data": { "prompt": "... updated prompt ...", "model": "veo_3_1_fast", "aspect_ratio": "9:16", "duration": 10 } }"#,
    );
    let card = Card::from(
        VideoFromTextCard::new("... updated prompt ...", VideoFromTextModel::Veo31Fast)
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(10),
    );
    assert_round_trip(&card, &expected);
}

#[test]
fn video_from_image_matches_seed() {
    let expected = seed(
        r#"{ "generation_type": "video_from_image", "data": { "image_resource_id": 4821, "image_tail_resource_id": 4822, "prompt": "...", "model": "kling_2_6", "aspect_ratio": "9:16", "duration": 5 } }"#,
    );
    let card = Card::from(
        VideoFromImageCard::new(4821, VideoFromImageModel::Kling26)
            .image_tail_resource_id(4822)
            .prompt("...")
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    assert_round_trip(&card, &expected);
    card.validate().unwrap();
}

#[test]
fn video_from_ingredients_matches_seed() {
    let expected = seed(
        r#"{ "generation_type": "video_from_ingredients", "data": { "prompt": "...", "model": "pika", "asset_resource_ids": [4821, 4822, 4823], "aspect_ratio": "9:16", "duration": 5 } }"#,
    );
    let card = Card::from(
        VideoFromIngredientsCard::new("...", VideoFromIngredientsModel::Pika, [4821, 4822, 4823])
            .aspect_ratio(AspectRatio::Ratio9x16)
            .duration(5),
    );
    assert_round_trip(&card, &expected);
    card.validate().unwrap();
}

#[test]
fn speech_from_text_matches_seed() {
    let expected = seed(
        r#"{ "generation_type": "speech_from_text", "data": { "script": "...", "voice_method": "my_voices", "voice_id": "21m00...", "enhance_voice": true, "speed": 1.0 } }"#,
    );
    let card = Card::from(
        SpeechFromTextCard::with_voice("...", "21m00...")
            .enhance_voice(true)
            .speed(1.0),
    );
    assert_round_trip(&card, &expected);
    card.validate().unwrap();
}

#[test]
fn lipsync_captions_media_match_seeds() {
    let cases = [
        (
            Card::from(LipsyncCard::new(LipsyncModel::SyncSo, 6001, 5921)),
            r#"{ "generation_type": "lipsync", "data": { "model": "sync_so", "video_resource_id": 6001, "audio_resource_id": 5921 } }"#,
        ),
        (
            Card::from(CaptionsCard::new(CaptionsModel::Gemini, 6001)),
            r#"{ "generation_type": "captions", "data": { "model": "gemini", "source_resource_id": 6001 } }"#,
        ),
        (
            Card::from(MediaCard::new(7000)),
            r#"{ "generation_type": "media", "data": { "content_resource_id": 7000 } }"#,
        ),
    ];
    for (card, text) in cases {
        assert_round_trip(&card, &seed(text));
        card.validate().unwrap();
    }
}

#[test]
fn ai_text_fields_match_seed_002() {
    let card = Card::from(VideoFromTextCard::new(
        TextInput::ai(
            AiTextModel::Gemini,
            "Write a 30-second script about sustainable fashion",
        ),
        VideoFromTextModel::Kling16,
    ));
    assert_eq!(
        card.to_json()["data"]["prompt"],
        seed(
            r#"{ "model": "gemini", "prompt": "Write a 30-second script about sustainable fashion" }"#
        )
    );
    let decoded: TextInput =
        serde_json::from_value(json!({"model": "openai", "prompt": "p"})).unwrap();
    assert_eq!(decoded, TextInput::ai(AiTextModel::OpenAi, "p"));
}

#[test]
fn unknown_models_and_extra_fields_pass_through() {
    let mut inner = VideoFromTextCard::new("x", VideoFromTextModel::from("sora_3"));
    inner.extra.insert("prompt_var".into(), json!("col_2"));
    let card = Card::from(inner);
    assert_eq!(
        card.to_json(),
        json!({"generation_type": "video_from_text", "data": {"prompt": "x", "model": "sora_3", "prompt_var": "col_2"}})
    );
    card.validate().unwrap();
    assert_eq!(
        VideoFromTextModel::from("veo_3"),
        VideoFromTextModel::Veo3,
        "known names parse to their variant"
    );
}

fn validation(card: &Card) -> (String, String, Option<Vec<String>>) {
    match card.validate() {
        Err(e) if e.kind() == ErrorKind::Validation => (
            e.field().unwrap().to_owned(),
            e.message().unwrap().to_owned(),
            e.allowed().map(<[String]>::to_vec),
        ),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn strings(values: &[&str]) -> Option<Vec<String>> {
    Some(values.iter().map(|s| s.to_string()).collect())
}

#[test]
fn veo_durations_the_seeds_disagree_on_are_sent_with_a_warning() {
    // seed 001 sends veo_3 with 10 s, seed 003 veo_3_1_fast with 10 s, seed
    // 002 says "Veo 3 supports up to 8s": not refused, but warned about.
    for (model, body) in [
        (
            "veo_3",
            r#"{ "generation_type": "video_from_text", "data": { "prompt": "San Antonio taco truck at golden hour, steam rising, handheld camera", "model": "veo_3", "aspect_ratio": "9:16", "duration": 10 } }"#,
        ),
        (
            "veo_3_1_fast",
            r#"{ "generation_type": "video_from_text", "data": { "prompt": "... updated prompt ...", "model": "veo_3_1_fast", "aspect_ratio": "9:16", "duration": 10 } }"#,
        ),
    ] {
        let card: Card = serde_json::from_value(seed(body)).unwrap();
        card.validate().unwrap();
        let warnings = card.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains(model) && warnings[0].contains("up to 8s"),
            "{warnings:?}"
        );
        assert_eq!(card.to_json(), seed(body), "sent exactly as the seed shows");
    }
    // 8 s on video_from_text (seed 002 allows it, seed 001 lists 5 or 10):
    // sent, with a warning
    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Veo31).duration(8));
    card.validate().unwrap();
    assert_eq!(card.warnings().len(), 1);
    // video_from_image lists no durations: 8 s is only seed 002's limit, no
    // warning; 10 s is over it but what seeds 001 and 003 send with Veo
    let card = Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Veo31).duration(8));
    card.validate().unwrap();
    assert!(card.warnings().is_empty());
    let card = Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Veo31).duration(10));
    card.validate().unwrap();
    let warnings = card.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("`veo_3_1` with 10 s: the seeds disagree"));
    // what both readings allow: no warning
    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Veo3).duration(5));
    card.validate().unwrap();
    assert!(card.warnings().is_empty());
    // not Veo: no warning
    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Kling16).duration(10));
    card.validate().unwrap();
    assert!(card.warnings().is_empty());
}

#[test]
fn veo_durations_every_seed_refuses_are_refused() {
    // 9 s and 12 s: neither "5 or 10" (seed 001) nor "up to 8s" (seed 002)
    for model in ["veo_3", "veo_3_fast", "veo_3_1", "veo_3_1_fast", "veo_4"] {
        for duration in [9, 12] {
            let card = Card::from(
                VideoFromTextCard::new("x", VideoFromTextModel::from(model)).duration(duration),
            );
            let (field, message, allowed) = validation(&card);
            assert_eq!(field, "data.duration", "{model} {duration}");
            assert!(message.contains(model), "{message}");
            assert_eq!(
                allowed,
                strings(&["1", "2", "3", "4", "5", "6", "7", "8", "10"])
            );
        }
    }
    let card = Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Veo31).duration(9));
    assert_eq!(validation(&card).0, "data.duration");
}

#[test]
fn rails_generation_type_names_are_accepted_and_normalised() {
    // seed 000 sends the internal Rails names with empty data: sent as given
    for name in ["text_generation", "audio_generation"] {
        let wire = json!({"generation_type": name, "data": {}});
        let body = GenerateBody::from_json(&wire).unwrap();
        assert_eq!(
            body,
            GenerateBody::Raw {
                generation_type: name.to_owned(),
                data: serde_json::Map::new()
            }
        );
        body.validate().unwrap();
        assert_eq!(body.to_json(), wire);
        assert_eq!(body.warnings().len(), 1);
    }
    // with data that is a valid card, the stated/obvious mapping applies
    let body = GenerateBody::from_json(&json!({
        "generation_type": "text_generation",
        "data": {"prompt": "Write a hook", "model": "gemini"}
    }))
    .unwrap();
    assert_eq!(
        body.to_json(),
        json!({"generation_type": "text", "data": {"prompt": "Write a hook", "model": "gemini"}})
    );
    let body = GenerateBody::from_json(&json!({
        "generation_type": "audio_generation",
        "data": {"script": "Hi", "voice_method": "my_voices", "voice_id": "21m00"}
    }))
    .unwrap();
    assert_eq!(body.generation_type(), "speech_from_text");
    // no seed names `image_generation`: no mapping, sent as given
    assert_eq!(canonical_generation_type("image_generation"), None);
    let image = json!({"generation_type": "image_generation",
                       "data": {"prompt": "a taco", "model": "midjourney"}});
    let body = GenerateBody::from_json(&image).unwrap();
    assert_eq!(body.generation_type(), "image_generation");
    assert_eq!(body.to_json(), image);
    // no stated or obvious mapping: sent as given
    assert_eq!(canonical_generation_type("video_generation"), None);
    let body =
        GenerateBody::from_json(&json!({"generation_type": "video_generation", "data": {"x": 1}}))
            .unwrap();
    assert_eq!(body.generation_type(), "video_generation");
    // canonical names keep their checks; unknown names are refused
    let err = GenerateBody::from_json(&json!({"generation_type": "text", "data": {}})).unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some("data"),
        "{err}"
    );
    let err = GenerateBody::from_json(&json!({"generation_type": "txet", "data": {}})).unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some("generation_type"),
        "{err}"
    );
    let err = GenerateBody::from_json(&json!({"generation_type": "text", "data": []})).unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some("data"),
        "{err}"
    );
}

#[test]
fn prompt_var_and_image_var_are_sent() {
    // seed 002: "Media fields can also reference variables via prompt_var, image_var"
    let card = Card::from(
        VideoFromImageCard::new(4821, VideoFromImageModel::Kling26)
            .prompt_var("hook")
            .image_var("hero_image"),
    );
    card.validate().unwrap();
    assert_eq!(
        card.to_json(),
        json!({"generation_type": "video_from_image", "data": {
            "image_resource_id": 4821, "model": "kling_2_6",
            "prompt_var": "hook", "image_var": "hero_image"
        }})
    );
    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Kling16).prompt_var("p"));
    assert_eq!(card.data_json()["prompt_var"], json!("p"));
}

#[test]
fn durations_per_card_and_model() {
    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Kling16).duration(7));
    let (field, _, allowed) = validation(&card);
    assert_eq!(field, "data.duration");
    assert_eq!(allowed, strings(&["5", "10"]));

    let card = Card::from(
        VideoFromIngredientsCard::new("x", VideoFromIngredientsModel::Kling16, [1]).duration(6),
    );
    assert_eq!(validation(&card).2, strings(&["5", "10"]));

    // video_from_image and video_from_ingredients list no durations (seed
    // 002: "Available values depend on the model"): only the limits seed 002
    // gives Kling 1.6 and Veo apply
    Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Kling26).duration(7))
        .validate()
        .unwrap();
    Card::from(
        VideoFromIngredientsCard::new("x", VideoFromIngredientsModel::Pika, [1]).duration(3),
    )
    .validate()
    .unwrap();
    let card = Card::from(
        VideoFromIngredientsCard::new("x", VideoFromIngredientsModel::Veo31Fast, [1]).duration(12),
    );
    assert_eq!(
        validation(&card).2,
        strings(&["1", "2", "3", "4", "5", "6", "7", "8", "10"])
    );

    // a video_from_text card naming no model: seed 001's 5 or 10
    let mut card = VideoFromTextCard::new("x", VideoFromTextModel::Sora2).duration(7);
    card.model = None;
    let (field, message, allowed) = validation(&Card::from(card));
    assert_eq!(field, "data.duration");
    assert_eq!(message, "7 s is not supported on this card");
    assert_eq!(allowed, strings(&["5", "10"]));

    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Sora2).duration(0));
    assert_eq!(validation(&card).0, "data.duration");
}

#[test]
fn a_card_may_name_no_model() {
    // every example names one, but no seed says a card requires it (seed
    // 000 sends `"data": {}`): a card without `model` is read and sent
    let wire = json!({"generation_type": "lipsync",
                      "data": {"video_resource_id": 6001, "audio_resource_id": 5921}});
    let card: Card = serde_json::from_value(wire.clone()).unwrap();
    card.validate().unwrap();
    assert_eq!(card.to_json(), wire);
    let mut text = TextCard::new("Write a hook", TextModel::Gemini25Pro);
    text.model = None;
    assert_eq!(
        Card::from(text).to_json(),
        json!({"generation_type": "text", "data": {"prompt": "Write a hook"}})
    );
}

#[test]
fn aspect_ratios_per_card() {
    let card = Card::from(
        VideoFromTextCard::new("x", VideoFromTextModel::Sora2).aspect_ratio(AspectRatio::Ratio4x3),
    );
    let (field, message, allowed) = validation(&card);
    assert_eq!(field, "data.aspect_ratio");
    assert!(message.contains("4:3"));
    assert_eq!(allowed, strings(&["1:1", "9:16", "16:9"]));

    let card = Card::from(
        ImageFromTextCard::new("x", ImageModel::GeminiImage)
            .aspect_ratio(AspectRatio::from("21:9")),
    );
    let (field, _, allowed) = validation(&card);
    assert_eq!(field, "data.aspect_ratio");
    assert_eq!(allowed, strings(&["1:1", "9:16", "16:9", "4:3", "3:4"]));

    Card::from(
        ImageFromTextCard::new("x", ImageModel::GeminiImage).aspect_ratio(AspectRatio::Ratio3x4),
    )
    .validate()
    .unwrap();
}

#[test]
fn required_fields() {
    let cases: Vec<(Card, &str)> = vec![
        (
            Card::from(TextCard::new("  ", TextModel::Gpt4o)),
            "data.prompt",
        ),
        (
            Card::from(TextCard::new(
                TextInput::ai(AiTextModel::Gemini, ""),
                TextModel::Gpt4o,
            )),
            "data.prompt.prompt",
        ),
        (Card::from(MediaCard::new(0)), "data.content_resource_id"),
        (
            Card::from(VideoFromIngredientsCard::new(
                "x",
                VideoFromIngredientsModel::Pika,
                [],
            )),
            "data.asset_resource_ids",
        ),
        (
            Card::from(SpeechFromTextCard::with_voice("hi", "")),
            "data.voice_id",
        ),
        (
            Card::from(SpeechFromTextCard::with_voice("hi", "v").speed(0.0)),
            "data.speed",
        ),
        (
            Card::from(LipsyncCard::new(LipsyncModel::Gen, 1, -1)),
            "data.audio_resource_id",
        ),
    ];
    for (card, expected) in cases {
        assert_eq!(validation(&card).0, expected, "{card:?}");
    }
    let mut clone = SpeechFromTextCard::cloned("hi", 5);
    Card::from(clone.clone()).validate().unwrap();
    clone.audio_resource_id = None;
    assert_eq!(validation(&Card::from(clone)).0, "data.audio_resource_id");
}

#[test]
fn variables_are_listed_and_substituted() {
    let text = "Create a {{product_type}} ad for {{ brand_name }}, {{product_type}} again, {{}} and {{not closed";
    assert_eq!(variables(text), vec!["product_type", "brand_name"]);

    let mut vars = BTreeMap::new();
    vars.insert("product_type".to_string(), "taco".to_string());
    assert_eq!(
        substitute(text, &vars),
        "Create a taco ad for {{ brand_name }}, taco again, {{}} and {{not closed"
    );
    match substitute_strict(text, &vars) {
        Err(e) if e.kind() == ErrorKind::Validation => {
            let (field, message) = (e.field().unwrap(), e.message().unwrap());
            assert_eq!(field, "variables");
            assert!(message.contains("brand_name"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    vars.insert("brand_name".to_string(), "Santiago".to_string());
    assert_eq!(
        substitute_strict("{{product_type}} by {{brand_name}}", &vars).unwrap(),
        "taco by Santiago"
    );

    let card = Card::from(
        VideoFromTextCard::new("{{product_type}} truck", VideoFromTextModel::Sora2)
            .negative_prompt(TextInput::ai(AiTextModel::Gemini, "avoid {{brand_name}}")),
    );
    assert_eq!(card.variables(), vec!["product_type", "brand_name"]);
    let card = card.substitute(&vars);
    assert_eq!(card.to_json()["data"]["prompt"], json!("taco truck"));
    assert_eq!(
        card.to_json()["data"]["negative_prompt"]["prompt"],
        json!("avoid Santiago")
    );
}

#[test]
fn agent_core_limits_name_field_and_limit() {
    let patch = AgentCorePatch::new().description("x".repeat(501));
    match patch.validate() {
        Err(e) if e.kind() == ErrorKind::Validation => {
            let (field, message) = (e.field().unwrap(), e.message().unwrap());
            assert_eq!(field, "description");
            assert!(message.contains("500"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let patch = AgentCorePatch::new().personality("é".repeat(20_001));
    match patch.validate() {
        Err(e) if e.kind() == ErrorKind::Validation => {
            let (field, message) = (e.field().unwrap(), e.message().unwrap());
            assert_eq!(field, "personality");
            assert!(message.contains("20000"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // 500 characters (not bytes) is fine
    AgentCorePatch::new()
        .description("é".repeat(500))
        .validate()
        .unwrap();
    assert!(AgentCorePatch::new().validate().is_err());
}

#[test]
fn agent_core_patch_sends_only_set_fields() {
    let patch = AgentCorePatch::new()
        .brand_name("Santiago")
        .keywords(["streetfood", "foodtruck"])
        .default_user_voice("21m00Tcm4TlvDq8ikWAM", "public");
    assert_eq!(
        patch.to_json(),
        json!({
            "brand_name": "Santiago",
            "keywords": ["streetfood", "foodtruck"],
            "default_user_voice": { "voice_id": "21m00Tcm4TlvDq8ikWAM", "source": "public" }
        })
    );
    // an explicitly empty list is sent (it clears the section)
    assert_eq!(
        AgentCorePatch::new()
            .keywords(Vec::<String>::new())
            .to_json(),
        json!({"keywords": []})
    );
}

/// Every card, with every field it has set, is held exactly by genpro-api's
/// generated `GenerateRequest` (the card data types progenitor generates
/// from openapi.yaml): same field names, value types and value lists. A
/// drift check that needs no schemars; a model newer than genpro-api and a
/// Veo duration of 8 s fit too (the value lists are open).
#[test]
fn every_card_fits_the_generated_card_data_exactly() {
    use genpro_sdk::genpro_api::types::GenerateRequest;
    let ai = TextInput::ai(AiTextModel::OpenAi, "write it");
    let cards = [
        Card::from(TextCard::new(ai.clone(), TextModel::ClaudeSonnet4).variable("topic", "tacos")),
        Card::from(MediaCard::new(7000)),
        Card::from(
            ImageFromTextCard::new("img", ImageModel::Midjourney)
                .aspect_ratio(AspectRatio::Ratio3x4)
                .prompt_var("col_1"),
        ),
        Card::from(
            VideoFromTextCard::new("vid", VideoFromTextModel::Veo31Fast)
                .aspect_ratio(AspectRatio::Ratio9x16)
                .duration(10)
                .negative_prompt(ai.clone())
                .prompt_var("col_2"),
        ),
        Card::from(
            VideoFromImageCard::new(4821, VideoFromImageModel::Kling26)
                .image_tail_resource_id(4822)
                .prompt("push in")
                .prompt_var("col_3")
                .image_var("col_4")
                .aspect_ratio(AspectRatio::Ratio1x1)
                .duration(5),
        ),
        Card::from(
            VideoFromIngredientsCard::new("mix", VideoFromIngredientsModel::Pika, [1, 2])
                .aspect_ratio(AspectRatio::Ratio16x9)
                .duration(5)
                .prompt_var("col_5"),
        ),
        Card::from(
            SpeechFromTextCard::with_voice(ai, "21m00Tcm4TlvDq8ikWAM")
                .enhance_voice(true)
                .speed(1.25),
        ),
        Card::from(SpeechFromTextCard::designed("hi", "female", "es")),
        Card::from(SpeechFromTextCard::cloned("hi", 5921)),
        Card::from(LipsyncCard::new(LipsyncModel::SyncSo, 6001, 5921)),
        Card::from(CaptionsCard::new(CaptionsModel::Gemini, 6001)),
        Card::from(VideoFromTextCard::new(
            "new",
            VideoFromTextModel::from("sora_3"),
        )),
        // a Veo duration the seeds disagree on is sent (with a warning), so
        // genpro-api's duration is an open integer too
        Card::from(VideoFromTextCard::new("veo", VideoFromTextModel::Veo3).duration(8)),
    ];
    for card in cards {
        let wire = card.to_json();
        let generated: GenerateRequest = serde_json::from_value(wire.clone())
            .unwrap_or_else(|e| panic!("genpro-api cannot hold {wire}: {e}"));
        assert_eq!(
            serde_json::to_value(&generated).unwrap(),
            wire,
            "genpro-api's {} changes the card",
            card.generation_type()
        );
    }
    // and the comparison can fail: a field the spec does not define is lost
    let mut extra = VideoFromTextCard::new("x", VideoFromTextModel::Kling16);
    extra.extra.insert("temperature".into(), json!(0.5));
    let wire = Card::from(extra).to_json();
    let generated: GenerateRequest = serde_json::from_value(wire.clone()).unwrap();
    assert_ne!(serde_json::to_value(&generated).unwrap(), wire);
}

#[test]
fn the_value_lists_come_from_openapi_yaml() {
    // the per-card lists are the spec's ImageAspectRatio / VideoAspectRatio /
    // VideoDuration, and the one AspectRatio knows their union
    assert_eq!(
        IMAGE_FROM_TEXT_ASPECT_RATIOS,
        ["1:1", "9:16", "16:9", "4:3", "3:4"]
    );
    assert_eq!(VIDEO_FROM_TEXT_ASPECT_RATIOS, ["1:1", "9:16", "16:9"]);
    assert_eq!(MODEL_ASPECT_RATIOS, ["1:1", "9:16", "16:9"]);
    assert_eq!(VIDEO_DURATIONS, [1, 2, 3, 4, 5, 6, 7, 8, 10]);
    assert_eq!(VIDEO_FROM_TEXT_DURATIONS, [5, 10]);
    assert_eq!(KLING_1_6_DURATIONS, [5, 10]);
    assert_eq!(AspectRatio::KNOWN, IMAGE_FROM_TEXT_ASPECT_RATIOS);
    assert_eq!(AspectRatio::from("9:16"), AspectRatio::Ratio9x16);
    assert_eq!(AspectRatio::from("2:3").to_string(), "2:3");
    assert!(!AspectRatio::from("2:3").is_known());
    assert_eq!(
        ImageModel::from("midjourney"),
        ImageFromTextModel::Midjourney
    );
    let text: String = TextModel::OpenAi.into();
    assert_eq!(text, "openai");
}

/// openapi.yaml, parsed.
fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml"))
        .expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// The spec's `enum` of a card property (through one `$ref`), as strings.
fn spec_enum(spec: &Value, card: &str, property: &str) -> BTreeSet<String> {
    let mut schema = &spec["components"]["schemas"][card]["properties"][property];
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        schema = &spec["components"]["schemas"][name];
    }
    schema["enum"]
        .as_array()
        .or_else(|| schema["x-extensible-enum"].as_array())
        .unwrap_or_else(|| panic!("{card}.{property} lists no values in openapi.yaml"))
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect()
}

#[test]
fn validation_constants_match_openapi_yaml() {
    // The per-card lists `Card::validate` enforces, where the Rust type is
    // wider (one `AspectRatio`, a `u32` duration). video_from_image and
    // video_from_ingredients list no durations: their `duration` is a plain
    // integer in openapi.yaml.
    let spec = spec();
    let strings = |values: &[&str]| values.iter().map(|v| v.to_string()).collect();
    let numbers = |values: &[u32]| values.iter().map(|v| v.to_string()).collect();
    let checks: [(&str, &str, BTreeSet<String>); 5] = [
        (
            "ImageFromTextCardData",
            "aspect_ratio",
            strings(IMAGE_FROM_TEXT_ASPECT_RATIOS),
        ),
        (
            "VideoFromTextCardData",
            "aspect_ratio",
            strings(VIDEO_FROM_TEXT_ASPECT_RATIOS),
        ),
        // the common options (open: listed, not enforced)
        (
            "VideoFromImageCardData",
            "aspect_ratio",
            strings(MODEL_ASPECT_RATIOS),
        ),
        (
            "VideoFromIngredientsCardData",
            "aspect_ratio",
            strings(MODEL_ASPECT_RATIOS),
        ),
        // every value a seed allows (seed 001's 5 or 10 among them)
        (
            "VideoFromTextCardData",
            "duration",
            numbers(VIDEO_DURATIONS),
        ),
    ];
    assert!(numbers(VIDEO_FROM_TEXT_DURATIONS).is_subset(&numbers(VIDEO_DURATIONS)));
    for card in ["VideoFromImageCardData", "VideoFromIngredientsCardData"] {
        let duration = &spec["components"]["schemas"][card]["properties"]["duration"];
        assert_eq!(duration["type"], "integer", "{card}");
        assert!(
            duration.get("enum").is_none() && duration.get("$ref").is_none(),
            "{card}"
        );
    }
    let problems: Vec<String> = checks
        .into_iter()
        .filter_map(|(card, property, rust)| {
            let listed = spec_enum(&spec, card, property);
            (listed != rust).then(|| {
                format!(
                    "{card}.{property}: genpro-sdk validates {rust:?}, openapi.yaml lists {listed:?}"
                )
            })
        })
        .collect();
    assert!(
        problems.is_empty(),
        "genpro-sdk and openapi.yaml disagree:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn only_video_from_text_refuses_the_image_only_aspect_ratios() {
    // seed 001 lists video_from_text's ratios
    let card = Card::from(
        VideoFromTextCard::new("p", VideoFromTextModel::Kling16)
            .aspect_ratio(AspectRatio::Ratio4x3),
    );
    let err = card.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `data.aspect_ratio`: `4:3` is not supported by this card (allowed: 1:1, 9:16, 16:9)"
    );
    // the other video cards list none (seed 002: "Available ratios vary by
    // model"): any ratio is sent
    let cards = [
        Card::from(
            VideoFromImageCard::new(1, VideoFromImageModel::Kling26)
                .aspect_ratio(AspectRatio::Ratio3x4),
        ),
        Card::from(
            VideoFromIngredientsCard::new("p", VideoFromIngredientsModel::Pika, vec![1])
                .aspect_ratio(AspectRatio::from("21:9")),
        ),
    ];
    for card in cards {
        card.validate().unwrap();
    }
}

/// The wire bytes of `card`: its body as serialised on the way out (a
/// `serde_json::Value`, so keys in order).
fn wire(card: &Card) -> String {
    serde_json::to_string(&card.to_json()).unwrap()
}

#[test]
fn every_card_sends_exactly_these_bytes() {
    let ai = TextInput::ai(AiTextModel::OpenAi, "write it");
    let cases = [
        (
            Card::from(
                TextCard::new(ai.clone(), TextModel::ClaudeSonnet4)
                    .variable("topic", "tacos")
                    .variable("city", "San Antonio"),
            ),
            r#"{"data":{"model":"claude_sonnet_4","prompt":{"model":"openai","prompt":"write it"},"variables":{"city":"San Antonio","topic":"tacos"}},"generation_type":"text"}"#,
        ),
        (
            Card::from(TextCard::new("hook", TextModel::Gpt4o)),
            r#"{"data":{"model":"gpt_4o","prompt":"hook"},"generation_type":"text"}"#,
        ),
        (
            Card::from(MediaCard::new(7000)),
            r#"{"data":{"content_resource_id":7000},"generation_type":"media"}"#,
        ),
        (
            Card::from(
                ImageFromTextCard::new("img", ImageModel::Midjourney)
                    .aspect_ratio(AspectRatio::Ratio3x4)
                    .prompt_var("col_1"),
            ),
            r#"{"data":{"aspect_ratio":"3:4","model":"midjourney","prompt":"img","prompt_var":"col_1"},"generation_type":"image_from_text"}"#,
        ),
        (
            Card::from(
                VideoFromTextCard::new("vid", VideoFromTextModel::Veo31Fast)
                    .aspect_ratio(AspectRatio::Ratio9x16)
                    .duration(10)
                    .negative_prompt("blur")
                    .prompt_var("col_2"),
            ),
            r#"{"data":{"aspect_ratio":"9:16","duration":10,"model":"veo_3_1_fast","negative_prompt":"blur","prompt":"vid","prompt_var":"col_2"},"generation_type":"video_from_text"}"#,
        ),
        (
            Card::from(
                VideoFromImageCard::new(4821, VideoFromImageModel::Kling26)
                    .image_tail_resource_id(4822)
                    .prompt(ai.clone())
                    .prompt_var("col_3")
                    .image_var("col_4")
                    .aspect_ratio(AspectRatio::Ratio1x1)
                    .duration(5),
            ),
            r#"{"data":{"aspect_ratio":"1:1","duration":5,"image_resource_id":4821,"image_tail_resource_id":4822,"image_var":"col_4","model":"kling_2_6","prompt":{"model":"openai","prompt":"write it"},"prompt_var":"col_3"},"generation_type":"video_from_image"}"#,
        ),
        (
            Card::from(
                VideoFromIngredientsCard::new("mix", VideoFromIngredientsModel::Pika, [2, 1])
                    .aspect_ratio(AspectRatio::Ratio16x9)
                    .duration(5)
                    .prompt_var("col_5"),
            ),
            r#"{"data":{"aspect_ratio":"16:9","asset_resource_ids":[2,1],"duration":5,"model":"pika","prompt":"mix","prompt_var":"col_5"},"generation_type":"video_from_ingredients"}"#,
        ),
        (
            Card::from(
                SpeechFromTextCard::with_voice(ai, "21m00Tcm4TlvDq8ikWAM")
                    .enhance_voice(true)
                    .speed(1.25),
            ),
            r#"{"data":{"enhance_voice":true,"script":{"model":"openai","prompt":"write it"},"speed":1.25,"voice_id":"21m00Tcm4TlvDq8ikWAM","voice_method":"my_voices"},"generation_type":"speech_from_text"}"#,
        ),
        (
            Card::from(SpeechFromTextCard::designed("hi", "female", "es")),
            r#"{"data":{"gender":"female","language":"es","script":"hi","voice_method":"design_voice"},"generation_type":"speech_from_text"}"#,
        ),
        (
            Card::from(SpeechFromTextCard::cloned("hi", 5921)),
            r#"{"data":{"audio_resource_id":5921,"script":"hi","voice_method":"clone_voice"},"generation_type":"speech_from_text"}"#,
        ),
        (
            Card::from(LipsyncCard::new(LipsyncModel::SyncSo, 6001, 5921)),
            r#"{"data":{"audio_resource_id":5921,"model":"sync_so","video_resource_id":6001},"generation_type":"lipsync"}"#,
        ),
        (
            Card::from(CaptionsCard::new(CaptionsModel::Gemini, 6001)),
            r#"{"data":{"model":"gemini","source_resource_id":6001},"generation_type":"captions"}"#,
        ),
    ];
    for (card, expected) in cases {
        assert_eq!(wire(&card), expected, "{}", card.generation_type());
        // and the data alone, as a cell's card is patched
        let data = serde_json::to_string(&card.data_json()).unwrap();
        assert!(
            expected.starts_with(&format!(r#"{{"data":{data},"#)),
            "{data}"
        );
    }
}

#[test]
fn a_card_wraps_the_generated_data() {
    use genpro_sdk::genpro_api::types::VideoFromTextCardData;
    let mut card = VideoFromTextCard::new("taco", VideoFromTextModel::Kling16).duration(5);
    // the generated fields read and write through Deref / DerefMut
    assert_eq!(card.prompt.text(), "taco");
    assert_eq!(card.model, Some(VideoFromTextModel::Kling16));
    card.duration = Some(10);
    assert_eq!(card.data().duration, Some(10));
    let data: VideoFromTextCardData = card.clone().into_data();
    assert_eq!(data.prompt, TextInput::String("taco".into()));
    // and back: no extra fields
    let again = VideoFromTextCard::from(data);
    assert!(again.extra.is_empty());
    assert_eq!(again, card);
    // into_data leaves the extra fields out
    card.extra.insert("temperature".into(), json!(0.5));
    assert_eq!(
        serde_json::to_value(card.clone().into_data()).unwrap(),
        json!({"prompt": "taco", "model": "kling_1_6", "duration": 10})
    );
}

#[test]
fn only_the_fields_the_spec_lacks_go_to_extra() {
    let card: VideoFromTextCard = serde_json::from_value(json!({
        "prompt": "x", "model": "veo_3", "duration": 8, "prompt_var": "col_2",
        "field_from_2030": {"a": 1}, "seed": 7
    }))
    .unwrap();
    assert_eq!(card.duration, Some(8));
    assert_eq!(card.prompt_var.as_deref(), Some("col_2"));
    let extra: Map<String, Value> = card.extra.clone();
    assert_eq!(
        Value::Object(extra),
        json!({"field_from_2030": {"a": 1}, "seed": 7})
    );
    // and they are sent back, next to the known ones
    assert_eq!(
        Card::from(card).data_json(),
        *json!({"prompt": "x", "model": "veo_3", "duration": 8, "prompt_var": "col_2",
                "field_from_2030": {"a": 1}, "seed": 7})
        .as_object()
        .unwrap()
    );
    // a known field with the wrong type is an error, not an extra field
    let wrong = serde_json::from_value::<VideoFromTextCard>(
        json!({"prompt": "x", "model": "veo_3", "duration": "8"}),
    );
    assert!(wrong.is_err());
}

#[test]
fn text_card_variables_are_sorted_and_an_empty_map_is_sent_as_read() {
    // many keys: a HashMap's order would show
    let names = [
        "zeta", "alpha", "mid", "beta", "omega", "kappa", "delta", "eta",
    ];
    let mut card = TextCard::new("{{alpha}}", TextModel::Gpt4o);
    for name in names {
        card = card.variable(name, "v");
    }
    let mut sorted = names;
    sorted.sort_unstable();
    let expected = format!(
        r#"{{"variables":{{{}}},"model":"gpt_4o","prompt":"{{{{alpha}}}}"}}"#,
        sorted
            .iter()
            .map(|n| format!(r#""{n}":"v""#))
            .collect::<Vec<_>>()
            .join(",")
    );
    // serialised directly, not only through a Value
    assert_eq!(serde_json::to_string(&card).unwrap(), expected);

    // absent stays absent, `{}` read stays `{}`, `null` reads as absent
    let absent = Card::from(TextCard::new("p", TextModel::Gpt4o));
    assert!(absent.data_json().get("variables").is_none());
    let read = |data: Value| -> Card {
        serde_json::from_value(json!({"generation_type": "text", "data": data})).unwrap()
    };
    let empty = read(json!({"prompt": "p", "model": "gpt_4o", "variables": {}}));
    assert_eq!(
        wire(&empty),
        r#"{"data":{"model":"gpt_4o","prompt":"p","variables":{}},"generation_type":"text"}"#
    );
    let null = read(json!({"prompt": "p", "model": "gpt_4o", "variables": null}));
    assert_eq!(null, absent);
    // a variable added to a card read with `{}` replaces the `{}`
    let Card::Text(text) = empty else {
        unreachable!()
    };
    let filled = Card::from(text.variable("topic", "tacos"));
    assert_eq!(filled.data_json()["variables"], json!({"topic": "tacos"}));
}

#[test]
fn text_input_is_the_generated_text_or_ai_text() {
    use genpro_sdk::genpro_api::types::TextOrAiText;
    let plain: TextOrAiText = TextInput::plain("hi");
    assert_eq!(plain, TextInput::String("hi".into()));
    assert_eq!(plain.text(), "hi");
    let ai = TextInput::ai(AiTextModel::Gemini, "write");
    assert_eq!(
        ai,
        TextInput::AiText(AiText {
            model: AiTextModel::Gemini,
            prompt: "write".into()
        })
    );
    assert_eq!(ai.text(), "write");
    // constructors take &str, String, &String, AiText and TextInput
    let owned = String::from("s");
    for prompt in [
        "s".into_text_input(),
        owned.clone().into_text_input(),
        (&owned).into_text_input(),
    ] {
        assert_eq!(prompt, TextInput::String("s".into()));
    }
    let card = TextCard::new(
        AiText {
            model: AiTextModel::OpenAi,
            prompt: "p".into(),
        },
        TextModel::Gpt4o,
    );
    assert_eq!(card.prompt, TextInput::ai(AiTextModel::OpenAi, "p"));
}

#[test]
fn ai_text_with_a_field_the_spec_does_not_define_is_refused_not_dropped() {
    // openapi.yaml's AiText has `additionalProperties: false`; a field in
    // it would otherwise be lost on the way out
    let body = json!({"generation_type": "text", "data": {
        "prompt": {"model": "gemini", "prompt": "x", "temperature": 0.2}, "model": "gpt_4o"}});
    match GenerateBody::from_json(&body) {
        Err(e) if e.kind() == ErrorKind::Validation => assert_eq!(e.field(), Some("data")),
        other => panic!("{other:?}"),
    }
}
