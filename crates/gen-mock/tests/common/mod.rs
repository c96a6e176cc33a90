//! Shared helpers of the genpro-mock tests: a tiny JSON client for a running [`MockServer`].

#![allow(dead_code)]

use genpro_mock::MockServer;
use reqwest::Method;
use serde_json::Value;

/// A JSON client bound to one mock server and its key.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

/// One answer: status, headers and JSON body (Null when empty or not JSON).
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Api {
    pub fn new(server: &MockServer) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: server.base_url(),
            key: server.api_key(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-API-Key", &self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        Self::read(resp).await
    }

    pub async fn read(resp: reqwest::Response) -> Resp {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.call(Method::POST, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }
}

/// The id of the first cell of `engine` whose column has `role` (and, if given, `title`).
pub fn cell_of(engine: &Value, role: &str, title: Option<&str>) -> i64 {
    let col = engine["spreadsheet_columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == role && title.is_none_or(|t| c["title"] == t))
        .expect("column")["id"]
        .as_i64()
        .unwrap();
    engine["spreadsheet_cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column_id"] == col)
        .expect("cell")["id"]
        .as_i64()
        .unwrap()
}
