//! A small stateful fake of GEN's job endpoints on axum (127.0.0.1), driven
//! by an injected manual clock, for the waiting tests.
//!
//! Jobs are timelines: `(offset from creation, body)`; a GET answers the
//! last entry whose offset has passed on the manual clock. When
//! `honour_wait` is on, `GET /v1/generations/{id}?wait=true&timeout=T`
//! behaves like a long-poll: the fake advances the manual clock until the
//! job is terminal or `T` passed, then answers. Otherwise `wait` is ignored.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use genpro_sdk::GenClient;
use genpro_sdk::retry::testing::ManualTime;
use serde_json::{Value, json};
use tokio::sync::Notify;

/// One request the fake received.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
}

/// What `POST .../cells/{cell_id}/generate` does for a cell.
#[derive(Clone, Debug)]
pub enum GenerateBehaviour {
    /// Creates a generation with this timeline.
    Create(Vec<(u64, Value)>),
    /// Answers this status and body.
    Fail(u16, Value),
}

#[derive(Default)]
pub struct State_ {
    pub hits: Vec<Hit>,
    pub jobs: HashMap<String, (SystemTime, Vec<(u64, Value)>)>,
    pub honour_wait: bool,
    pub fail_gets: VecDeque<(u16, Option<String>)>,
    pub stop_status: u16,
    pub continue_status: u16,
    pub credit: Option<f64>,
    pub generate: HashMap<i64, GenerateBehaviour>,
    pub next_generation_id: i64,
    pub engine_cells: Vec<(i64, i64)>,
    /// Real delay added to each job GET (to observe concurrency).
    pub get_delay: Option<Duration>,
}

#[derive(Clone)]
pub struct Fake {
    pub state: Arc<Mutex<State_>>,
    pub time: ManualTime,
    pub gets: Arc<Notify>,
    pub in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
    pub base: String,
}

pub fn terminal(body: &Value) -> bool {
    let status = body["status"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        status.as_str(),
        "completed" | "failed" | "stopped" | "rejected" | "pending_approval"
    )
}

impl Fake {
    pub async fn start() -> Self {
        let time = ManualTime::default();
        let fake = Self {
            state: Arc::new(Mutex::new(State_ {
                stop_status: 200,
                continue_status: 200,
                credit: Some(1000.0),
                next_generation_id: 1,
                ..Default::default()
            })),
            time,
            gets: Arc::new(Notify::new()),
            in_flight: Arc::new(AtomicUsize::new(0)),
            max_in_flight: Arc::new(AtomicUsize::new(0)),
            base: String::new(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(handle).with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, ..fake }
    }

    pub fn client(&self) -> GenClient {
        GenClient::builder()
            .api_key("test-key")
            .api_url(&self.base)
            .agent_url(format!("{}/agenthost", self.base))
            .sleep(Arc::new(self.time.clone()))
            .clock(Arc::new(self.time.clone()))
            .build()
            .unwrap()
    }

    pub fn waiter(&self) -> genpro_sdk::wait::Waiter {
        self.client()
            .waiter()
            .with_time(Arc::new(self.time.clone()), Arc::new(self.time.clone()))
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State_) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Adds a job at `path` whose body changes over (manual) time.
    pub fn job(&self, path: &str, timeline: Vec<(u64, Value)>) {
        let now = self.time.now_();
        self.with(|s| s.jobs.insert(path.to_owned(), (now, timeline)));
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.with(|s| s.hits.clone())
    }

    pub fn hits_matching(&self, method: &str, path: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.method == method && h.path == path)
            .collect()
    }

    /// Seconds of manual time since the fake started.
    pub fn elapsed(&self) -> Duration {
        self.time.now_().duration_since(start_time()).unwrap()
    }
}

pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

trait Now {
    fn now_(&self) -> SystemTime;
}

impl Now for ManualTime {
    fn now_(&self) -> SystemTime {
        genpro_sdk::retry::Clock::now(self)
    }
}

fn body_at(created: SystemTime, timeline: &[(u64, Value)], now: SystemTime) -> Value {
    let offset = now.duration_since(created).unwrap_or_default();
    timeline
        .iter()
        .rev()
        .find(|(at, _)| Duration::from_secs(*at) <= offset)
        .or(timeline.first())
        .map(|(_, body)| body.clone())
        .unwrap_or(Value::Null)
}

fn json_response(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

async fn handle(State(fake): State<Fake>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let body_json = serde_json::from_slice::<Value>(&body).ok();
    fake.with(|s| {
        s.hits.push(Hit {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            body: body_json.clone(),
        })
    });
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();

    if method == Method::GET && fake.with(|s| s.jobs.contains_key(&path)) {
        let n = fake.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        fake.max_in_flight.fetch_max(n, Ordering::SeqCst);
        if let Some(delay) = fake.with(|s| s.get_delay) {
            tokio::time::sleep(delay).await;
        }
        let response = job_get(&fake, &path, &query);
        fake.in_flight.fetch_sub(1, Ordering::SeqCst);
        fake.gets.notify_waiters();
        return response;
    }

    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "generations", id, action]) => {
            let id: i64 = id.parse().unwrap();
            let job_path = format!("/v1/generations/{id}");
            let status = fake.with(|s| match *action {
                "stop" => s.stop_status,
                _ => s.continue_status,
            });
            if status != 200 {
                return json_response(
                    status,
                    json!({"error": format!("Generation cannot be {action}ed in its current state"), "error_code": "validation_error"}),
                );
            }
            let new_status = if *action == "stop" {
                "stopped"
            } else {
                "pending"
            };
            let body = json!({"id": id, "status": new_status});
            let now = fake.time.now_();
            let timeline = if *action == "stop" {
                vec![(0, body.clone())]
            } else {
                vec![
                    (0, body.clone()),
                    (
                        5,
                        json!({"id": id, "status": "completed", "result": "continued"}),
                    ),
                ]
            };
            fake.with(|s| s.jobs.insert(job_path, (now, timeline)));
            json_response(200, body)
        }
        (
            "POST",
            [
                "v1",
                "autocontentengine",
                _engine,
                "cells",
                cell_id,
                rest @ ..,
            ],
        ) if rest.last() == Some(&"generate") || rest.last() == Some(&"render") => {
            let cell_id: i64 = cell_id.parse().unwrap();
            let behaviour = fake
                .with(|s| s.generate.get(&cell_id).cloned())
                .unwrap_or_else(|| {
                    GenerateBehaviour::Create(vec![
                        (0, json!({"status": "processing"})),
                        (3, json!({"status": "completed", "result": "done"})),
                    ])
                });
            match behaviour {
                GenerateBehaviour::Fail(status, body) => json_response(status, body),
                GenerateBehaviour::Create(timeline) => {
                    let id = fake.with(|s| {
                        let id = s.next_generation_id;
                        s.next_generation_id += 1;
                        id
                    });
                    let timeline = timeline
                        .into_iter()
                        .map(|(at, mut body)| {
                            body["id"] = json!(id);
                            (at, body)
                        })
                        .collect();
                    fake.job(&format!("/v1/generations/{id}"), timeline);
                    json_response(201, json!({"generation_id": id, "status": "pending"}))
                }
            }
        }
        ("GET", ["v1", "organizations", id]) => {
            let credit = fake.with(|s| s.credit);
            let mut org = json!({"id": id.parse::<i64>().unwrap(), "name": "Santiago Media"});
            if let Some(generic) = credit {
                org["available_credit"] = json!({"generic": generic, "aura": 0});
            }
            json_response(200, org)
        }
        ("GET", ["v1", "autocontentengine", id]) => {
            let cells: Vec<Value> = fake.with(|s| {
                s.engine_cells
                    .iter()
                    .map(|(cell, column)| json!({"id": cell, "column_id": column}))
                    .collect()
            });
            json_response(
                200,
                json!({"id": id.parse::<i64>().unwrap(), "spreadsheet_cells": cells}),
            )
        }
        _ => json_response(
            404,
            json!({"error": "Not found", "error_code": "not_found"}),
        ),
    }
}

fn job_get(fake: &Fake, path: &str, query: &str) -> Response {
    if let Some((status, retry_after)) = fake.with(|s| s.fail_gets.pop_front()) {
        let mut response = json_response(status, json!({"error": "Service unavailable"}));
        if let Some(ra) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", ra.parse().unwrap());
        }
        return response;
    }
    let (created, timeline, honour) = fake.with(|s| {
        let (created, timeline) = s.jobs[path].clone();
        (created, timeline, s.honour_wait)
    });
    let long_poll = honour
        && path.starts_with("/v1/generations/")
        && query_param(query, "wait").as_deref() == Some("true");
    let mut now = fake.time.now_();
    let mut body = body_at(created, &timeline, now);
    if long_poll && !terminal(&body) {
        let timeout: f64 = query_param(query, "timeout")
            .and_then(|t| t.parse().ok())
            .unwrap_or(30.0);
        let offset = now.duration_since(created).unwrap_or_default();
        let until_terminal = timeline
            .iter()
            .find(|(at, b)| terminal(b) && Duration::from_secs(*at) > offset)
            .map(|(at, _)| Duration::from_secs(*at) - offset);
        let hold = match until_terminal {
            Some(d) => d.min(Duration::from_secs_f64(timeout)),
            None => Duration::from_secs_f64(timeout),
        };
        fake.time.advance(hold);
        now = fake.time.now_();
        body = body_at(created, &timeline, now);
    }
    if query_param(query, "include").as_deref() != Some("progress")
        && let Some(object) = body.as_object_mut()
    {
        object.remove("progress_percent");
    }
    json_response(200, body)
}
