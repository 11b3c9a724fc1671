//! The little HTTP/1.1 the metrics and web servers speak: one GET per connection, answered and
//! closed. Not a general server: request bodies and keep-alive are ignored.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads a request head and returns its path (`/` when it cannot be read).
pub async fn request_path<S: tokio::io::AsyncRead + Unpin>(sock: &mut S) -> String {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    head.split_whitespace().nth(1).unwrap_or("/").to_owned()
}

/// Writes a whole response and closes the exchange.
pub async fn respond<S: tokio::io::AsyncWrite + Unpin>(sock: &mut S, status: &str, content_type: &str, body: &str) {
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
}
