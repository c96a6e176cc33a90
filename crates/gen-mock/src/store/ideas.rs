//! Ideas: agent runs (ideas, research, preferences), conversations and their messages, the ideas
//! runs produce (in creation order).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::agents::AgentStore;
use super::{Clock, Ids};
use crate::model::{Conversation, Run, RunPhase};
use crate::seed;

/// Runs, conversations and ideas.
pub(crate) struct IdeaStore {
    /// How long a run runs.
    pub run_duration: Duration,
    /// Runs by id.
    pub runs: BTreeMap<String, Run>,
    /// Conversations by id.
    pub conversations: BTreeMap<String, Conversation>,
    /// Ideas by id.
    pub by_id: BTreeMap<String, Value>,
    /// Idea ids in creation order.
    pub order: Vec<String>,
}

/// What finishing a run needs from outside the idea store.
pub(crate) struct RunContext<'a> {
    pub clock: &'a Clock,
    pub ids: &'a mut Ids,
    pub agents: &'a AgentStore,
    pub base_url: &'a str,
}

impl IdeaStore {
    pub fn new(run_duration: Duration) -> Self {
        Self {
            run_duration,
            runs: BTreeMap::new(),
            conversations: BTreeMap::new(),
            by_id: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// Open a conversation for an agent, titled after the first 60 characters of its first
    /// message. Returns its id.
    pub fn open_conversation(
        &mut self,
        ids: &mut Ids,
        agent_id: &str,
        first_message: &str,
        now: &str,
    ) -> String {
        let id = ids.next_str("conv");
        self.conversations.insert(
            id.clone(),
            Conversation {
                id: id.clone(),
                agent_id: agent_id.to_string(),
                title: Some(first_message.chars().take(60).collect()),
                pinned: false,
                created_at: now.to_string(),
                updated_at: now.to_string(),
                messages: Vec::new(),
                run_ids: Vec::new(),
            },
        );
        id
    }

    /// The user's message that started a run, added to its conversation (if it still exists).
    pub fn add_user_message(
        &mut self,
        ids: &mut Ids,
        conversation_id: &str,
        content: &str,
        run_id: &str,
        now: &str,
    ) {
        let msg_id = ids.next_str("msg");
        if let Some(c) = self.conversations.get_mut(conversation_id) {
            c.messages.push(json!({"id": msg_id, "role": "user", "content": content, "run_id": run_id, "created_at": now}));
            c.run_ids.push(run_id.to_string());
            c.updated_at = now.to_string();
        }
    }

    /// Move every running run whose time is up to `pending_approval` or finish it.
    pub fn settle(&mut self, now: Instant, cx: &mut RunContext<'_>) {
        let due: Vec<String> = self
            .runs
            .values()
            .filter(|r| {
                r.phase == RunPhase::Running
                    && now.saturating_duration_since(r.started) >= self.run_duration
            })
            .map(|r| r.id.clone())
            .collect();
        for id in due {
            let needs_approval = self.runs[&id].needs_approval;
            if needs_approval {
                let ts = cx.clock.wall(self.runs[&id].started + self.run_duration);
                let r = self.runs.get_mut(&id).expect("run");
                r.phase = RunPhase::PendingApproval;
                r.updated_at = ts;
            } else {
                self.complete_run(&id, cx);
            }
        }
    }

    /// Finish a run: produce its output (ideas, research, chat answer).
    pub fn complete_run(&mut self, id: &str, cx: &mut RunContext<'_>) {
        let Some(run) = self.runs.get(id).cloned() else {
            return;
        };
        let done_at = cx.clock.wall(run.started + self.run_duration);
        let mut idea_ids = Vec::new();
        let mut result = None;
        let mut summary = None;
        let mut findings = None;
        let mut message_ideas = Vec::new();
        match run.kind.as_str() {
            "research" => {
                summary = Some(format!(
                    "Research summary on {}: interest is rising, short vertical explainers perform best.",
                    run.message
                ));
                findings = Some(seed::findings(&run.message, &run.depth));
            }
            "preferences" => {
                result =
                    Some("Got it. I'll apply that preference to every future run.".to_string());
            }
            _ => {
                let topic = cx.agents.topic(&run.agent_id);
                let count = idea_count(&run.message);
                let base = cx.base_url;
                for _ in 0..count {
                    let n = self.order.len();
                    let idea_id = format!("idea_{}", n + 1);
                    let mut idea = seed::idea_body(n, &topic, base);
                    idea["id"] = json!(idea_id);
                    idea["conversation_id"] = json!(run.conversation_id);
                    idea["agent_id"] = json!(run.agent_id);
                    idea["status"] = json!("generated");
                    idea["created_at"] = json!(done_at);
                    self.by_id.insert(idea_id.clone(), idea.clone());
                    self.order.push(idea_id.clone());
                    idea_ids.push(idea_id);
                    message_ideas.push(idea);
                }
                result = Some(format!("Here are {count} ideas."));
            }
        }
        if let Some(conv_id) = &run.conversation_id {
            let msg_id = cx.ids.next_str("msg");
            if let Some(c) = self.conversations.get_mut(conv_id) {
                let mut m = json!({
                    "id": msg_id,
                    "role": "assistant",
                    "content": result.clone().or(summary.clone()).unwrap_or_default(),
                    "run_id": run.id,
                    "created_at": done_at,
                });
                if !message_ideas.is_empty() {
                    m["ideas"] = Value::Array(message_ideas);
                }
                c.messages.push(m);
                c.updated_at = done_at.clone();
            }
        }
        let r = self.runs.get_mut(id).expect("run");
        r.phase = RunPhase::Completed;
        r.result = result;
        r.summary = summary;
        r.findings = findings;
        r.idea_ids = idea_ids;
        r.updated_at = done_at;
    }

    /// JSON of a run.
    pub fn run_json(&self, r: &Run) -> Value {
        let ideas: Vec<Value> = r
            .idea_ids
            .iter()
            .filter_map(|i| self.by_id.get(i).cloned())
            .collect();
        json!({
            "run_id": r.id,
            "conversation_id": r.conversation_id,
            "status": r.phase.as_str(),
            "kind": r.kind,
            "result": r.result,
            "findings": r.findings,
            "summary": r.summary,
            "ideas": ideas,
            "error": null,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        })
    }
}

/// How many ideas a message asks for: the first number in it, clamped to 3..=5 (default 5).
fn idea_count(message: &str) -> usize {
    let digits: String = message
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse::<usize>().map(|n| n.clamp(3, 5)).unwrap_or(5)
}
