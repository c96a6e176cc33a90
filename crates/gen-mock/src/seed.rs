//! Seed content: starter templates, public voices, idea and research text.

use serde_json::{Value, json};

/// A starter template.
pub(crate) struct TemplateDef {
    pub slug: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub tags: &'static [&'static str],
    /// Title and card (generation type) of the `video` role column.
    pub video_title: &'static str,
    pub video_card: &'static str,
}

/// The starter templates of the documentation.
pub(crate) const TEMPLATES: &[TemplateDef] = &[
    TemplateDef {
        slug: "tiktok-talking-avatar",
        title: "TikTok Talking Avatar",
        description: "Founder-style VO, explainer, testimonial: founder VO + lipsync + captions.",
        tags: &["talking_avatar"],
        video_title: "Avatar Video",
        video_card: "lipsync",
    },
    TemplateDef {
        slug: "tiktok-montage",
        title: "TikTok Montage",
        description: "Multi-shot b-roll stitched with music.",
        tags: &["montage"],
        video_title: "B-roll",
        video_card: "video_from_text",
    },
    TemplateDef {
        slug: "tiktok-vo-broll",
        title: "TikTok VO + B-roll",
        description: "Narrated / voiceover over curated b-roll.",
        tags: &["narrated_vo"],
        video_title: "B-roll",
        video_card: "video_from_ingredients",
    },
    TemplateDef {
        slug: "tiktok-text-driven",
        title: "TikTok Text-Driven",
        description: "Kinetic text + music, no avatar.",
        tags: &["text_driven"],
        video_title: "Background Video",
        video_card: "video_from_text",
    },
    TemplateDef {
        slug: "tiktok-split-screen",
        title: "TikTok Split Screen",
        description: "Reaction / comparison, side by side.",
        tags: &["split_screen"],
        video_title: "Split Video",
        video_card: "video_from_image",
    },
    TemplateDef {
        slug: "ig-reel-story",
        title: "Instagram Reel Story",
        description: "Longer 30-60s vertical story.",
        tags: &["talking_avatar", "narrated_vo"],
        video_title: "Story Video",
        video_card: "video_from_text",
    },
    TemplateDef {
        slug: "yt-short-explainer",
        title: "YouTube Short Explainer",
        description: "45s explainer with text + VO.",
        tags: &["narrated_vo", "text_driven"],
        video_title: "Explainer Video",
        video_card: "video_from_text",
    },
];

/// The template with this slug.
pub(crate) fn template(slug: &str) -> Option<&'static TemplateDef> {
    TEMPLATES.iter().find(|t| t.slug == slug)
}

/// Default card data of a generation type (used for template columns and layers).
pub(crate) fn default_card_data(generation_type: &str) -> Value {
    match generation_type {
        "text" => {
            json!({"prompt": "Write a 12s TikTok hook for {{topic}}", "model": "gemini_2_5_pro"})
        }
        "speech_from_text" => {
            json!({"script": "{{Script}}", "voice_method": "my_voices", "voice_id": "21m00Tcm4TlvDq8ikWAM", "speed": 1.0})
        }
        "lipsync" => json!({"model": "sync_so"}),
        "video_from_text" => {
            json!({"prompt": "Vertical b-roll for {{topic}}", "model": "veo_3_1_fast", "aspect_ratio": "9:16", "duration": 5})
        }
        "video_from_image" => {
            json!({"prompt": "Slow push-in", "model": "kling_2_6", "aspect_ratio": "9:16", "duration": 5})
        }
        "video_from_ingredients" => {
            json!({"prompt": "Montage of {{topic}}", "model": "pika", "asset_resource_ids": [], "aspect_ratio": "9:16", "duration": 5})
        }
        "image_from_text" => {
            json!({"prompt": "Cover image for {{topic}}", "model": "gemini_image", "aspect_ratio": "9:16"})
        }
        "captions" => json!({"model": "gemini"}),
        _ => json!({}),
    }
}

/// Public voices of the library: (voice_id, name, description).
pub(crate) const PUBLIC_VOICES: &[(&str, &str, &str)] = &[
    ("21m00Tcm4TlvDq8ikWAM", "Rachel", "Calm narration"),
    ("pNInz6obpgDQGcFmaJgB", "Adam", "Deep, confident narration"),
    ("EXAVITQu4vr4xnSDxMaL", "Bella", "Soft, friendly"),
    ("ErXwobaYiN019PkySvjV", "Antoni", "Well-rounded, upbeat"),
];

/// Video types of generated ideas: (video_type, video_type_id).
pub(crate) const IDEA_TYPES: &[(&str, i64)] = &[
    ("talking_avatar", 1),
    ("montage", 3),
    ("narrated_vo", 6),
    ("text_driven", 4),
    ("split_screen", 8),
];

/// The body of one generated idea (without id / conversation / status fields).
pub(crate) fn idea_body(n: usize, topic: &str, base: &str) -> Value {
    let (video_type, video_type_id) = IDEA_TYPES[n % IDEA_TYPES.len()];
    let title = format!("{} #{}: {}", title_case(video_type), n + 1, topic);
    let hook = format!("Nobody tells you this about {topic}.");
    let duration = 12 + 3 * (n as i64 % 4);
    json!({
        "title": title,
        "hook": hook,
        "full_script": format!("{hook} Here is what happened when I went looking for the best of {topic}. Part {}: the line was around the block, and it was worth it. Follow for more.", n + 1),
        "video_type": video_type,
        "video_type_id": video_type_id,
        "estimated_duration": duration,
        "aspect_ratio": "9:16",
        "selected_assets": [
            {"url": format!("{base}/cdn/research/clip{}.mp4", n + 1), "type": "video", "description": format!("Trending clip about {topic}"), "usage": "b-roll behind the hook", "clip_range": "00:03-00:08"},
            {"url": format!("{base}/cdn/research/image{}.jpg", n + 1), "type": "image", "description": "Reference still", "usage": "cover frame", "clip_range": null}
        ],
        "project_manifest": {
            "total_duration": duration,
            "timeline_layers": [
                {"type": "video", "start": 0, "end": duration, "source": "selected_assets[0]"},
                {"type": "audio", "start": 0, "end": duration, "source": "voiceover"},
                {"type": "text", "start": 0, "end": 3, "text": hook}
            ]
        },
        "inspiration_sources": [
            {"url": format!("https://tiktok.com/@creator{}/video/{}", n + 1, 7_300_000_000_000_000_000_i64 + n as i64), "platform": "tiktok", "title": format!("Viral take on {topic}")}
        ],
        "rationale": format!("{} videos about {topic} are trending this week and match the agent's keywords.", title_case(video_type)),
    })
}

/// Research findings for a topic at a depth.
pub(crate) fn findings(topic: &str, depth: &str) -> Value {
    let n = match depth {
        "quick" => 3,
        "deep" => 8,
        _ => 5,
    };
    let platforms = [
        "tiktok",
        "youtube",
        "reddit",
        "x",
        "hacker_news",
        "perplexity",
        "gemini",
        "instagram",
    ];
    Value::Array(
        (0..n)
            .map(|i| {
                json!({
                    "title": format!("Finding {} on {topic}", i + 1),
                    "summary": format!("Signal {} about {topic} from {}.", i + 1, platforms[i % platforms.len()]),
                    "platform": platforms[i % platforms.len()],
                    "source_url": format!("https://example.com/research/{}", i + 1),
                })
            })
            .collect(),
    )
}

fn title_case(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
