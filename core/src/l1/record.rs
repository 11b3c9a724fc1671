//! Recording and replaying transports: a live run records every answer; a replay serves exactly
//! those answers (and can be edited to play a lying node).

use super::{BeaconClient, RpcClient};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// One recorded exchange: the call (method and params, or a GET path) and its answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Exchange {
    /// `method params` for JSON-RPC, the path for the beacon API.
    pub call: String,
    /// The answer (`null` for a beacon path the node does not serve).
    pub answer: Value,
}

/// Records what an inner client answers.
#[derive(Debug, Clone)]
pub struct Recording<C> {
    inner: C,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl<C> Recording<C> {
    /// Wraps `inner`.
    pub fn new(inner: C) -> Self {
        Self { inner, log: Arc::default() }
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn push(&self, call: String, answer: Value) {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).push(Exchange { call, answer });
    }
}

fn rpc_key(method: &str, params: &Value) -> String {
    format!("{method} {params}")
}

#[async_trait]
impl<C: RpcClient> RpcClient for Recording<C> {
    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        let key = rpc_key(method, &params);
        let answer = self.inner.call(method, params).await?;
        self.push(key, answer.clone());
        Ok(answer)
    }
}

#[async_trait]
impl<C: BeaconClient> BeaconClient for Recording<C> {
    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    async fn get(&self, path: &str) -> Result<Option<Value>, String> {
        let answer = self.inner.get(path).await?;
        self.push(path.to_owned(), answer.clone().unwrap_or(Value::Null));
        Ok(answer)
    }
}

/// Serves recorded answers; a call never recorded is an error naming it.
#[derive(Debug, Clone)]
pub struct Replay {
    name: String,
    exchanges: Vec<Exchange>,
}

impl Replay {
    /// A replay of `exchanges`, called `name` in errors.
    pub fn new(name: impl Into<String>, exchanges: Vec<Exchange>) -> Self {
        Self { name: name.into(), exchanges }
    }

    fn find(&self, call: &str) -> Result<Value, String> {
        self.exchanges
            .iter()
            .find(|e| e.call == call)
            .map(|e| e.answer.clone())
            .ok_or_else(|| format!("{call} was not recorded"))
    }
}

#[async_trait]
impl RpcClient for Replay {
    fn endpoint(&self) -> String {
        self.name.clone()
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        self.find(&rpc_key(method, &params))
    }
}

#[async_trait]
impl BeaconClient for Replay {
    fn endpoint(&self) -> String {
        self.name.clone()
    }

    async fn get(&self, path: &str) -> Result<Option<Value>, String> {
        self.find(path).map(|v| if v.is_null() { None } else { Some(v) })
    }
}
