//! Typed creation cards, validated before any request.
//!
//! Every cell of an Auto Content Engine generates through a *creation card*:
//! a `generation_type` and its `data`. [`Card`] covers the 9 card types and
//! serialises to exactly the documented body:
//!
//! ```
//! use genpro_sdk::cards::{Card, VideoFromTextCard, VideoFromTextModel, AspectRatio};
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
//! [`AspectRatio::Other`]): a model GEN adds later can be sent before genpro-sdk
//! knows its name. They, and the per-card lists [`Card::validate`] checks
//! ([`IMAGE_FROM_TEXT_ASPECT_RATIOS`], [`VIDEO_FROM_TEXT_ASPECT_RATIOS`],
//! [`VIDEO_FROM_TEXT_DURATIONS`]), are generated from openapi.yaml into
//! [`genpro_api::open_enums`] by `cargo xtask generate`: a model or ratio added
//! to the spec needs no edit here.
//!
//! Each card data struct ([`VideoFromTextCard`]...) wraps the `data` struct
//! genpro-api generates from the spec ([`genpro_api::types::VideoFromTextCardData`]...):
//! its fields are read and written through `Deref` (`card.prompt`,
//! `card.duration`), and an `extra` map carries fields newer than the spec,
//! flattened into `data`. Text fields are genpro-api's `TextOrAiText`, named
//! [`TextInput`] here, with the helpers of [`TextInputExt`].
//!
//! Internal Rails generation type names (`text_generation`,
//! `audio_generation`: seed 000's examples) are read by
//! [`GenerateBody::from_json`]: normalised to the canonical card where the
//! mapping is stated or obvious ([`canonical_generation_type`]) and the data
//! is a valid card, otherwise sent as given ([`GenerateBody::Raw`]).
//!
//! Render is not a card: it has its own endpoint and no body
//! ([`Cell::render`](crate::steps::Cell::render)).
//!
//! # Validation ([`Card::validate`])
//!
//! Only what every seed refuses is refused; where the seeds contradict
//! each other the card is sent with a warning. Required fields are present
//! and non-empty (`model` is optional on every card: no seed says a card
//! requires one); aspect ratios are checked where a seed lists them
//! (`image_from_text`: 1:1, 9:16, 16:9, 4:3, 3:4; `video_from_text`: 1:1,
//! 9:16, 16:9); durations are checked per card and model
//! (`video_from_text`: 5 or 10; on every video card Kling 1.6 takes 5 or
//! 10 and a `veo_*` model what either seed allows, up to 8 s or the 10 s
//! seeds 001 and 003 send, with a warning where they disagree: see
//! [`VEO_MAX_DURATION`] and [`Card::warnings`]). `video_from_image` and
//! `video_from_ingredients` list no ratios or durations of their own
//! (seed 002: "Available ratios vary by model", "Available values depend
//! on the model"): any ratio, and any duration the model's limits allow, is
//! sent. Unknown (`Other`) models are not rejected: the server decides.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use genpro_api::open_enums::GenerationType;

mod template;
mod types;
mod validate;

pub use template::{substitute, substitute_strict, variables};
pub use types::*;
pub(crate) use validate::warn_once;

/// Model of an `image_from_text` card (openapi.yaml's `ImageFromTextModel`).
pub use genpro_api::open_enums::ImageFromTextModel as ImageModel;
pub use genpro_api::open_enums::{
    AiTextModel, AspectRatio, CaptionsModel, ImageFromTextModel, LipsyncModel, TextModel,
    VideoFromImageModel, VideoFromIngredientsModel, VideoFromTextModel, VoiceMethod,
};

/// Longest clip, in seconds, seed 002 gives for Veo ("Veo 3 supports up to
/// 8s").
///
/// The seeds contradict each other: seed 001 lists "Duration: 5 or 10" for
/// `video_from_text` and sends `"model": "veo_3"` with `"duration": 10`;
/// seed 003 sends `"model": "veo_3_1_fast"` with `"duration": 10`. genpro-sdk
/// therefore does not refuse a Veo duration either reading allows (up to 8 s,
/// or 10): it sends it as is and warns once ([`Card::warnings`],
/// `tracing::warn!`), and the server decides. Only a duration every reading
/// refuses (e.g. 9 s, or 12 s) is a [`ErrorKind::Validation`](crate::ErrorKind::Validation).
pub const VEO_MAX_DURATION: u32 = 8;

/// Every duration a seed allows on a `video_from_text` card (openapi.yaml's
/// `VideoDuration`): 5 and 10 (seed 001), and 1 to 8 for a Veo model (seed
/// 002). A Veo model takes these on every video card.
pub const VIDEO_DURATIONS: &[u32] = genpro_api::open_enums::VIDEO_DURATION;

/// The durations seed 001 lists for `video_from_text` ("Duration: 5 or
/// 10"): what a non-Veo model (or a card naming no model) takes there.
pub const VIDEO_FROM_TEXT_DURATIONS: &[u32] = &[5, 10];

/// The durations seed 002 gives Kling 1.6 ("Kling 1.6 supports 5s and
/// 10s"), on every video card.
pub const KLING_1_6_DURATIONS: &[u32] = &[5, 10];

/// Aspect ratios documented for `image_from_text` (openapi.yaml's
/// `ImageAspectRatio`).
pub const IMAGE_FROM_TEXT_ASPECT_RATIOS: &[&str] = genpro_api::open_enums::IMAGE_ASPECT_RATIO;

/// Aspect ratios documented for `video_from_text` (openapi.yaml's
/// `VideoAspectRatio`).
pub const VIDEO_FROM_TEXT_ASPECT_RATIOS: &[&str] = genpro_api::open_enums::VIDEO_ASPECT_RATIO;

/// The "Common options" seed 002 names for the video cards that list no
/// ratios of their own (`video_from_image`, `video_from_ingredients`:
/// openapi.yaml's open `ModelAspectRatio`). Not enforced: "Available
/// ratios vary by model".
pub const MODEL_ASPECT_RATIOS: &[&str] = genpro_api::open_enums::MODEL_ASPECT_RATIO;

/// The nine cards, listed once: the [`Card`] enum (its serde tag is the
/// wire `generation_type`), its `From` impls and
/// [`Card::generation_type`] are all written from this list.
macro_rules! cards {
    ($($variant:ident($ty:ident) = $wire:literal),* $(,)?) => {
        /// A creation card: serialises to `{"generation_type": "...", "data": {...}}`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "generation_type", content = "data")]
        #[non_exhaustive]
        pub enum Card {
            $(
                #[doc = concat!("`", $wire, "`.")]
                #[serde(rename = $wire)]
                $variant($ty),
            )*
        }

        $(impl From<$ty> for Card {
            fn from(card: $ty) -> Self {
                Card::$variant(card)
            }
        })*

        impl Card {
            /// The `generation_type` wire value.
            pub fn generation_type(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $wire,)*
                }
            }
        }
    };
}

cards!(
    Text(TextCard) = "text",
    Media(MediaCard) = "media",
    ImageFromText(ImageFromTextCard) = "image_from_text",
    VideoFromText(VideoFromTextCard) = "video_from_text",
    VideoFromImage(VideoFromImageCard) = "video_from_image",
    VideoFromIngredients(VideoFromIngredientsCard) = "video_from_ingredients",
    SpeechFromText(SpeechFromTextCard) = "speech_from_text",
    Lipsync(LipsyncCard) = "lipsync",
    Captions(CaptionsCard) = "captions",
);

impl Card {
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
}

/// The canonical card type of a generation type name, where the mapping is
/// stated or obvious: each of the nine canonical names maps to itself, and
/// the internal Rails names seed 000 sends map to their card
/// (`text_generation` → `text`, `audio_generation` → `speech_from_text`,
/// the only card that produces audio). Other names (for example
/// `image_generation` or `video_generation`, which no seed names) map to
/// nothing: they are sent as given.
///
/// Seed 001: "Models are canonical names — the MCP server and SDK map them
/// to internal Rails names automatically" and "Use canonical generation
/// type names for new integrations".
pub fn canonical_generation_type(name: &str) -> Option<&'static str> {
    // The canonical names are openapi.yaml's `GenerationType` values.
    match name {
        "text_generation" => Some("text"),
        "audio_generation" => Some("speech_from_text"),
        other => GenerationType::KNOWN.iter().find(|c| **c == other).copied(),
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
    /// An internal Rails generation type with data genpro-sdk has no typed card
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
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation).
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
                GenerationType::KNOWN
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
    /// raw Rails body notes that genpro-sdk could not check its data.
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
