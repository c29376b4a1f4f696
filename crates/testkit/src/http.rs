//! [`Server`]: a running `orgca serve` and a tiny HTTP/1.1 client for it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};

/// A running `orgca serve`, stopped (SIGTERM, then wait) when dropped.
pub struct Server {
    child: Child,
    /// Where it listens (`127.0.0.1:port`).
    pub addr: String,
}

/// An answer: status, headers (lower-case names) and body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

impl Server {
    pub(crate) fn new(child: Child, addr: String) -> Server {
        Server { child, addr }
    }

    /// A client of this server for another thread: its requests fail softly.
    pub fn client(&self) -> Client {
        Client {
            addr: self.addr.clone(),
        }
    }

    /// Sends the server the signal `name` (`HUP`, `TERM`...).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name}");
    }

    /// Stops the server gracefully and returns its exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let status = self.child.wait().expect("wait");
        std::mem::forget(self);
        status
    }

    /// GET over HTTP/1.1; returns status, headers (lower-case names) and body.
    pub fn get(&self, path: &str) -> Answer {
        self.request("GET", path, None, None)
    }

    /// Any request over HTTP/1.1, with an optional bearer token and JSON body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Answer {
        self.request_with(method, path, &[], token, body)
    }

    /// [`Server::request`] with extra headers.
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Answer {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = body.unwrap_or_default();
        if !body.is_empty() || method != "GET" {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                head.push_str("Content-Type: application/json\r\n");
            }
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).expect("send head");
        // The server may answer (413) before reading a large body: ignore a broken pipe.
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .expect("status");
        let headers = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            })
            .collect::<Vec<_>>();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        (status, headers, body)
    }

    /// Follows the e-mail validation link in `mail` (a POST, as the mail says); answers
    /// the confirmation.
    pub fn confirm_link_in(&self, mail: &str) -> serde_json::Value {
        let token = mail
            .split("/api/v1/email-validations/")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("a validation link in the mail");
        let path = format!("/api/v1/email-validations/{token}");
        let (status, v) = self.json("POST", &path, None, None);
        assert_eq!(status, 200, "{v}");
        v
    }

    /// A request whose answer is JSON: status and the parsed body.
    pub fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let (status, _, b) = self.request(method, path, token, body.map(str::as_bytes));
        (
            status,
            serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
        )
    }
}

/// A client of a server that may die under it (a crash test): a request that fails in
/// any way answers `None` instead of panicking.
#[derive(Clone, Debug)]
pub struct Client {
    /// Where the server listens.
    pub addr: String,
}

impl Client {
    /// A JSON request, or `None` when the connection fails or the answer is cut short.
    pub fn try_json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Option<(u16, serde_json::Value)> {
        let mut s = TcpStream::connect(&self.addr).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .ok()?;
        let body = body.unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).ok()?;
        s.write_all(body.as_bytes()).ok()?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).ok()?;
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]);
        let status: u16 = head.lines().next()?.split(' ').nth(1)?.parse().ok()?;
        let mut body = raw[split + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        Some((status, serde_json::from_slice(&body).ok()?))
    }
}

impl Drop for Server {
    /// Stops the server as an operator would (SIGTERM: it gives its leases up, so the
    /// next server takes its jobs at once), and kills it if it is not gone within 5 s.
    /// A test of a crash sends `KILL` itself ([`Server::signal`]).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let len = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if len == 0 {
            return out;
        }
        // A body cut short (a server killed mid-answer) ends here.
        let Some(chunk) = b.get(nl + 2..nl + 2 + len) else {
            return out;
        };
        out.extend_from_slice(chunk);
        b = b.get(nl + 2 + len + 2..).unwrap_or_default();
    }
}

/// Percent-encodes a form or query value (RFC 3986 unreserved characters stay).
pub fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
