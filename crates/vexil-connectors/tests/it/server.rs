//! Local test servers on 127.0.0.1, port 0: axum for well-formed HTTP, a raw TCP writer for the
//! responses a correct server library refuses to produce (short bodies, stalls).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `router` in the background; returns `http://127.0.0.1:<port>`.
pub(crate) async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// Answers every connection with `response` verbatim, keeps the connection open for `hold`, then
/// closes it. Returns the base URL and a count of connections accepted.
pub(crate) async fn serve_raw(response: Vec<u8>, hold: Duration) -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        // Ends with the test's runtime; each turn serves one connection.
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let response = response.clone();
            tokio::spawn(async move {
                read_request_head(&mut socket).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.flush().await;
                tokio::time::sleep(hold).await;
            });
        }
    });
    (format!("http://{address}"), connections)
}

/// Reads until the blank line ending the request head (bounded to 64 KiB).
async fn read_request_head(socket: &mut tokio::net::TcpStream) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while head.len() < 64 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A closed port on 127.0.0.1: bound, read back, then released.
pub(crate) async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}
