//! Whole-file downloads over http(s), for files a game names by hash (Cannon64 prestates): one
//! GET with a timeout and a size cap; the caller checks the bytes against the hash.

use std::time::Duration;

use crate::ChainError;

/// GETs `url` within `timeout`, refusing bodies over `max` bytes.
pub async fn fetch(url: &str, timeout: Duration, max: u64) -> Result<Vec<u8>, ChainError> {
    let what = || format!("GET {url}");
    let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| ChainError::Rpc {
        what: what(),
        reason: e.to_string(),
        temporary: false,
    })?;
    let mut response = client.get(url).send().await.map_err(|e| ChainError::Rpc {
        what: what(),
        reason: e.to_string(),
        temporary: true,
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(ChainError::Rpc {
            what: what(),
            reason: format!("HTTP {status}"),
            temporary: status.is_server_error(),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| ChainError::Rpc { what: what(), reason: e.to_string(), temporary: true })?
    {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > max {
            return Err(ChainError::Malformed { what: what(), reason: format!("more than {max} bytes") });
        }
    }
    Ok(body)
}
