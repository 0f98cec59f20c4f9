//! A stand-in SMTP server on 127.0.0.1 that accepts every message and keeps
//! it, so the mail code is tested against the real protocol.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Received>>>,
    /// While true, a new connection waits for its greeting.
    held: Arc<tokio::sync::watch::Sender<bool>>,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let messages: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = messages.clone();
        let held = Arc::new(tokio::sync::watch::Sender::new(false));
        let gate = held.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                let mut gate = gate.subscribe();
                tokio::spawn(async move {
                    let _ = gate.wait_for(|held| !*held).await;
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 localhost stand-in ESMTP\r\n").await;
                    let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                store
                                    .lock()
                                    .expect("store")
                                    .push(Received { to: std::mem::take(&mut to), data: std::mem::take(&mut data) });
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-localhost\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 2.1.5 ok\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        Self { port, messages, held }
    }

    /// Makes new connections wait (as a slow mail server would) until `release`.
    pub fn hold(&self) {
        self.held.send_replace(true);
    }

    pub fn release(&self) {
        self.held.send_replace(false);
    }

    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().expect("store").clone()
    }
}
