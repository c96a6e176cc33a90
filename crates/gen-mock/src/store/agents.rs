//! Agents: the agent records, their Agent Core and their automation config.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::model::Agent;

/// Every agent, with its Agent Core and automation config.
pub(crate) struct AgentStore {
    /// Agents by id.
    pub by_id: BTreeMap<i64, Agent>,
    /// Agent Core by agent id.
    pub cores: HashMap<i64, Map<String, Value>>,
    /// Automation config by agent id.
    pub automation: HashMap<i64, Value>,
}

impl AgentStore {
    /// Agent 42 (Santiago, workspace 1) with a full Agent Core.
    pub fn seeded(now: &str) -> Self {
        let mut by_id = BTreeMap::new();
        by_id.insert(
            42,
            Agent {
                id: 42,
                name: "Santiago".into(),
                workspace_id: 1,
                description: Some("San Antonio street food scout.".into()),
                created_at: now.to_string(),
                updated_at: now.to_string(),
            },
        );
        let mut cores = HashMap::new();
        let core = json!({
            "brand_name": "Santiago",
            "description": "San Antonio street food scout who hunts the best tacos.",
            "identity_type": "character",
            "goal": "growth",
            "target_platforms": ["tiktok", "instagram"],
            "shortform": true,
            "keywords": ["streetfood", "foodtruck", "tacotok"],
            "monitored": [
                {"handle": "https://tiktok.com/@keithlee", "item_type": "account"},
                {"handle": "sanantonioeats", "item_type": "hashtag"}
            ],
            "research_topics": [{"topic": "new food truck openings in San Antonio"}],
            "linked_accounts": [{"url": "https://tiktok.com/@santiago_sa", "platform": "tiktok"}],
            "personality": "Santiago grew up eating at his tia taco stand in south San Antonio...",
            "default_user_voice": {"voice_id": "21m00Tcm4TlvDq8ikWAM", "source": "public"}
        });
        if let Value::Object(m) = core {
            cores.insert(42, m);
        }
        Self {
            by_id,
            cores,
            automation: HashMap::new(),
        }
    }

    /// Add an agent, with an empty Agent Core.
    pub fn add(&mut self, agent: Agent) -> &Agent {
        let id = agent.id;
        self.cores.insert(id, Map::new());
        self.by_id.insert(id, agent);
        &self.by_id[&id]
    }

    /// Remove an agent and its Agent Core; false when there was no such agent.
    pub fn remove(&mut self, id: i64) -> bool {
        let found = self.by_id.remove(&id).is_some();
        if found {
            self.cores.remove(&id);
        }
        found
    }

    /// The agent exists.
    pub fn exists(&self, id: i64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// The workspace of an agent, if the agent exists.
    pub fn workspace_of(&self, id: i64) -> Option<i64> {
        self.by_id.get(&id).map(|a| a.workspace_id)
    }

    /// What an agent's idea runs are about: its first Agent Core keyword as a hashtag.
    pub fn topic(&self, agent_id: &str) -> String {
        let core = agent_id
            .parse::<i64>()
            .ok()
            .and_then(|id| self.cores.get(&id));
        core.and_then(|c| c.get("keywords"))
            .and_then(Value::as_array)
            .and_then(|k| k.first())
            .and_then(Value::as_str)
            .map(|k| format!("#{k}"))
            .unwrap_or_else(|| "this week's trends".to_string())
    }
}
