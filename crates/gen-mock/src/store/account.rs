//! The account: the signed-in user, workspaces (organizations) with their credit, persisted
//! tokens.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::config::MockConfig;
use crate::model::{Org, Token};

/// The user, workspaces and tokens.
pub(crate) struct AccountStore {
    /// `GET /v1/me`.
    pub user: Value,
    /// Workspaces (organizations) by id.
    pub orgs: BTreeMap<i64, Org>,
    /// Persisted tokens by id.
    pub tokens: BTreeMap<i64, Token>,
}

impl AccountStore {
    /// User 7 and workspace 1 with the configured credit.
    pub fn seeded(cfg: &MockConfig, now: &str) -> Self {
        let mut orgs = BTreeMap::new();
        orgs.insert(
            1,
            Org {
                id: 1,
                name: "Santiago Media".into(),
                generic: cfg.initial_credit,
                aura: cfg.aura,
                role: "owner".into(),
                created_at: now.to_string(),
            },
        );
        Self {
            user: json!({"id": 7, "email": "santiago@example.com", "name": "Santiago", "created_at": now}),
            orgs,
            tokens: BTreeMap::new(),
        }
    }

    /// Credit the workspace.
    pub fn credit(&mut self, org_id: i64, amount: f64) {
        if let Some(o) = self.orgs.get_mut(&org_id) {
            o.generic += amount;
        }
    }

    /// Generic balance of a workspace.
    pub fn balance(&self, org_id: i64) -> f64 {
        self.orgs.get(&org_id).map(|o| o.generic).unwrap_or(0.0)
    }
}
