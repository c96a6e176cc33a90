//! Typed creation cards, validated before any request.
//!
//! Every cell of an Auto Content Engine generates through a *creation card*:
//! a `generation_type` and its `data`. [`Card`] covers the 9 card types and
//! serialises to exactly the documented body:
//!
//! ```
//! use gen_sdk::cards::{Card, VideoFromTextCard, VideoFromTextModel, AspectRatio};
//!
//! let card = Card::from(
//!     VideoFromTextCard::new("Taco truck at golden hour", VideoFromTextModel::Veo31Fast)
//!         .aspect_ratio(AspectRatio::Ratio9x16)
//!         .duration(5),
//! );
//! card.validate().unwrap();
//! assert_eq!(
//!     card.to_json(),
//!     serde_json::json!({
//!         "generation_type": "video_from_text",
//!         "data": {
//!             "prompt": "Taco truck at golden hour",
//!             "model": "veo_3_1_fast",
//!             "aspect_ratio": "9:16",
//!             "duration": 5
//!         }
//!     })
//! );
//! ```
//!
//! Models, aspect ratios and voice methods are open enums (see
//! [`AspectRatio::Other`]): a model GEN adds later can be sent before gen-sdk
//! knows its name. Every card data struct also has an `extra` map for
//! documented-elsewhere or future fields (`prompt_var`, `image_var`...),
//! flattened into `data`.
//!
//! Internal Rails generation type names (`text_generation`,
//! `audio_generation`: seed 000's examples) are read by
//! [`GenerateBody::from_json`]: normalised to the canonical card where the
//! mapping is stated or obvious ([`canonical_generation_type`]) and the data
//! is a valid card, otherwise sent as given ([`GenerateBody::Raw`]).
//!
//! Render is not a card: it has its own endpoint and no body
//! (`client.publish().render(..)`).
//!
//! # Validation ([`Card::validate`])
//!
//! Required fields are present and non-empty; aspect ratios are checked per
//! card (`image_from_text`: 1:1, 9:16, 16:9, 4:3, 3:4; `video_from_text`:
//! 1:1, 9:16, 16:9); durations are checked per card and model
//! (`video_from_text`: 5 or 10; a `veo_*` model takes what either seed
//! allows, 5 / 10 or up to 8 s, with a warning where they disagree: see
//! [`VEO_MAX_DURATION`] and [`Card::warnings`]). Only `video_from_text` documents its ratios and
//! durations; like openapi.yaml, gen-sdk applies them to `video_from_image`
//! and `video_from_ingredients` too. Unknown (`Other`) models are not
//! rejected: the server decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::open_enum::open_enum;

/// Longest clip, in seconds, seed 002 gives for Veo ("Veo 3 supports up to
/// 8s").
///
/// The seeds contradict each other: seed 001 lists "Duration: 5 or 10" for
/// `video_from_text` and sends `"model": "veo_3"` with `"duration": 10`;
/// seed 003 sends `"model": "veo_3_1_fast"` with `"duration": 10`. gen-sdk
/// therefore does not refuse a Veo duration either reading allows (up to 8 s,
/// or 5 / 10): it sends it as is and warns once ([`Card::warnings`],
/// `tracing::warn!`), and the server decides. Only a duration both readings
/// refuse (e.g. 9 s, or 12 s) is a [`Error::Validation`].
pub const VEO_MAX_DURATION: u32 = 8;

/// Durations documented for `video_from_text`, applied to every video card
/// (openapi.yaml's `VideoDuration`).
pub const VIDEO_FROM_TEXT_DURATIONS: &[u32] = &[5, 10];

/// Aspect ratios documented for `image_from_text`.
pub const IMAGE_FROM_TEXT_ASPECT_RATIOS: &[&str] = &["1:1", "9:16", "16:9", "4:3", "3:4"];

/// Aspect ratios documented for `video_from_text`; also applied to
/// `video_from_image` and `video_from_ingredients`, whose pages list none
/// (openapi.yaml makes the same choice).
pub const VIDEO_FROM_TEXT_ASPECT_RATIOS: &[&str] = &["1:1", "9:16", "16:9"];

open_enum! {
    /// An aspect ratio (`"9:16"`...). Which ones a card accepts depends on
    /// the card and model.
    pub enum AspectRatio {
        /// Square.
        Ratio1x1 => "1:1",
        /// Vertical / portrait (TikTok, Reels, Shorts).
        Ratio9x16 => "9:16",
        /// Horizontal / landscape (YouTube).
        Ratio16x9 => "16:9",
        /// Classic landscape (images).
        Ratio4x3 => "4:3",
        /// Classic portrait (images).
        Ratio3x4 => "3:4",
    }
}

open_enum! {
    /// Model of an AI text field ([`TextInput::Ai`]).
    pub enum AiTextModel {
        /// Google Gemini.
        Gemini => "gemini",
        /// OpenAI.
        OpenAi => "openai",
    }
}

open_enum! {
    /// Model of a `text` card.
    pub enum TextModel {
        /// Gemini 2.0 Flash.
        Gemini20Flash => "gemini_2_0_flash",
        /// Gemini 2.5 Pro.
        Gemini25Pro => "gemini_2_5_pro",
        /// GPT-4o.
        Gpt4o => "gpt_4o",
        /// GPT-4o mini.
        Gpt4oMini => "gpt_4o_mini",
        /// o3-mini.
        O3Mini => "o3_mini",
        /// o4-mini.
        O4Mini => "o4_mini",
        /// Claude Sonnet 4.
        ClaudeSonnet4 => "claude_sonnet_4",
        /// The Gemini family, as the creation cards page's example names it.
        Gemini => "gemini",
        /// The OpenAI family, as the creation cards page names it.
        OpenAi => "openai",
    }
}

open_enum! {
    /// Model of an `image_from_text` card.
    pub enum ImageModel {
        /// Gemini image.
        GeminiImage => "gemini_image",
        /// Gemini Pro image.
        GeminiProImage => "gemini_pro_image",
        /// Midjourney.
        Midjourney => "midjourney",
    }
}

open_enum! {
    /// Model of a `video_from_text` card.
    pub enum VideoFromTextModel {
        /// Veo 3 (max 8 s).
        Veo3 => "veo_3",
        /// Veo 3 Fast (max 8 s).
        Veo3Fast => "veo_3_fast",
        /// Veo 3.1 (max 8 s).
        Veo31 => "veo_3_1",
        /// Veo 3.1 Fast (max 8 s).
        Veo31Fast => "veo_3_1_fast",
        /// Sora 2.
        Sora2 => "sora_2",
        /// Kling 1.6 (5 or 10 s).
        Kling16 => "kling_1_6",
        /// Seedance Pro.
        SeedancePro => "seedance_pro",
        /// Seedance Pro 1.5.
        SeedancePro15 => "seedance_pro_1_5",
    }
}

open_enum! {
    /// Model of a `video_from_image` card.
    pub enum VideoFromImageModel {
        /// Kling 2.1.
        Kling21 => "kling_2_1",
        /// Kling 2.6.
        Kling26 => "kling_2_6",
        /// Veo 3 (max 8 s).
        Veo3 => "veo_3",
        /// Veo 3.1 (max 8 s).
        Veo31 => "veo_3_1",
        /// Sora 2.
        Sora2 => "sora_2",
        /// Seedance Lite.
        SeedanceLite => "seedance_lite",
        /// Seedance Pro.
        SeedancePro => "seedance_pro",
        /// Seedance Pro 1.5.
        SeedancePro15 => "seedance_pro_1_5",
    }
}

open_enum! {
    /// Model of a `video_from_ingredients` card.
    pub enum VideoFromIngredientsModel {
        /// Pika.
        Pika => "pika",
        /// Kling 1.6 (5 or 10 s).
        Kling16 => "kling_1_6",
        /// Seedance Lite.
        SeedanceLite => "seedance_lite",
        /// Veo 3.1 (max 8 s).
        Veo31 => "veo_3_1",
        /// Veo 3.1 Fast (max 8 s).
        Veo31Fast => "veo_3_1_fast",
    }
}

open_enum! {
    /// How a `speech_from_text` card picks its voice.
    pub enum VoiceMethod {
        /// A saved voice: set `voice_id`.
        MyVoices => "my_voices",
        /// A voice generated from a gender/language description.
        DesignVoice => "design_voice",
        /// A voice cloned from an audio sample: set `audio_resource_id`.
        CloneVoice => "clone_voice",
    }
}

open_enum! {
    /// Model of a `lipsync` card.
    pub enum LipsyncModel {
        /// sync.so.
        SyncSo => "sync_so",
        /// GEN's own model.
        Gen => "gen",
    }
}

open_enum! {
    /// Model of a `captions` card.
    pub enum CaptionsModel {
        /// Gemini.
        Gemini => "gemini",
    }
}

/// A text field (prompt, script, negative prompt): plain text, or AI text
/// generated at generation time from `{model, prompt}`. Both may use
/// `{{variables}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TextInput {
    /// Literal text.
    Plain(String),
    /// Text generated by `model` from `prompt`.
    Ai {
        /// The generating model.
        model: AiTextModel,
        /// Instruction for generating the text.
        prompt: String,
    },
}

impl TextInput {
    /// AI text: `{"model": model, "prompt": prompt}`.
    pub fn ai(model: AiTextModel, prompt: impl Into<String>) -> Self {
        Self::Ai {
            model,
            prompt: prompt.into(),
        }
    }

    /// The text (plain) or the instruction (AI).
    pub fn text(&self) -> &str {
        match self {
            Self::Plain(text) => text,
            Self::Ai { prompt, .. } => prompt,
        }
    }

    fn text_mut(&mut self) -> &mut String {
        match self {
            Self::Plain(text) => text,
            Self::Ai { prompt, .. } => prompt,
        }
    }

    fn validate(&self, field: &str) -> Result<(), Error> {
        match self {
            Self::Plain(text) => require_text(field, text),
            Self::Ai { prompt, .. } => require_text(&format!("{field}.prompt"), prompt),
        }
    }
}

impl From<&str> for TextInput {
    fn from(text: &str) -> Self {
        Self::Plain(text.to_owned())
    }
}

impl From<String> for TextInput {
    fn from(text: String) -> Self {
        Self::Plain(text)
    }
}

/// `text` card: AI-generated text (scripts, prompts, descriptions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TextCard {
    /// The instruction; may use `{{variables}}`.
    pub prompt: TextInput,
    /// The model.
    pub model: TextModel,
    /// Values for the `{{variables}}` of the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TextCard {
    /// A text card.
    pub fn new(prompt: impl Into<TextInput>, model: TextModel) -> Self {
        Self {
            prompt: prompt.into(),
            model,
            variables: None,
            extra: Map::new(),
        }
    }

    /// Adds one `{{variable}}` value.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), value.into());
        self
    }
}

/// `media` card: attaches an uploaded content resource (no AI).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MediaCard {
    /// The uploaded content resource.
    pub content_resource_id: i64,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MediaCard {
    /// A media card.
    pub fn new(content_resource_id: i64) -> Self {
        Self {
            content_resource_id,
            extra: Map::new(),
        }
    }
}

/// `image_from_text` card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImageFromTextCard {
    /// The image description.
    pub prompt: TextInput,
    /// The model.
    pub model: ImageModel,
    /// 1:1, 9:16, 16:9, 4:3 or 3:4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Takes the prompt from a variable (seed 002: "Media fields can also
    /// reference variables via prompt_var, image_var, and similar fields").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_var: Option<String>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ImageFromTextCard {
    /// An image-from-text card.
    pub fn new(prompt: impl Into<TextInput>, model: ImageModel) -> Self {
        Self {
            prompt: prompt.into(),
            model,
            aspect_ratio: None,
            prompt_var: None,
            extra: Map::new(),
        }
    }

    /// Sets `prompt_var`: the prompt comes from a variable.
    pub fn prompt_var(mut self, name: impl Into<String>) -> Self {
        self.prompt_var = Some(name.into());
        self
    }

    /// Sets the aspect ratio.
    pub fn aspect_ratio(mut self, aspect_ratio: AspectRatio) -> Self {
        self.aspect_ratio = Some(aspect_ratio);
        self
    }
}

/// `video_from_text` card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoFromTextCard {
    /// The video description.
    pub prompt: TextInput,
    /// The model.
    pub model: VideoFromTextModel,
    /// 1:1, 9:16 or 16:9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Seconds: 5 or 10 (a `veo_*` model above 8 s is sent with a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// What to avoid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<TextInput>,
    /// Takes the prompt from a variable (seed 002: "Media fields can also
    /// reference variables via prompt_var, image_var, and similar fields").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_var: Option<String>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VideoFromTextCard {
    /// A video-from-text card.
    pub fn new(prompt: impl Into<TextInput>, model: VideoFromTextModel) -> Self {
        Self {
            prompt: prompt.into(),
            model,
            aspect_ratio: None,
            duration: None,
            negative_prompt: None,
            prompt_var: None,
            extra: Map::new(),
        }
    }

    /// Sets `prompt_var`: the prompt comes from a variable.
    pub fn prompt_var(mut self, name: impl Into<String>) -> Self {
        self.prompt_var = Some(name.into());
        self
    }

    /// Sets the aspect ratio.
    pub fn aspect_ratio(mut self, aspect_ratio: AspectRatio) -> Self {
        self.aspect_ratio = Some(aspect_ratio);
        self
    }

    /// Sets the duration in seconds.
    pub fn duration(mut self, seconds: u32) -> Self {
        self.duration = Some(seconds);
        self
    }

    /// Sets the negative prompt.
    pub fn negative_prompt(mut self, negative_prompt: impl Into<TextInput>) -> Self {
        self.negative_prompt = Some(negative_prompt.into());
        self
    }
}

/// `video_from_image` card: animates an uploaded image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoFromImageCard {
    /// The first-frame image (content resource id).
    pub image_resource_id: i64,
    /// Optional last-frame image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tail_resource_id: Option<i64>,
    /// The motion description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<TextInput>,
    /// The model.
    pub model: VideoFromImageModel,
    /// The aspect ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Seconds: 5 or 10 (a `veo_*` model above 8 s is sent with a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// Takes the prompt from a variable (seed 002: "Media fields can also
    /// reference variables via prompt_var, image_var, and similar fields").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_var: Option<String>,
    /// Takes the image from a variable (seed 002's `image_var`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_var: Option<String>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VideoFromImageCard {
    /// A video-from-image card.
    pub fn new(image_resource_id: i64, model: VideoFromImageModel) -> Self {
        Self {
            image_resource_id,
            image_tail_resource_id: None,
            prompt: None,
            model,
            aspect_ratio: None,
            duration: None,
            prompt_var: None,
            image_var: None,
            extra: Map::new(),
        }
    }

    /// Sets the last-frame image.
    pub fn image_tail_resource_id(mut self, id: i64) -> Self {
        self.image_tail_resource_id = Some(id);
        self
    }

    /// Sets the prompt.
    pub fn prompt(mut self, prompt: impl Into<TextInput>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Sets `prompt_var`: the prompt comes from a variable.
    pub fn prompt_var(mut self, name: impl Into<String>) -> Self {
        self.prompt_var = Some(name.into());
        self
    }

    /// Sets `image_var`: the image comes from a variable.
    pub fn image_var(mut self, name: impl Into<String>) -> Self {
        self.image_var = Some(name.into());
        self
    }

    /// Sets the aspect ratio.
    pub fn aspect_ratio(mut self, aspect_ratio: AspectRatio) -> Self {
        self.aspect_ratio = Some(aspect_ratio);
        self
    }

    /// Sets the duration in seconds.
    pub fn duration(mut self, seconds: u32) -> Self {
        self.duration = Some(seconds);
        self
    }
}

/// `video_from_ingredients` card: a prompt combined with assets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoFromIngredientsCard {
    /// The video description.
    pub prompt: TextInput,
    /// The model.
    pub model: VideoFromIngredientsModel,
    /// The ingredient assets (content resource ids), at least one.
    pub asset_resource_ids: Vec<i64>,
    /// The aspect ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Seconds: 5 or 10 (a `veo_*` model above 8 s is sent with a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// Takes the prompt from a variable (seed 002: "Media fields can also
    /// reference variables via prompt_var, image_var, and similar fields").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_var: Option<String>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VideoFromIngredientsCard {
    /// A video-from-ingredients card.
    pub fn new(
        prompt: impl Into<TextInput>,
        model: VideoFromIngredientsModel,
        asset_resource_ids: impl IntoIterator<Item = i64>,
    ) -> Self {
        Self {
            prompt: prompt.into(),
            model,
            asset_resource_ids: asset_resource_ids.into_iter().collect(),
            aspect_ratio: None,
            duration: None,
            prompt_var: None,
            extra: Map::new(),
        }
    }

    /// Sets `prompt_var`: the prompt comes from a variable.
    pub fn prompt_var(mut self, name: impl Into<String>) -> Self {
        self.prompt_var = Some(name.into());
        self
    }

    /// Sets the aspect ratio.
    pub fn aspect_ratio(mut self, aspect_ratio: AspectRatio) -> Self {
        self.aspect_ratio = Some(aspect_ratio);
        self
    }

    /// Sets the duration in seconds.
    pub fn duration(mut self, seconds: u32) -> Self {
        self.duration = Some(seconds);
        self
    }
}

/// `speech_from_text` card (ElevenLabs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeechFromTextCard {
    /// The text to speak.
    pub script: TextInput,
    /// How the voice is chosen.
    pub voice_method: VoiceMethod,
    /// The saved voice (required with [`VoiceMethod::MyVoices`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
    /// The audio sample to clone (required with [`VoiceMethod::CloneVoice`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_resource_id: Option<i64>,
    /// Enhance the voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enhance_voice: Option<bool>,
    /// Speaking speed (1.0 = normal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Voice gender, with [`VoiceMethod::DesignVoice`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Voice language, with [`VoiceMethod::DesignVoice`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SpeechFromTextCard {
    /// A speech card speaking `script` with a saved voice.
    pub fn with_voice(script: impl Into<TextInput>, voice_id: impl Into<String>) -> Self {
        Self {
            script: script.into(),
            voice_method: VoiceMethod::MyVoices,
            voice_id: Some(voice_id.into()),
            audio_resource_id: None,
            enhance_voice: None,
            speed: None,
            gender: None,
            language: None,
            extra: Map::new(),
        }
    }

    /// A speech card speaking `script` with a voice designed from a gender
    /// and language description.
    pub fn designed(
        script: impl Into<TextInput>,
        gender: impl Into<String>,
        language: impl Into<String>,
    ) -> Self {
        Self {
            voice_method: VoiceMethod::DesignVoice,
            voice_id: None,
            gender: Some(gender.into()),
            language: Some(language.into()),
            ..Self::with_voice(script, String::new())
        }
    }

    /// A speech card speaking `script` with a voice cloned from an audio
    /// resource.
    pub fn cloned(script: impl Into<TextInput>, audio_resource_id: i64) -> Self {
        Self {
            voice_method: VoiceMethod::CloneVoice,
            voice_id: None,
            audio_resource_id: Some(audio_resource_id),
            ..Self::with_voice(script, String::new())
        }
    }

    /// Sets `enhance_voice`.
    pub fn enhance_voice(mut self, enhance: bool) -> Self {
        self.enhance_voice = Some(enhance);
        self
    }

    /// Sets the speed.
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = Some(speed);
        self
    }
}

/// `lipsync` card: syncs an audio track to a video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LipsyncCard {
    /// The model.
    pub model: LipsyncModel,
    /// The video (content resource id).
    pub video_resource_id: i64,
    /// The audio (content resource id).
    pub audio_resource_id: i64,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LipsyncCard {
    /// A lipsync card.
    pub fn new(model: LipsyncModel, video_resource_id: i64, audio_resource_id: i64) -> Self {
        Self {
            model,
            video_resource_id,
            audio_resource_id,
            extra: Map::new(),
        }
    }
}

/// `captions` card: captions from audio or video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaptionsCard {
    /// The model.
    pub model: CaptionsModel,
    /// The audio or video to caption (content resource id).
    pub source_resource_id: i64,
    /// Further fields, flattened into `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CaptionsCard {
    /// A captions card.
    pub fn new(model: CaptionsModel, source_resource_id: i64) -> Self {
        Self {
            model,
            source_resource_id,
            extra: Map::new(),
        }
    }
}

/// A creation card: serialises to `{"generation_type": "...", "data": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generation_type", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Card {
    /// `text`.
    Text(TextCard),
    /// `media`.
    Media(MediaCard),
    /// `image_from_text`.
    ImageFromText(ImageFromTextCard),
    /// `video_from_text`.
    VideoFromText(VideoFromTextCard),
    /// `video_from_image`.
    VideoFromImage(VideoFromImageCard),
    /// `video_from_ingredients`.
    VideoFromIngredients(VideoFromIngredientsCard),
    /// `speech_from_text`.
    SpeechFromText(SpeechFromTextCard),
    /// `lipsync`.
    Lipsync(LipsyncCard),
    /// `captions`.
    Captions(CaptionsCard),
}

macro_rules! card_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Card {
            fn from(card: $ty) -> Self {
                Card::$variant(card)
            }
        })*
    };
}

card_from!(
    Text(TextCard),
    Media(MediaCard),
    ImageFromText(ImageFromTextCard),
    VideoFromText(VideoFromTextCard),
    VideoFromImage(VideoFromImageCard),
    VideoFromIngredients(VideoFromIngredientsCard),
    SpeechFromText(SpeechFromTextCard),
    Lipsync(LipsyncCard),
    Captions(CaptionsCard),
);

impl Card {
    /// The `generation_type` wire value.
    pub fn generation_type(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Media(_) => "media",
            Self::ImageFromText(_) => "image_from_text",
            Self::VideoFromText(_) => "video_from_text",
            Self::VideoFromImage(_) => "video_from_image",
            Self::VideoFromIngredients(_) => "video_from_ingredients",
            Self::SpeechFromText(_) => "speech_from_text",
            Self::Lipsync(_) => "lipsync",
            Self::Captions(_) => "captions",
        }
    }

    /// The request body: `{"generation_type": ..., "data": {...}}`.
    pub fn to_json(&self) -> Value {
        // Serialising plain structs of strings/numbers/maps cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The `data` object alone (e.g. for a cell's card in a PATCH).
    pub fn data_json(&self) -> Map<String, Value> {
        match self.to_json() {
            Value::Object(mut object) => match object.remove("data") {
                Some(Value::Object(data)) => data,
                _ => Map::new(),
            },
            _ => Map::new(),
        }
    }

    /// Checks the card before any request: required fields, aspect ratios
    /// and durations (see the module documentation). The error names the
    /// field as a JSON path (`data.duration`) and the allowed values.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Self::Text(c) => c.prompt.validate("data.prompt"),
            Self::Media(c) => require_id("data.content_resource_id", c.content_resource_id),
            Self::ImageFromText(c) => {
                c.prompt.validate("data.prompt")?;
                check_aspect_ratio(c.aspect_ratio.as_ref(), IMAGE_FROM_TEXT_ASPECT_RATIOS)
            }
            Self::VideoFromText(c) => {
                c.prompt.validate("data.prompt")?;
                if let Some(negative) = &c.negative_prompt {
                    negative.validate("data.negative_prompt")?;
                }
                check_aspect_ratio(c.aspect_ratio.as_ref(), VIDEO_FROM_TEXT_ASPECT_RATIOS)?;
                check_duration(
                    c.duration,
                    c.model.as_str(),
                    Some(VIDEO_FROM_TEXT_DURATIONS),
                )
            }
            Self::VideoFromImage(c) => {
                require_id("data.image_resource_id", c.image_resource_id)?;
                if let Some(tail) = c.image_tail_resource_id {
                    require_id("data.image_tail_resource_id", tail)?;
                }
                if let Some(prompt) = &c.prompt {
                    prompt.validate("data.prompt")?;
                }
                // undocumented for this card: openapi.yaml (and so gen-sdk)
                // use the video ratios of video_from_text
                check_aspect_ratio(c.aspect_ratio.as_ref(), VIDEO_FROM_TEXT_ASPECT_RATIOS)?;
                check_duration(
                    c.duration,
                    c.model.as_str(),
                    Some(VIDEO_FROM_TEXT_DURATIONS),
                )
            }
            Self::VideoFromIngredients(c) => {
                c.prompt.validate("data.prompt")?;
                check_aspect_ratio(c.aspect_ratio.as_ref(), VIDEO_FROM_TEXT_ASPECT_RATIOS)?;
                if c.asset_resource_ids.is_empty() {
                    return Err(Error::validation(
                        "data.asset_resource_ids",
                        "at least one asset resource id is required",
                        None,
                    ));
                }
                for (i, id) in c.asset_resource_ids.iter().enumerate() {
                    require_id(&format!("data.asset_resource_ids[{i}]"), *id)?;
                }
                check_duration(
                    c.duration,
                    c.model.as_str(),
                    Some(VIDEO_FROM_TEXT_DURATIONS),
                )
            }
            Self::SpeechFromText(c) => {
                c.script.validate("data.script")?;
                match c.voice_method {
                    VoiceMethod::MyVoices
                        if c.voice_id.as_deref().is_none_or(|v| v.trim().is_empty()) =>
                    {
                        return Err(Error::validation(
                            "data.voice_id",
                            "required with voice_method `my_voices`",
                            None,
                        ));
                    }
                    VoiceMethod::CloneVoice => match c.audio_resource_id {
                        None => {
                            return Err(Error::validation(
                                "data.audio_resource_id",
                                "required with voice_method `clone_voice`",
                                None,
                            ));
                        }
                        Some(id) => require_id("data.audio_resource_id", id)?,
                    },
                    _ => {}
                }
                match c.speed {
                    Some(speed) if !(speed.is_finite() && speed > 0.0) => Err(Error::validation(
                        "data.speed",
                        format!("must be a positive number, got {speed}"),
                        None,
                    )),
                    _ => Ok(()),
                }
            }
            Self::Lipsync(c) => {
                require_id("data.video_resource_id", c.video_resource_id)?;
                require_id("data.audio_resource_id", c.audio_resource_id)
            }
            Self::Captions(c) => require_id("data.source_resource_id", c.source_resource_id),
        }
    }

    /// Where the seeds contradict each other about this card: each entry is
    /// a sentence naming the disagreement. Such a card is not refused by
    /// [`Card::validate`]; gen-sdk sends it and logs each warning once with
    /// `tracing::warn!` (the `gen` CLI prints them on stderr). Today: a Veo
    /// model with a duration over 8 s or other than 5 / 10 (see
    /// [`VEO_MAX_DURATION`]).
    pub fn warnings(&self) -> Vec<String> {
        let (duration, model) = match self {
            Self::VideoFromText(c) => (c.duration, c.model.as_str()),
            Self::VideoFromImage(c) => (c.duration, c.model.as_str()),
            Self::VideoFromIngredients(c) => (c.duration, c.model.as_str()),
            _ => return Vec::new(),
        };
        veo_duration_warning(duration, model, VIDEO_FROM_TEXT_DURATIONS)
            .into_iter()
            .collect()
    }

    fn text_fields_mut(&mut self) -> Vec<&mut TextInput> {
        match self {
            Self::Text(c) => vec![&mut c.prompt],
            Self::ImageFromText(c) => vec![&mut c.prompt],
            Self::VideoFromText(c) => {
                let mut fields = vec![&mut c.prompt];
                fields.extend(c.negative_prompt.as_mut());
                fields
            }
            Self::VideoFromImage(c) => c.prompt.as_mut().into_iter().collect(),
            Self::VideoFromIngredients(c) => vec![&mut c.prompt],
            Self::SpeechFromText(c) => vec![&mut c.script],
            Self::Media(_) | Self::Lipsync(_) | Self::Captions(_) => Vec::new(),
        }
    }

    /// The `{{variables}}` used by the card's text fields, in order of first
    /// use, without duplicates.
    pub fn variables(&self) -> Vec<String> {
        let mut card = self.clone();
        let mut names = Vec::new();
        for field in card.text_fields_mut() {
            for name in variables(field.text()) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// Replaces the `{{variables}}` of every text field with the values of
    /// `vars`; unknown variables are left in place (GEN fills sheet-level
    /// variables at generation time).
    pub fn substitute(mut self, vars: &BTreeMap<String, String>) -> Self {
        for field in self.text_fields_mut() {
            let text = field.text_mut();
            *text = substitute(text, vars);
        }
        self
    }
}

fn require_text(field: &str, text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        Err(Error::validation(field, "must not be empty", None))
    } else {
        Ok(())
    }
}

fn require_id(field: &str, id: i64) -> Result<(), Error> {
    if id <= 0 {
        Err(Error::validation(
            field,
            format!("must be a positive resource id, got {id}"),
            None,
        ))
    } else {
        Ok(())
    }
}

fn check_aspect_ratio(aspect_ratio: Option<&AspectRatio>, allowed: &[&str]) -> Result<(), Error> {
    match aspect_ratio {
        Some(ar) if !allowed.contains(&ar.as_str()) => Err(Error::validation(
            "data.aspect_ratio",
            format!("`{ar}` is not supported by this card"),
            Some(allowed.iter().map(|s| (*s).to_owned()).collect()),
        )),
        _ => Ok(()),
    }
}

/// True for every Veo model, known or not.
fn is_veo(model: &str) -> bool {
    model.starts_with("veo_")
}

/// Checks a duration against the card's documented values (`card_values`)
/// and the model's limits: Kling 1.6 takes 5 or 10; a `veo_*` model is
/// refused only what both the card's values and seed 002's "up to 8s"
/// refuse (see [`VEO_MAX_DURATION`]).
fn check_duration(
    duration: Option<u32>,
    model: &str,
    card_values: Option<&[u32]>,
) -> Result<(), Error> {
    let Some(duration) = duration else {
        return Ok(());
    };
    let allowed: Option<Vec<u32>> = if is_veo(model) {
        // either reading of the seeds
        let mut values: Vec<u32> = (1..=VEO_MAX_DURATION).collect();
        values.extend(card_values.into_iter().flatten().copied());
        values.sort_unstable();
        values.dedup();
        card_values.map(|_| values)
    } else if model == "kling_1_6" {
        Some(VIDEO_FROM_TEXT_DURATIONS.to_vec())
    } else {
        card_values.map(<[u32]>::to_vec)
    };
    let fail = |message: String, allowed: Option<&Vec<u32>>| {
        Err(Error::validation(
            "data.duration",
            message,
            allowed.map(|a| a.iter().map(u32::to_string).collect()),
        ))
    };
    if duration == 0 {
        return fail("must be at least 1 second".to_owned(), allowed.as_ref());
    }
    match &allowed {
        Some(values) if !values.contains(&duration) => fail(
            format!("{duration} s is not supported by `{model}` on this card"),
            Some(values),
        ),
        _ => Ok(()),
    }
}

/// The warning for a Veo duration the seeds disagree on, if any.
fn veo_duration_warning(duration: Option<u32>, model: &str, card_values: &[u32]) -> Option<String> {
    let duration = duration?;
    if !is_veo(model) {
        return None;
    }
    let over_veo_limit = duration > VEO_MAX_DURATION;
    let off_card = !card_values.contains(&duration);
    (over_veo_limit || off_card).then(|| {
        format!(
            "`{model}` with {duration} s: the seeds disagree (seed 001 lists durations 5 or 10 and sends veo_3 with 10 s, \
             seed 003 sends veo_3_1_fast with 10 s, seed 002 says \"Veo 3 supports up to 8s\"); sent as is, the server decides"
        )
    })
}

/// Emits each warning with `tracing::warn!` once per process.
pub(crate) fn warn_once(warnings: &[String]) {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let seen = SEEN.get_or_init(|| Mutex::new(HashSet::new()));
    for warning in warnings {
        let first = seen
            .lock()
            .map(|mut set| set.insert(warning.clone()))
            .unwrap_or(true);
        if first {
            tracing::warn!(target: "gen_sdk::cards", "{warning}");
        }
    }
}

/// The `{{variable}}` names used in `text`, in order of first use, without
/// duplicates. Whitespace inside the braces is allowed (`{{ topic }}`);
/// names are letters, digits, `_`, `-` and `.`.
pub fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    scan(text, |name| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        None
    });
    names
}

/// Replaces each `{{variable}}` of `text` found in `vars`; others are left
/// as they are.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> String {
    scan(text, |name| vars.get(name).cloned())
}

/// Like [`substitute`], but every variable must have a value: otherwise a
/// [`Error::Validation`] on `variables` lists the missing names.
pub fn substitute_strict(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Error> {
    let missing: Vec<String> = variables(text)
        .into_iter()
        .filter(|name| !vars.contains_key(name))
        .collect();
    if missing.is_empty() {
        Ok(substitute(text, vars))
    } else {
        Err(Error::validation(
            "variables",
            format!("no value for {}", missing.join(", ")),
            Some(vars.keys().cloned().collect()),
        ))
    }
}

/// Walks `text`, calling `replace` with each variable name; returns the text
/// with the placeholders `replace` returned a value for replaced.
fn scan(text: &str, mut replace: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let parsed = after.find("}}").and_then(|end| {
            let name = after[..end].trim();
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            valid.then_some((name, end))
        });
        match parsed {
            Some((name, end)) => {
                match replace(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The canonical card type of a generation type name, where the mapping is
/// stated or obvious: each of the nine canonical names maps to itself, and
/// the internal Rails names seed 000 sends map to their card
/// (`text_generation` → `text`, `audio_generation` → `speech_from_text`,
/// the only card that produces audio) plus `image_generation` →
/// `image_from_text` (the only card that produces an image). Other names
/// (for example `video_generation`, which three cards could mean) map to
/// nothing.
///
/// Seed 001: "Models are canonical names — the MCP server and SDK map them
/// to internal Rails names automatically" and "Use canonical generation
/// type names for new integrations".
pub fn canonical_generation_type(name: &str) -> Option<&'static str> {
    // The canonical names are openapi.yaml's `GenerationType` values.
    let canonical = gen_api::set_aside::opened_enum("GenerationType").unwrap_or(&[]);
    match name {
        "text_generation" => Some("text"),
        "audio_generation" => Some("speech_from_text"),
        "image_generation" => Some("image_from_text"),
        other => canonical.iter().find(|c| **c == other).copied(),
    }
}

/// True for an internal Rails generation type name (`…_generation`).
fn is_rails_name(name: &str) -> bool {
    name.strip_suffix("_generation").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// A generate request body as it goes on the wire.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GenerateBody {
    /// A typed creation card (canonical `generation_type`).
    Card(Card),
    /// An internal Rails generation type with data gen-sdk has no typed card
    /// for, sent exactly as given: seed 000 sends
    /// `{"generation_type": "text_generation", "data": {}}`, where `data` is
    /// "Generation parameters (model-specific)".
    Raw {
        /// The Rails name, e.g. `text_generation`.
        generation_type: String,
        /// The parameters, as given.
        data: Map<String, Value>,
    },
}

impl From<Card> for GenerateBody {
    fn from(card: Card) -> Self {
        Self::Card(card)
    }
}

impl From<&Card> for GenerateBody {
    fn from(card: &Card) -> Self {
        Self::Card(card.clone())
    }
}

impl From<&GenerateBody> for GenerateBody {
    fn from(body: &GenerateBody) -> Self {
        body.clone()
    }
}

impl GenerateBody {
    /// Reads a `{"generation_type": ..., "data": {...}}` body (a cell's
    /// stored card, a CLI argument, a seed example). A Rails name is
    /// normalised to its canonical card where [`canonical_generation_type`]
    /// knows the mapping and the data is a valid card of that type;
    /// otherwise a Rails name (`…_generation`) is kept as given
    /// ([`GenerateBody::Raw`]). A canonical name with data that is not its
    /// card, or a name that is neither canonical nor a Rails name, is a
    /// [`Error::Validation`].
    pub fn from_json(body: &Value) -> Result<Self, Error> {
        let name = body
            .get("generation_type")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                Error::validation("generation_type", "a non-empty string is required", None)
            })?;
        let data = match body.get("data") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(data)) => data.clone(),
            Some(_) => return Err(Error::validation("data", "must be a JSON object", None)),
        };
        let canonical = canonical_generation_type(name);
        if let Some(canonical) = canonical {
            let typed = serde_json::from_value::<Card>(serde_json::json!({
                "generation_type": canonical,
                "data": Value::Object(data.clone()),
            }));
            match typed {
                Ok(card) => return Ok(Self::Card(card)),
                Err(e) if canonical == name => {
                    return Err(Error::validation(
                        "data",
                        format!("not a valid `{name}` creation card: {e}"),
                        None,
                    ));
                }
                Err(_) => {}
            }
        }
        if is_rails_name(name) {
            return Ok(Self::Raw {
                generation_type: name.to_owned(),
                data,
            });
        }
        Err(Error::validation(
            "generation_type",
            format!("`{name}` is neither a creation card type nor an internal `…_generation` name"),
            Some(
                [
                    "text",
                    "media",
                    "image_from_text",
                    "video_from_text",
                    "video_from_image",
                    "video_from_ingredients",
                    "speech_from_text",
                    "lipsync",
                    "captions",
                ]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            ),
        ))
    }

    /// The `generation_type` sent.
    pub fn generation_type(&self) -> &str {
        match self {
            Self::Card(card) => card.generation_type(),
            Self::Raw {
                generation_type, ..
            } => generation_type,
        }
    }

    /// The request body.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Card(card) => card.to_json(),
            Self::Raw {
                generation_type,
                data,
            } => serde_json::json!({
                "generation_type": generation_type,
                "data": Value::Object(data.clone()),
            }),
        }
    }

    /// Checks the body before any request: a card with [`Card::validate`];
    /// a raw Rails body only has its name checked (its data is
    /// model-specific and the seeds do not detail it).
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Self::Card(card) => card.validate(),
            Self::Raw {
                generation_type, ..
            } if is_rails_name(generation_type) => Ok(()),
            Self::Raw {
                generation_type, ..
            } => Err(Error::validation(
                "generation_type",
                format!("`{generation_type}` is not an internal `…_generation` name"),
                None,
            )),
        }
    }

    /// Where the seeds disagree about this body (see [`Card::warnings`]); a
    /// raw Rails body notes that gen-sdk could not check its data.
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Self::Card(card) => card.warnings(),
            Self::Raw {
                generation_type, ..
            } => vec![format!(
                "`{generation_type}` is an internal Rails name (seed 000 sends it; seed 001 says \
                 \"Use canonical generation type names for new integrations\"): its data is sent \
                 as given, unchecked"
            )],
        }
    }
}
