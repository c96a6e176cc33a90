//! Checks before any request ([`Card::validate`]) and the warnings where
//! the seeds contradict each other ([`Card::warnings`]).

use super::types::validate_text;
use super::{
    AspectRatio, Card, IMAGE_FROM_TEXT_ASPECT_RATIOS, KLING_1_6_DURATIONS, VEO_MAX_DURATION,
    VIDEO_DURATIONS, VIDEO_FROM_TEXT_ASPECT_RATIOS, VIDEO_FROM_TEXT_DURATIONS, VoiceMethod,
};
use crate::error::Error;

impl Card {
    /// Checks the card before any request: required fields, aspect ratios
    /// and durations (see the module documentation). The error names the
    /// field as a JSON path (`data.duration`) and the allowed values.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Self::Text(c) => validate_text(&c.prompt, "data.prompt"),
            Self::Media(c) => require_id("data.content_resource_id", c.content_resource_id),
            Self::ImageFromText(c) => {
                validate_text(&c.prompt, "data.prompt")?;
                check_aspect_ratio(c.aspect_ratio.as_ref(), IMAGE_FROM_TEXT_ASPECT_RATIOS)
            }
            Self::VideoFromText(c) => {
                validate_text(&c.prompt, "data.prompt")?;
                if let Some(negative) = &c.negative_prompt {
                    validate_text(negative, "data.negative_prompt")?;
                }
                check_aspect_ratio(c.aspect_ratio.as_ref(), VIDEO_FROM_TEXT_ASPECT_RATIOS)?;
                check_duration(
                    c.duration,
                    model_name(c.model.as_ref()),
                    Some(VIDEO_FROM_TEXT_DURATIONS),
                )
            }
            Self::VideoFromImage(c) => {
                require_id("data.image_resource_id", c.image_resource_id)?;
                if let Some(tail) = c.image_tail_resource_id {
                    require_id("data.image_tail_resource_id", tail)?;
                }
                if let Some(prompt) = &c.prompt {
                    validate_text(prompt, "data.prompt")?;
                }
                // no ratio list for this card (seed 002: "Available ratios
                // vary by model"): any ratio is sent
                check_duration(c.duration, model_name(c.model.as_ref()), None)
            }
            Self::VideoFromIngredients(c) => {
                validate_text(&c.prompt, "data.prompt")?;
                // no ratio list for this card either: any ratio is sent
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
                check_duration(c.duration, model_name(c.model.as_ref()), None)
            }
            Self::SpeechFromText(c) => {
                validate_text(&c.script, "data.script")?;
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
    /// [`Card::validate`]; genpro-sdk sends it and logs each warning once with
    /// `tracing::warn!` (the `gen` CLI prints them on stderr). Today: a Veo
    /// model with a duration over 8 s (any video card), or other than 5 / 10
    /// on `video_from_text` (see [`VEO_MAX_DURATION`]).
    pub fn warnings(&self) -> Vec<String> {
        let (duration, model, card_values) = match self {
            Self::VideoFromText(c) => (
                c.duration,
                model_name(c.model.as_ref()),
                Some(VIDEO_FROM_TEXT_DURATIONS),
            ),
            Self::VideoFromImage(c) => (c.duration, model_name(c.model.as_ref()), None),
            Self::VideoFromIngredients(c) => (c.duration, model_name(c.model.as_ref()), None),
            _ => return Vec::new(),
        };
        veo_duration_warning(duration, model, card_values)
            .into_iter()
            .collect()
    }
}

pub(super) fn require_text(field: &str, text: &str) -> Result<(), Error> {
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

/// The wire name of a card's model, `None` when the card names none
/// (`model` is optional: no seed says a card requires one).
fn model_name<M: AsRef<str>>(model: Option<&M>) -> Option<&str> {
    model.map(AsRef::as_ref)
}

/// True for every Veo model, known or not.
fn is_veo(model: Option<&str>) -> bool {
    model.is_some_and(|m| m.starts_with("veo_"))
}

/// Checks a duration against what the seeds allow, refusing only what
/// every seed refuses: the card's listed values (`card_values`, seed 001's
/// 5 or 10 for `video_from_text`; `None` for the video cards the seeds list
/// no values for) and the model's limits from seed 002 ("Kling 1.6
/// supports 5s and 10s, while Veo 3 supports up to 8s"). A `veo_*` model
/// takes 1 to 8 s or the 10 s seeds 001 and 003 send with Veo
/// ([`VIDEO_DURATIONS`], see [`VEO_MAX_DURATION`]); 0 s is never sent.
fn check_duration(
    duration: Option<u32>,
    model: Option<&str>,
    card_values: Option<&[u32]>,
) -> Result<(), Error> {
    let Some(duration) = duration else {
        return Ok(());
    };
    let allowed: Option<Vec<u32>> = if is_veo(model) {
        // either reading of the seeds, on every video card
        Some(VIDEO_DURATIONS.to_vec())
    } else if model == Some("kling_1_6") {
        Some(KLING_1_6_DURATIONS.to_vec())
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
            match model {
                Some(model) => format!("{duration} s is not supported by `{model}` on this card"),
                None => format!("{duration} s is not supported on this card"),
            },
            Some(values),
        ),
        _ => Ok(()),
    }
}

/// The warning for a Veo duration the seeds disagree on, if any: over seed
/// 002's 8 s, or (`video_from_text`) off seed 001's 5 or 10.
fn veo_duration_warning(
    duration: Option<u32>,
    model: Option<&str>,
    card_values: Option<&[u32]>,
) -> Option<String> {
    let duration = duration?;
    let model = model.filter(|m| is_veo(Some(m)))?;
    let over_veo_limit = duration > VEO_MAX_DURATION;
    let off_card = card_values.is_some_and(|values| !values.contains(&duration));
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
            tracing::warn!(target: "genpro_sdk::cards", "{warning}");
        }
    }
}
