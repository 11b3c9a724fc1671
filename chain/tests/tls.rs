//! The HTTP client reaches https endpoints: a local `openssl s_server` with a certificate made
//! for the test (added as a root) answers a GET through the same reqwest the
//! RPC and beacon clients use. Before reqwest had TLS, no connection was even attempted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn an_https_endpoint_is_reached() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("an_https_endpoint_is_reached: did not run: the openssl command is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success(), "openssl req");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept", &port.to_string(), "-cert"])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Killed(server);
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let client =
        reqwest::Client::builder().timeout(Duration::from_secs(10)).add_root_certificate(root).build().unwrap();
    let mut last = String::new();
    for _ in 0..50 {
        match client.get(format!("https://localhost:{port}/")).send().await {
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                assert!(status.is_success(), "{status}: {body}");
                assert!(body.contains("s_server"), "{body}");
                return;
            }
            Err(e) => last = format!("{e:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no https answer from the local server: {last}");
}

/// The server process, killed and reaped when the test ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
