//! Just enough HTTP/1.1 for JSON-RPC on loopback: one request per connection (every answer
//! says `connection: close`), a `content-length` body, single and batch calls.

use serde_json::{Value, json};
use std::sync::Arc;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::rpc::RpcError;

/// Most bytes of one request (a 128 KiB transaction, hex-encoded, with room to spare).
pub const MAX_REQUEST: usize = 4 << 20;

/// Reads one HTTP request (headers and a `content-length` body); `None` if the peer left.
pub async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if len > MAX_REQUEST {
                return Err(std::io::Error::other(format!("a request body of {len} bytes (at most {MAX_REQUEST})")));
            }
            while buf.len() < end + 4 + len {
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(Some(buf));
        }
        if buf.len() > MAX_REQUEST {
            return Err(std::io::Error::other("request headers too long"));
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The body of a request read by [`read_request`].
pub fn body(request: &[u8]) -> &[u8] {
    match request.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => &request[end + 4..],
        None => &[],
    }
}

/// Writes a `200 OK` JSON answer and closes.
pub async fn write_json(sock: &mut TcpStream, value: &Value) -> std::io::Result<()> {
    let text = value.to_string();
    let resp = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    sock.write_all(resp.as_bytes()).await
}

/// A JSON-RPC method table: (method, params) to result or error.
pub type Handler = Arc<dyn Fn(&str, &Value) -> Result<Value, RpcError> + Send + Sync>;

fn envelope(call: &Value, handler: &Handler) -> Value {
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = call.get("method").and_then(Value::as_str) else {
        return json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32600, "message": "invalid request: no method" } });
    };
    let params = call.get("params").cloned().unwrap_or_else(|| json!([]));
    match handler(method, &params) {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(e) => json!({ "jsonrpc": "2.0", "id": id, "error": { "code": e.code, "message": e.message } }),
    }
}

/// The answer to one HTTP body: a call, or a batch of calls.
pub fn answer(body: &[u8], handler: &Handler) -> Value {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(calls)) if !calls.is_empty() => calls.iter().map(|c| envelope(c, handler)).collect(),
        Ok(call @ Value::Object(_)) => envelope(&call, handler),
        Ok(_) => json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32600, "message": "invalid request" } }),
        Err(e) => {
            json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32700, "message": format!("parse error: {e}") } })
        }
    }
}

/// Serves `handler` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, handler: Handler) {
    while let Ok((mut sock, _)) = listener.accept().await {
        let handler = handler.clone();
        tokio::spawn(async move {
            let Ok(Some(req)) = read_request(&mut sock).await else { return };
            let value = answer(body(&req), &handler);
            let _ = write_json(&mut sock, &value).await;
        });
    }
}
