//! A JSON-RPC node that answers from a table, for tests: the answer of `method:firstParam`
//! if the table has it, else of `method`, else a "method does not exist" error.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `answers` on a free local port; returns its URL.
pub(crate) async fn serve(answers: Vec<(String, Value)>) -> String {
    let answers = Arc::new(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let answers = Arc::clone(&answers);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = vec![0u8; 65536];
                // Read the headers and a body of content-length bytes.
                let body = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if body.len() >= len {
                            break body.to_owned();
                        }
                    }
                };
                let req: Value = serde_json::from_str(&body).unwrap_or_default();
                let method = req["method"].as_str().unwrap_or_default().to_owned();
                let with_param = format!("{method}:{}", req["params"][0].as_str().unwrap_or_default());
                let found = answers
                    .iter()
                    .find(|(k, _)| *k == with_param)
                    .or_else(|| answers.iter().find(|(k, _)| *k == method));
                let answer = match found {
                    Some((_, result)) => json!({"jsonrpc": "2.0", "id": req["id"], "result": result}),
                    None => json!({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32601, "message": format!("the method {method} does not exist")}}),
                }
                .to_string();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}
