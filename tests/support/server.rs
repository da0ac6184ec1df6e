//! A real HTTP/1.1 server on 127.0.0.1 for the fetch tests, able to misbehave on purpose:
//! slow replies, connection resets, bodies cut short, redirect loops, 403s, 429s and 503s.
//! It records every request (target, host, User-Agent, validators, start and end times,
//! how many requests were in flight to that host), so tests assert on what a site saw.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Debug)]
pub enum Fault {
    None,
    /// Wait this long before answering.
    Delay(Duration),
    /// Close the connection with a TCP reset, answering nothing.
    Reset,
    /// Declare the whole body's length, send half of it, close.
    CutBody,
}

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Fault,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: 200, headers: vec![("Content-Type".into(), content_type.into())], body: body.into(), fault: Fault::None }
    }
    pub fn status(status: u16) -> Reply {
        Reply { status, headers: vec![], body: format!("status {status}").into_bytes(), fault: Fault::None }
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn fault(mut self, f: Fault) -> Reply {
        self.fault = f;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub target: String,
    pub host: String,
    pub user_agent: String,
    pub if_none_match: Option<String>,
    pub start: Instant,
    pub end: Instant,
    /// Requests to the same host in flight when this one started (itself included).
    pub in_flight: usize,
}

#[derive(Default)]
struct State {
    /// Per route (a target prefix): replies served in order, the last one repeated.
    routes: HashMap<String, VecDeque<Reply>>,
    seen: Vec<Seen>,
    in_flight: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    /// Start on an ephemeral loopback port, in a thread of its own.
    pub fn start() -> TestServer {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else { continue };
                    tokio::spawn(serve(stream, st.clone()));
                }
            });
        });
        TestServer { addr: rx.recv().unwrap(), state }
    }

    /// `http://127.0.0.1:PORT` (and `localhost`, a second host on the same server).
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }
    pub fn other_host_base(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    /// Serve `replies` in order to requests whose target starts with `prefix` (the longest
    /// matching prefix wins); the last reply repeats.
    pub fn route(&self, prefix: &str, replies: Vec<Reply>) {
        self.state.lock().unwrap().routes.insert(prefix.to_string(), replies.into());
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.seen().iter().filter(|s| s.target.starts_with(prefix)).count()
    }
}

fn pick(state: &mut State, target: &str) -> Reply {
    let key = state.routes.keys().filter(|k| target.starts_with(k.as_str())).max_by_key(|k| k.len()).cloned();
    match key.and_then(|k| state.routes.get_mut(&k)) {
        Some(q) if q.len() > 1 => q.pop_front().unwrap(),
        Some(q) => q.front().cloned().unwrap_or_else(|| Reply::status(404)),
        None => Reply::status(404),
    }
}

async fn serve(mut stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let target = lines.next().unwrap_or("").split(' ').nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let host = headers.get("host").cloned().unwrap_or_default();
    let start = Instant::now();
    // Recorded as it arrives (a client may give up before the answer), completed after.
    let (reply, slot) = {
        let mut st = state.lock().unwrap();
        let n = st.in_flight.entry(host.clone()).or_default();
        *n += 1;
        let in_flight = *n;
        st.seen.push(Seen {
            target: target.clone(),
            host: host.clone(),
            user_agent: headers.get("user-agent").cloned().unwrap_or_default(),
            if_none_match: headers.get("if-none-match").cloned(),
            start,
            end: start,
            in_flight,
        });
        let slot = st.seen.len() - 1;
        (pick(&mut st, &target), slot)
    };
    respond(&mut stream, &reply).await;
    let mut st = state.lock().unwrap();
    if let Some(n) = st.in_flight.get_mut(&host) {
        *n -= 1;
    }
    st.seen[slot].end = Instant::now();
}

async fn respond(stream: &mut tokio::net::TcpStream, reply: &Reply) {
    match &reply.fault {
        Fault::Delay(d) => tokio::time::sleep(*d).await,
        Fault::Reset => {
            // A zero linger makes the close a TCP reset (and so cannot block on drop).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            return;
        }
        _ => {}
    }
    let mut out = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let body: &[u8] = if matches!(reply.fault, Fault::CutBody) { &reply.body[..reply.body.len() / 2] } else { &reply.body };
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}
