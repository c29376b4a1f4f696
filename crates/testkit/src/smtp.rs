//! [`SmtpSink`]: an SMTP server that keeps every message it is sent.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use crate::env::Env;

/// A small SMTP server on 127.0.0.1 that accepts every message and keeps it: a real SMTP
/// conversation (EHLO, MAIL, RCPT, DATA, QUIT) without any delivery.
pub struct SmtpSink {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The messages taken: envelope lines, then the data.
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// While false, every connection is turned away with `421` (a server that is down
    /// for maintenance), and counted in `refused`.
    accepting: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Connections turned away while not accepting.
    pub refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SmtpSink {
    /// A sink that takes mail from the start.
    pub fn start() -> SmtpSink {
        let sink = SmtpSink::start_refusing();
        sink.accept();
        sink
    }

    /// A sink that turns every connection away until [`SmtpSink::accept`].
    pub fn start_refusing() -> SmtpSink {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let accepting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (store, open, turned_away) = (messages.clone(), accepting.clone(), refused.clone());
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                if !open.load(Ordering::SeqCst) {
                    let _ = conn.write_all(b"421 sink down for maintenance\r\n");
                    turned_away.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                let store = store.clone();
                std::thread::spawn(move || serve_smtp(conn, &store));
            }
        });
        SmtpSink {
            port,
            messages,
            accepting,
            refused,
        }
    }

    /// From now on, take mail.
    pub fn accept(&self) {
        self.accepting
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Points the data folder's configuration at this sink.
    pub fn configure(&self, env: &Env) {
        let config = env.data().join("config.toml");
        let text = std::fs::read_to_string(&config).expect("config");
        let with_smtp = format!("mail_smtp_url = \"smtp://127.0.0.1:{}\"\n{text}", self.port);
        std::fs::write(&config, with_smtp).expect("write config");
    }

    /// Waits (up to 15 s) for a message containing `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
        for _ in 0..150 {
            if let Some(m) = self
                .messages
                .lock()
                .expect("lock")
                .iter()
                .find(|m| m.contains(needle))
            {
                return m.clone();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no message containing {needle:?} reached the SMTP sink");
    }
}

fn serve_smtp(conn: TcpStream, store: &std::sync::Mutex<Vec<String>>) {
    let mut out = conn.try_clone().expect("clone");
    let mut lines = BufReader::new(conn);
    let mut say = |s: &str| {
        let _ = out.write_all(s.as_bytes());
    };
    say("220 sink ESMTP\r\n");
    let mut envelope = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            say("250-sink\r\n250 8BITMIME\r\n");
        } else if cmd.starts_with("MAIL FROM") || cmd.starts_with("RCPT TO") {
            envelope.push_str(line.trim_end());
            envelope.push('\n');
            say("250 OK\r\n");
        } else if cmd == "DATA" {
            say("354 go on\r\n");
            let mut data = envelope.clone();
            loop {
                line.clear();
                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            store.lock().expect("lock").push(data);
            envelope.clear();
            say("250 queued\r\n");
        } else if cmd == "QUIT" {
            say("221 bye\r\n");
            return;
        } else {
            say("250 OK\r\n");
        }
    }
}
