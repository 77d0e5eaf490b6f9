//! Audit events: who, what, when, from where, with what outcome. Never a secret.

use crate::Engine;
use crate::error::Result;
use crate::principal::{Principal, RequestMeta};
use crate::store::{AuditFilter, AuditRow, UserRow};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub struct Event {
    kind: &'static str,
    outcome: &'static str,
    user_id: Option<String>,
    username: Option<String>,
    actor: Option<String>,
    ip: Option<String>,
    detail: Value,
}

impl Event {
    pub fn new(kind: &'static str, outcome: &'static str) -> Self {
        Event {
            kind,
            outcome,
            user_id: None,
            username: None,
            actor: None,
            ip: None,
            detail: Value::Object(Default::default()),
        }
    }

    /// What an admin (`p`) did to a user.
    pub(crate) fn by_admin(
        kind: &'static str,
        p: &Principal,
        user: &UserRow,
        meta: &RequestMeta,
    ) -> Self {
        Event::new(kind, "success")
            .user(Some(&user.id), &user.username)
            .actor(p)
            .ip(meta)
    }

    pub fn user(mut self, id: Option<&str>, username: &str) -> Self {
        self.user_id = id.map(str::to_string);
        self.username = Some(username.to_string());
        self
    }

    pub fn actor(mut self, p: &Principal) -> Self {
        self.actor = Some(p.username.clone());
        if self.username.is_none() {
            self.user_id = Some(p.user_id.clone());
            self.username = Some(p.username.clone());
        }
        self
    }

    pub fn ip(mut self, meta: &RequestMeta) -> Self {
        self.ip = Some(meta.ip.to_string());
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// Adds one field to the detail object.
    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Value::Object(map) = &mut self.detail {
            map.insert(key.to_string(), value.into());
        }
        self
    }
}

/// An audit event as read back.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub actor: Option<String>,
    pub ip: Option<String>,
    pub detail: Value,
}

impl Engine {
    /// Records an event. A failure to record is logged, never shown to the caller.
    pub(crate) async fn audit(&self, e: Event) {
        let row = AuditRow {
            id: 0,
            at: self.now_ms(),
            kind: e.kind.into(),
            outcome: e.outcome.into(),
            user_id: e.user_id,
            username: e.username,
            actor: e.actor,
            ip: e.ip,
            detail: e.detail.to_string(),
        };
        if let Err(err) = self.store().insert_audit(&row).await {
            tracing::error!(error = %err, kind = e.kind, "audit event not recorded");
        }
    }

    /// Newest first (admins).
    pub async fn audit_events(
        &self,
        p: &Principal,
        filter: AuditFilter,
    ) -> Result<Vec<AuditEvent>> {
        p.require_admin()?;
        self.require_module("admin_events")?;
        let rows = self.store().audit_events(&filter).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEvent {
                id: r.id,
                at: crate::clock::from_unix_ms(r.at),
                kind: r.kind,
                outcome: r.outcome,
                user_id: r.user_id,
                username: r.username,
                actor: r.actor,
                ip: r.ip,
                detail: serde_json::from_str(&r.detail).unwrap_or(Value::Null),
            })
            .collect())
    }
}
