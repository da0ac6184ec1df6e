//! The connections the server holds: at most [`MAX_CONNECTIONS`] at once, each given
//! [`HEADER_TIME`] to send a request's headers and closed after [`IDLE`] with nothing read
//! or written.
//!
//! `axum::serve` keeps a connection for as long as its client does: one that sends nothing,
//! half a request's headers or nothing after its last answer stayed open for ever, so a
//! stranger holding a thousand of them used up the process's file descriptors and the page
//! stopped answering everyone (regression). Here each connection is served by hyper with a
//! header deadline, wrapped in [`Idle`], and holds one of a fixed number of slots.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// Connections served at once; past this, new ones wait to be accepted.
pub const MAX_CONNECTIONS: usize = 512;
/// Time for a request's headers to arrive, from the first byte asked for.
pub const HEADER_TIME: Duration = Duration::from_secs(10);
/// A connection with nothing read or written for this long is closed.
pub const IDLE: Duration = Duration::from_secs(30);

/// Serve `router` on `listener` until `stop` completes.
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut stop = std::pin::pin!(stop);
    loop {
        // Waiting for a free slot gives way to the stop too (review: with every slot held,
        // Ctrl-C waited for one).
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return,
            },
            () = &mut stop => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before it was accepted: the
                // next one may do, after a pause that lets others close.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => return,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| router.clone().oneshot(request.map(axum::body::Body::new)));
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(HEADER_TIME);
            // Errors are the client's (gone, too slow, not HTTP): nothing to answer.
            let _ = http.serve_connection(TokioIo::new(Idle::new(stream)), service).await;
            drop(slot);
        });
    }
}

/// A stream that fails once nothing has been read or written for [`IDLE`]: an idle
/// keep-alive connection, or a client that stopped reading its answer.
pub struct Idle {
    stream: TcpStream,
    deadline: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(stream: TcpStream) -> Idle {
        Idle { stream, deadline: Box::pin(tokio::time::sleep(IDLE)) }
    }

    fn moved(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + IDLE);
    }

    /// On a pending read or write: an error once the deadline has passed.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn idle_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle")
}

impl AsyncRead for Idle {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(r)
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(idle_error())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Idle {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(idle_error())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
