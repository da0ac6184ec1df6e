//! Load on `peerscope serve`: N concurrent clients for a fixed time against one page at a
//! time, printing requests per second and p50/p99 latency per page, with the stylesheet (a
//! static asset: the server's own overhead) as the baseline measured in the same run.
//! `scripts/bench_serve.sh` starts the server over the scale corpus and runs this.
//!
//! Usage: serve_load HOST:PORT SECONDS CLIENTS NAME=PATH [NAME=PATH ...]
//! (each PATH may hold several addresses separated by `|`, taken in turn; `{n}` in one is
//! replaced by a number no other request uses, so the server's kept answers cannot serve it).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One GET with a fresh connection; the status and the time it took.
async fn get(addr: &str, path: &str) -> std::io::Result<(u16, Duration)> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut body = Vec::new();
    s.read_to_end(&mut body).await?;
    let status = std::str::from_utf8(&body[..body.len().min(16)]).ok().and_then(|h| h.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, start.elapsed()))
}

/// Every client asks for `paths` in turn until `seconds` pass; all latencies, and failures.
async fn run(addr: &str, seconds: u64, clients: usize, paths: &[String]) -> (Vec<Duration>, usize, f64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (addr, paths) = (addr.to_string(), paths.to_vec());
        tasks.push(tokio::spawn(async move {
            let (mut times, mut failed, mut i) = (Vec::new(), 0, c);
            while Instant::now() < deadline {
                let path = paths[i % paths.len()].replace("{n}", &format!("{c}-{i}"));
                match get(&addr, &path).await {
                    Ok((200, t)) => times.push(t),
                    _ => failed += 1,
                }
                i += 1;
            }
            (times, failed)
        }));
    }
    let (mut all, mut failed) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((times, f)) = t.await {
            all.extend(times);
            failed += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    (all, failed, elapsed)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: serve_load HOST:PORT SECONDS CLIENTS NAME=PATH [NAME=PATH ...]");
        std::process::exit(2);
    }
    let (addr, seconds, clients) = (&args[0], args[1].parse().unwrap_or(10), args[2].parse().unwrap_or(32));
    let mut pages = vec![("stylesheet (baseline)".to_string(), vec![peerscope_serve::STYLESHEET.to_string()])];
    for a in &args[3..] {
        let (name, paths) = a.split_once('=').unwrap_or((a, a));
        pages.push((name.to_string(), paths.split('|').map(str::to_string).collect()));
    }
    println!("{clients} clients, {seconds} s per page, one connection per request");
    println!("| page | requests/s | p50 ms | p99 ms | p50 × baseline | failed |");
    println!("|---|---|---|---|---|---|");
    let mut baseline = None;
    for (name, paths) in &pages {
        let (times, failed, elapsed) = run(addr, seconds, clients, paths).await;
        if times.is_empty() {
            println!("| {name} | 0 | – | – | – | {failed} |");
            continue;
        }
        let p50 = ms(times[times.len() / 2]);
        let p99 = ms(times[(times.len() * 99 / 100).min(times.len() - 1)]);
        let base = *baseline.get_or_insert(p50);
        println!("| {name} | {:.0} | {p50:.1} | {p99:.1} | {:.1} | {failed} |", times.len() as f64 / elapsed, p50 / base);
    }
}
