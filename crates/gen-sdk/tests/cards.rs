//! Creation cards: the JSON each card produces equals the documentation's
//! examples exactly, validation names the field and the allowed values,
//! `{{variables}}` helpers.

use std::collections::BTreeMap;

use gen_sdk::Error;
use gen_sdk::agent_core::AgentCorePatch;
use gen_sdk::cards::*;
use serde_json::{Value, json};

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
        Err(Error::Validation {
            field,
            message,
            allowed,
        }) => (field, message, allowed),
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
    // 8 s (seed 002 allows it, seed 001 lists 5 or 10): sent, with a warning
    let card = Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Veo31).duration(8));
    card.validate().unwrap();
    assert_eq!(card.warnings().len(), 1);
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
    assert_eq!(
        canonical_generation_type("image_generation"),
        Some("image_from_text")
    );
    // no stated or obvious mapping: sent as given
    assert_eq!(canonical_generation_type("video_generation"), None);
    let body =
        GenerateBody::from_json(&json!({"generation_type": "video_generation", "data": {"x": 1}}))
            .unwrap();
    assert_eq!(body.generation_type(), "video_generation");
    // canonical names keep their checks; unknown names are refused
    let err = GenerateBody::from_json(&json!({"generation_type": "text", "data": {}})).unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "data"),
        "{err}"
    );
    let err = GenerateBody::from_json(&json!({"generation_type": "txet", "data": {}})).unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "generation_type"),
        "{err}"
    );
    let err = GenerateBody::from_json(&json!({"generation_type": "text", "data": []})).unwrap_err();
    assert!(
        matches!(err, gen_sdk::Error::Validation { ref field, .. } if field == "data"),
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

    let card = Card::from(VideoFromImageCard::new(1, VideoFromImageModel::Kling26).duration(7));
    assert_eq!(validation(&card).2, strings(&["5", "10"]));

    let card = Card::from(VideoFromTextCard::new("x", VideoFromTextModel::Sora2).duration(0));
    assert_eq!(validation(&card).0, "data.duration");
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
        Err(Error::Validation { field, message, .. }) => {
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
        Err(Error::Validation { field, message, .. }) => {
            assert_eq!(field, "description");
            assert!(message.contains("500"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let patch = AgentCorePatch::new().personality("é".repeat(20_001));
    match patch.validate() {
        Err(Error::Validation { field, message, .. }) => {
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

/// Every card, with every field it has set, is held exactly by gen-api's
/// generated `GenerateRequest` (the card data types progenitor generates
/// from openapi.yaml): same field names, value types and value lists. A
/// drift check that needs no schemars; a model newer than gen-api and a
/// Veo duration of 8 s fit too (the value lists are open).
#[test]
fn every_card_fits_the_generated_card_data_exactly() {
    use gen_sdk::gen_api::types::GenerateRequest;
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
        // gen-api's duration is an open integer too
        Card::from(VideoFromTextCard::new("veo", VideoFromTextModel::Veo3).duration(8)),
    ];
    for card in cards {
        let wire = card.to_json();
        let generated: GenerateRequest = serde_json::from_value(wire.clone())
            .unwrap_or_else(|e| panic!("gen-api cannot hold {wire}: {e}"));
        assert_eq!(
            serde_json::to_value(&generated).unwrap(),
            wire,
            "gen-api's {} changes the card",
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
    assert_eq!(VIDEO_FROM_TEXT_DURATIONS, [5, 10]);
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
