//! Voices: the library (public and per-agent voices), voice-design samples, ElevenLabs
//! connections, voice previews.

use std::collections::{HashMap, HashSet};

use crate::model::{Preview, Voice};
use crate::seed;

/// The voice library and what voice design and previews left behind.
pub(crate) struct VoiceStore {
    /// Every voice (`agent_id` None = public).
    pub library: Vec<Voice>,
    /// Generated voice ids of design samples (a design must name one).
    pub designed_samples: HashSet<String>,
    /// Agents with ElevenLabs connected.
    pub elevenlabs: HashSet<i64>,
    /// Voice previews by job id.
    pub previews: HashMap<String, Preview>,
}

impl VoiceStore {
    /// The public voices, with preview URLs on `base_url`.
    pub fn seeded(base_url: &str) -> Self {
        let library = seed::PUBLIC_VOICES
            .iter()
            .map(|(id, name, desc)| Voice {
                agent_id: None,
                voice_id: (*id).to_string(),
                name: (*name).to_string(),
                source: "public".into(),
                description: Some((*desc).to_string()),
                preview_url: Some(preview_url(base_url, id)),
            })
            .collect();
        Self {
            library,
            designed_samples: HashSet::new(),
            elevenlabs: HashSet::new(),
            previews: HashMap::new(),
        }
    }

    /// Point every preview URL at a new base URL.
    pub fn rebase(&mut self, base_url: &str) {
        for v in &mut self.library {
            if let Some(p) = &mut v.preview_url {
                *p = preview_url(base_url, &v.voice_id);
            }
        }
    }
}

fn preview_url(base_url: &str, voice_id: &str) -> String {
    format!("{base_url}/cdn/voices/{voice_id}.mp3")
}
