//! The card data structs: each wraps the `data` object genpro-api generates
//! from openapi.yaml's `*CardData` schema ([`genpro_api::types`]), adding an
//! `extra` map for fields newer than the spec and builders. The fields are
//! the generated ones, reached through `Deref` (`card.prompt`,
//! `card.model`), [`VideoFromTextCard::data`] or
//! [`VideoFromTextCard::into_data`]; nothing here can drift from the spec.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use genpro_api::types::{
    CaptionsCardData, ImageFromTextCardData, LipsyncCardData, MediaCardData,
    SpeechFromTextCardData, TextCardData, VideoFromImageCardData, VideoFromIngredientsCardData,
    VideoFromTextCardData,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::validate::require_text;
use super::{
    AiTextModel, AspectRatio, CaptionsModel, ImageModel, LipsyncModel, TextModel,
    VideoFromImageModel, VideoFromIngredientsModel, VideoFromTextModel, VoiceMethod,
};
use crate::error::Error;

/// A text field (prompt, script, negative prompt): plain text
/// (`TextInput::String`), or AI text generated at generation time from
/// `{model, prompt}` (`TextInput::AiText`). Both may use `{{variables}}`.
///
/// This is genpro-api's generated `TextOrAiText`; [`TextInputExt`] adds
/// [`TextInputExt::ai`], [`TextInputExt::plain`] and [`TextInputExt::text`],
/// and card constructors take anything [`IntoTextInput`] (`&str`, `String`,
/// [`AiText`], a `TextInput`).
pub use genpro_api::types::TextOrAiText as TextInput;

/// The `{model, prompt}` object of an AI text field (genpro-api's generated
/// `AiText`).
pub use genpro_api::types::AiText;

/// Helpers on [`TextInput`] (genpro-api's `TextOrAiText`), which cannot carry
/// inherent methods outside genpro-api. In scope with `use genpro_sdk::cards::*`.
pub trait TextInputExt {
    /// AI text: `{"model": model, "prompt": prompt}`.
    fn ai(model: AiTextModel, prompt: impl Into<String>) -> Self;
    /// Literal text.
    fn plain(text: impl Into<String>) -> Self;
    /// The text (plain) or the instruction (AI).
    fn text(&self) -> &str;
}

impl TextInputExt for TextInput {
    fn ai(model: AiTextModel, prompt: impl Into<String>) -> Self {
        Self::AiText(AiText {
            model,
            prompt: prompt.into(),
        })
    }

    fn plain(text: impl Into<String>) -> Self {
        Self::String(text.into())
    }

    fn text(&self) -> &str {
        match self {
            Self::String(text) => text,
            Self::AiText(ai) => &ai.prompt,
        }
    }
}

/// What card constructors and builders take for a text field: `&str`,
/// `String`, [`AiText`] or a [`TextInput`] (the `From` conversions genpro-api's
/// generated type lacks, which the orphan rule keeps out of genpro-sdk).
pub trait IntoTextInput {
    /// The text field.
    fn into_text_input(self) -> TextInput;
}

impl IntoTextInput for TextInput {
    fn into_text_input(self) -> TextInput {
        self
    }
}

impl IntoTextInput for AiText {
    fn into_text_input(self) -> TextInput {
        TextInput::AiText(self)
    }
}

impl IntoTextInput for &str {
    fn into_text_input(self) -> TextInput {
        TextInput::String(self.to_owned())
    }
}

impl IntoTextInput for String {
    fn into_text_input(self) -> TextInput {
        TextInput::String(self)
    }
}

impl IntoTextInput for &String {
    fn into_text_input(self) -> TextInput {
        TextInput::String(self.clone())
    }
}

pub(super) fn text_mut(input: &mut TextInput) -> &mut String {
    match input {
        TextInput::String(text) => text,
        TextInput::AiText(ai) => &mut ai.prompt,
    }
}

pub(super) fn validate_text(input: &TextInput, field: &str) -> Result<(), Error> {
    match input {
        TextInput::String(text) => require_text(field, text),
        TextInput::AiText(ai) => require_text(&format!("{field}.prompt"), &ai.prompt),
    }
}

/// A card data struct: the generated data, `extra` fields flattened next to
/// it, `Deref`/`DerefMut` to the data, `data()`, `into_data()` and `From`.
macro_rules! card {
    ($(#[$doc:meta])* $card:ident($data:ident) $(#[$serde:meta])?) => {
        $(#[$doc])*
        ///
        /// The fields are genpro-api's
        #[doc = concat!("[`", stringify!($data), "`](genpro_api::types::", stringify!($data), "),")]
        /// read and written through `Deref`/`DerefMut`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        $(#[$serde])?
        pub struct $card {
            #[serde(flatten)]
            data: $data,
            /// Further fields, flattened into `data` (a field newer than
            /// openapi.yaml; a known field of the same name is overridden).
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        impl $card {
            /// The generated card data.
            pub fn data(&self) -> &$data {
                &self.data
            }

            /// The generated card data, without the `extra` fields.
            pub fn into_data(self) -> $data {
                self.data
            }
        }

        impl From<$data> for $card {
            fn from(data: $data) -> Self {
                Self {
                    data,
                    extra: Map::new(),
                }
            }
        }

        impl Deref for $card {
            type Target = $data;

            fn deref(&self) -> &$data {
                &self.data
            }
        }

        impl DerefMut for $card {
            fn deref_mut(&mut self) -> &mut $data {
                &mut self.data
            }
        }
    };
}

/// Builders setting an optional field of the data:
/// `name(type) => conversion;` with `into` (the default) or
/// `into_text_input`.
macro_rules! setters {
    ($card:ident { $($(#[$doc:meta])* $field:ident($ty:ty) $(=> $conv:ident)?;)* }) => {
        impl $card {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: $ty) -> Self {
                    self.data.$field = Some(setters!(@conv value $($conv)?));
                    self
                }
            )*
        }
    };
    (@conv $value:ident) => { $value.into() };
    (@conv $value:ident $conv:ident) => { $value.$conv() };
}

card!(
    /// `text` card: AI-generated text (scripts, prompts, descriptions).
    ///
    /// `variables` goes on the wire with its keys sorted (genpro-api holds
    /// it in a `BTreeMap`); an empty map is left out, except one read as
    /// `"variables": {}`, which is kept in `extra` and sent as read.
    TextCard(TextCardData)
    #[serde(from = "TextCardWire", into = "TextCardWire")]
);

/// A text card as (de)serialised: `variables` in key order, and an explicit
/// `"variables": {}` told apart from an absent one.
#[derive(Serialize, Deserialize)]
struct TextCardWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variables: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    data: TextCardData,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<TextCardWire> for TextCard {
    fn from(wire: TextCardWire) -> Self {
        let TextCardWire {
            variables,
            mut data,
            mut extra,
        } = wire;
        match variables {
            Some(variables) if variables.is_empty() => {
                extra.insert("variables".to_owned(), Value::Object(Map::new()));
            }
            Some(variables) => data.variables = variables.into_iter().collect(),
            None => {}
        }
        Self { data, extra }
    }
}

impl From<TextCard> for TextCardWire {
    fn from(card: TextCard) -> Self {
        let TextCard {
            mut data,
            mut extra,
        } = card;
        let variables: BTreeMap<String, String> =
            std::mem::take(&mut data.variables).into_iter().collect();
        let empty_marker = extra
            .get("variables")
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty));
        if !variables.is_empty() && empty_marker {
            // the `{}` read earlier, since filled through the data
            extra.remove("variables");
        }
        Self {
            variables: (!variables.is_empty()).then_some(variables),
            data,
            extra,
        }
    }
}

impl TextCard {
    /// A text card.
    pub fn new(prompt: impl IntoTextInput, model: TextModel) -> Self {
        Self::from(TextCardData {
            model: Some(model),
            prompt: prompt.into_text_input(),
            variables: Default::default(),
        })
    }

    /// Adds one `{{variable}}` value.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.data.variables.insert(name.into(), value.into());
        self
    }
}

card!(
    /// `media` card: attaches an uploaded content resource (no AI).
    MediaCard(MediaCardData)
);

impl MediaCard {
    /// A media card.
    pub fn new(content_resource_id: i64) -> Self {
        Self::from(MediaCardData {
            content_resource_id,
        })
    }
}

card!(
    /// `image_from_text` card.
    ImageFromTextCard(ImageFromTextCardData)
);

impl ImageFromTextCard {
    /// An image-from-text card.
    pub fn new(prompt: impl IntoTextInput, model: ImageModel) -> Self {
        Self::from(ImageFromTextCardData {
            prompt: prompt.into_text_input(),
            model: Some(model),
            aspect_ratio: None,
            prompt_var: None,
        })
    }
}

setters!(ImageFromTextCard {
    /// Sets `prompt_var`: the prompt comes from a variable (seed 002:
    /// "Media fields can also reference variables via prompt_var,
    /// image_var, and similar fields").
    prompt_var(impl Into<String>);
    /// Sets the aspect ratio.
    aspect_ratio(AspectRatio);
});

card!(
    /// `video_from_text` card.
    VideoFromTextCard(VideoFromTextCardData)
);

impl VideoFromTextCard {
    /// A video-from-text card.
    pub fn new(prompt: impl IntoTextInput, model: VideoFromTextModel) -> Self {
        Self::from(VideoFromTextCardData {
            prompt: prompt.into_text_input(),
            model: Some(model),
            aspect_ratio: None,
            duration: None,
            negative_prompt: None,
            prompt_var: None,
        })
    }
}

setters!(VideoFromTextCard {
    /// Sets `prompt_var`: the prompt comes from a variable.
    prompt_var(impl Into<String>);
    /// Sets the aspect ratio.
    aspect_ratio(AspectRatio);
    /// Sets the duration in seconds (5 or 10, seed 001; a `veo_*` model also
    /// 1 to 8 s, seed 002, with a warning where the seeds disagree).
    duration(u32);
    /// Sets the negative prompt: what to avoid.
    negative_prompt(impl IntoTextInput) => into_text_input;
});

card!(
    /// `video_from_image` card: animates an uploaded image.
    VideoFromImageCard(VideoFromImageCardData)
);

impl VideoFromImageCard {
    /// A video-from-image card.
    pub fn new(image_resource_id: i64, model: VideoFromImageModel) -> Self {
        Self::from(VideoFromImageCardData {
            image_resource_id,
            image_tail_resource_id: None,
            prompt: None,
            model: Some(model),
            aspect_ratio: None,
            duration: None,
            prompt_var: None,
            image_var: None,
        })
    }
}

setters!(VideoFromImageCard {
    /// Sets the last-frame image.
    image_tail_resource_id(i64);
    /// Sets the prompt: the motion description.
    prompt(impl IntoTextInput) => into_text_input;
    /// Sets `prompt_var`: the prompt comes from a variable.
    prompt_var(impl Into<String>);
    /// Sets `image_var`: the image comes from a variable.
    image_var(impl Into<String>);
    /// Sets the aspect ratio.
    aspect_ratio(AspectRatio);
    /// Sets the duration in seconds. The seeds list none for this card;
    /// seed 002 limits Kling 1.6 to 5 or 10 and Veo to 8 s (10 s with a
    /// warning).
    duration(u32);
});

card!(
    /// `video_from_ingredients` card: a prompt combined with assets.
    VideoFromIngredientsCard(VideoFromIngredientsCardData)
);

impl VideoFromIngredientsCard {
    /// A video-from-ingredients card.
    pub fn new(
        prompt: impl IntoTextInput,
        model: VideoFromIngredientsModel,
        asset_resource_ids: impl IntoIterator<Item = i64>,
    ) -> Self {
        Self::from(VideoFromIngredientsCardData {
            prompt: prompt.into_text_input(),
            model: Some(model),
            asset_resource_ids: asset_resource_ids.into_iter().collect(),
            aspect_ratio: None,
            duration: None,
            prompt_var: None,
        })
    }
}

setters!(VideoFromIngredientsCard {
    /// Sets `prompt_var`: the prompt comes from a variable.
    prompt_var(impl Into<String>);
    /// Sets the aspect ratio.
    aspect_ratio(AspectRatio);
    /// Sets the duration in seconds. The seeds list none for this card;
    /// seed 002 limits Kling 1.6 to 5 or 10 and Veo to 8 s (10 s with a
    /// warning).
    duration(u32);
});

card!(
    /// `speech_from_text` card (ElevenLabs).
    SpeechFromTextCard(SpeechFromTextCardData)
);

impl SpeechFromTextCard {
    fn with_method(script: impl IntoTextInput, voice_method: VoiceMethod) -> Self {
        Self::from(SpeechFromTextCardData {
            script: script.into_text_input(),
            voice_method,
            voice_id: None,
            audio_resource_id: None,
            enhance_voice: None,
            speed: None,
            gender: None,
            language: None,
        })
    }

    /// A speech card speaking `script` with a saved voice.
    pub fn with_voice(script: impl IntoTextInput, voice_id: impl Into<String>) -> Self {
        let mut card = Self::with_method(script, VoiceMethod::MyVoices);
        card.data.voice_id = Some(voice_id.into());
        card
    }

    /// A speech card speaking `script` with a voice designed from a gender
    /// and language description.
    pub fn designed(
        script: impl IntoTextInput,
        gender: impl Into<String>,
        language: impl Into<String>,
    ) -> Self {
        let mut card = Self::with_method(script, VoiceMethod::DesignVoice);
        card.data.gender = Some(gender.into());
        card.data.language = Some(language.into());
        card
    }

    /// A speech card speaking `script` with a voice cloned from an audio
    /// resource.
    pub fn cloned(script: impl IntoTextInput, audio_resource_id: i64) -> Self {
        let mut card = Self::with_method(script, VoiceMethod::CloneVoice);
        card.data.audio_resource_id = Some(audio_resource_id);
        card
    }
}

setters!(SpeechFromTextCard {
    /// Sets `enhance_voice`.
    enhance_voice(bool);
    /// Sets the speed (1.0 = normal).
    speed(f64);
});

card!(
    /// `lipsync` card: syncs an audio track to a video.
    LipsyncCard(LipsyncCardData)
);

impl LipsyncCard {
    /// A lipsync card.
    pub fn new(model: LipsyncModel, video_resource_id: i64, audio_resource_id: i64) -> Self {
        Self::from(LipsyncCardData {
            model: Some(model),
            video_resource_id,
            audio_resource_id,
        })
    }
}

card!(
    /// `captions` card: captions from audio or video.
    CaptionsCard(CaptionsCardData)
);

impl CaptionsCard {
    /// A captions card.
    pub fn new(model: CaptionsModel, source_resource_id: i64) -> Self {
        Self::from(CaptionsCardData {
            model: Some(model),
            source_resource_id,
        })
    }
}
