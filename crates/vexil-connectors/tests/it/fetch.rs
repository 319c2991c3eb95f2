//! `fetch` end to end: real feed files byte for byte, retries, timeouts, caps, conditional
//! requests, gzip, and every failure naming the URL and the reason.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{self, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use vexil_connectors::{Backoff, FetchError, FetchOptions, Fetched, Validators, fetch, is_url};

use crate::server::{closed_port, serve, serve_raw};
use crate::shared::data;

/// Short limits so that every failure path finishes in well under a second.
fn quick() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retries: 2,
        backoff: Backoff {
            base: Duration::from_millis(5),
            max: Duration::from_millis(50),
        },
        ..FetchOptions::default()
    }
}

async fn get_url(url: &str, options: &FetchOptions) -> Result<Fetched, FetchError> {
    let client = vexil_connectors::client(options).unwrap();
    fetch(&client, url, options, None).await
}

fn body(fetched: Fetched) -> (Vec<u8>, Validators, String) {
    match fetched {
        Fetched::Body {
            bytes,
            validators,
            final_url,
        } => (bytes, validators, final_url),
        Fetched::NotModified => panic!("expected a body, got NotModified"),
    }
}

/// A router whose single route `/` runs `respond(n)` on the `n`-th request (1-based); returns
/// the base URL and the request counter.
async fn counting(respond: fn(u32) -> Response) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let router = Router::new()
        .route(
            "/",
            get(move |State(hits): State<Arc<AtomicU32>>| async move {
                respond(hits.fetch_add(1, Ordering::SeqCst) + 1)
            }),
        )
        .with_state(Arc::clone(&hits));
    (serve(router).await, hits)
}

/// Every file under `root`, as paths relative to it with `/` separators (bounded depth).
fn files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![(PathBuf::new(), 0)];
    while let Some((relative, depth)) = pending.pop() {
        for entry in std::fs::read_dir(root.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() && depth < 8 {
                pending.push((path, depth + 1));
            } else if entry.file_type().unwrap().is_file() {
                found.push(path.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

async fn serve_file(
    State(root): State<Arc<PathBuf>>,
    extract::Path(path): extract::Path<String>,
) -> Response {
    if path.split('/').any(|part| part == "..") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let Ok(bytes) = std::fs::read(root.join(&path)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // How a mirror serves a `.gz` file: as a file of type gzip, *not* as Content-Encoding.
    let kind = if path.ends_with(".gz") {
        "application/gzip"
    } else {
        "application/octet-stream"
    };
    ([(header::CONTENT_TYPE, kind)], bytes).into_response()
}

#[tokio::test]
async fn real_feed_files_arrive_byte_for_byte_and_gz_files_stay_compressed() {
    let Some(root) = data("feeds") else { return };
    let files = files_under(&root);
    assert!(
        files.len() > 10,
        "expected the feed corpus, found {} files",
        files.len()
    );
    let router = Router::new()
        .route("/feeds/{*path}", get(serve_file))
        .with_state(Arc::new(root.clone()));
    let base = serve(router).await;
    let options = quick();
    let client = vexil_connectors::client(&options).unwrap();
    let mut gz_files = 0;
    for file in &files {
        let url = format!("{base}/feeds/{file}");
        let (bytes, _, final_url) = body(fetch(&client, &url, &options, None).await.unwrap());
        assert!(
            bytes == std::fs::read(root.join(file)).unwrap(),
            "{file}: bytes differ"
        );
        assert_eq!(final_url, url);
        if file.ends_with(".gz") {
            assert_eq!(
                bytes.get(..2),
                Some(&[0x1f, 0x8b][..]),
                "{file} was decoded"
            );
            gz_files += 1;
        }
    }
    assert!(
        gz_files >= 2,
        "the corpus has APKINDEX.tar.gz and Packages.gz"
    );
}

#[tokio::test]
async fn gzip_content_encoding_is_requested_and_decoded() {
    let plain: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("{{\"id\":\"CVE-{i}\"}}\n").into_bytes())
        .collect();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&plain).unwrap();
    let compressed = encoder.finish().unwrap();
    assert!(compressed.len() * 4 < plain.len());
    // What the client sent as Accept-Encoding.
    type Seen = Arc<Mutex<Option<String>>>;
    let seen: Seen = Arc::default();
    let handler = |State((seen, compressed)): State<(Seen, Vec<u8>)>, headers: HeaderMap| async move {
        let accept = headers
            .get(header::ACCEPT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        *seen.lock().unwrap() = accept;
        ([(header::CONTENT_ENCODING, "gzip")], compressed)
    };
    let router = Router::new()
        .route("/feed.json", get(handler))
        .with_state((Arc::clone(&seen), compressed));
    let base = serve(router).await;
    let (bytes, _, _) = body(
        get_url(&format!("{base}/feed.json"), &quick())
            .await
            .unwrap(),
    );
    assert!(
        bytes == plain,
        "decoded body differs ({} vs {} bytes)",
        bytes.len(),
        plain.len()
    );
    let accept = seen.lock().unwrap().clone().unwrap_or_default();
    assert!(accept.contains("gzip"), "Accept-Encoding was `{accept}`");
}

#[tokio::test]
async fn gzip_bomb_is_capped_on_decoded_bytes() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 4 * 1024 * 1024]).unwrap();
    let compressed = encoder.finish().unwrap();
    let router = Router::new().route(
        "/bomb",
        get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], compressed) }),
    );
    let url = format!("{}/bomb", serve(router).await);
    let options = FetchOptions {
        max_bytes: 1024 * 1024,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    assert!(matches!(error, FetchError::TooLarge { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("more than 1048576 bytes received"),
        "{error}"
    );
}

#[tokio::test]
async fn body_shorter_than_content_length_is_truncated_and_retried() {
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".to_vec();
    response.extend_from_slice(&[b'x'; 100]);
    let (base, connections) = serve_raw(response, Duration::ZERO).await;
    let url = format!("{base}/osv/all.zip");
    let options = FetchOptions {
        retries: 1,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    let FetchError::Truncated {
        attempts,
        received,
        expected,
        ..
    } = &error
    else {
        panic!("expected Truncated, got {error:?}");
    };
    assert_eq!((*attempts, *expected), (2, Some(1000)));
    assert!(*received <= 100, "received {received}");
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    let text = error.to_string();
    assert!(text.contains(&format!("`{url}`")), "{text}");
    assert!(
        text.contains("of the 1000 announced by Content-Length"),
        "{text}"
    );
}

#[tokio::test]
async fn server_error_then_success_is_retried() {
    let (base, hits) = counting(|n| match n {
        1 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        _ => "recovered".into_response(),
    })
    .await;
    let (bytes, _, _) = body(get_url(&format!("{base}/"), &quick()).await.unwrap());
    assert_eq!(bytes, b"recovered");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn server_error_forever_fails_after_retries_plus_one_attempts() {
    let (base, hits) = counting(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()).await;
    let url = format!("{base}/");
    let options = FetchOptions {
        retries: 3,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert!(
        matches!(
            error,
            FetchError::Status {
                code: 500,
                attempts: 4,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("`{url}` answered HTTP 500 Internal Server Error, expected 200 OK (4 attempts)")
    );
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let (base, hits) = counting(|_| StatusCode::NOT_FOUND.into_response()).await;
    let url = format!("{base}/");
    let error = get_url(&url, &quick()).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(
        matches!(
            error,
            FetchError::Status {
                code: 404,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains(&format!("`{url}`")) && text.contains("HTTP 404 Not Found"),
        "{text}"
    );
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_capped_at_backoff_max() {
    let (base, hits) = counting(|n| match n {
        1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "3600")],
        )
            .into_response(),
        _ => "ok".into_response(),
    })
    .await;
    let options = FetchOptions {
        backoff: Backoff {
            base: Duration::from_millis(1),
            max: Duration::from_millis(200),
        },
        ..quick()
    };
    let started = Instant::now();
    let (bytes, _, _) = body(get_url(&format!("{base}/"), &options).await.unwrap());
    let waited = started.elapsed();
    assert_eq!(
        (bytes.as_slice(), hits.load(Ordering::SeqCst)),
        (&b"ok"[..], 2)
    );
    // At least the cap (Retry-After was honoured, not the 1 ms backoff), far below an hour.
    assert!(waited >= Duration::from_millis(200), "waited {waited:?}");
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
}

#[tokio::test]
async fn slow_response_times_out() {
    let router = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "too late"
        }),
    );
    let url = format!("{}/slow", serve(router).await);
    let options = FetchOptions {
        timeout: Duration::from_millis(300),
        retries: 0,
        ..quick()
    };
    let started = Instant::now();
    let error = get_url(&url, &options).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            FetchError::Timeout {
                phase: "waiting for the response headers",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "`{url}`: no answer within 300ms while waiting for the response headers (1 attempt)"
        )
    );
}

#[tokio::test]
async fn stalled_body_times_out() {
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".to_vec();
    response.extend_from_slice(&[b'x'; 10]);
    let (base, connections) = serve_raw(response, Duration::from_secs(5)).await;
    let url = format!("{base}/stall");
    let options = FetchOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..quick()
    };
    let started = Instant::now();
    let error = get_url(&url, &options).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(
        error,
        FetchError::Timeout {
            phase: "reading the body",
            attempts: 2,
            ..
        }
    ));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    assert!(
        error
            .to_string()
            .starts_with(&format!("`{url}`: no answer within 300ms"))
    );
}

const ETAG: &str = "\"osv-2026-11-23\"";
const LAST_MODIFIED: &str = "Mon, 23 Nov 2026 18:56:00 GMT";

/// 304 when `If-None-Match` carries the ETag or `If-Modified-Since` the date, else 200 with both.
async fn conditional(headers: HeaderMap) -> Response {
    let sent = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if sent(header::IF_NONE_MATCH) == ETAG || sent(header::IF_MODIFIED_SINCE) == LAST_MODIFIED {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)],
        "feed v1",
    )
        .into_response()
}

#[tokio::test]
async fn conditional_requests_give_not_modified_on_304() {
    let url = format!(
        "{}/feed",
        serve(Router::new().route("/feed", get(conditional))).await
    );
    let options = quick();
    let client = vexil_connectors::client(&options).unwrap();
    let (bytes, validators, _) = body(fetch(&client, &url, &options, None).await.unwrap());
    assert_eq!(bytes, b"feed v1");
    let expected = Validators {
        etag: Some(ETAG.to_owned()),
        last_modified: Some(LAST_MODIFIED.to_owned()),
    };
    assert_eq!(validators, expected);

    let by_etag = Validators {
        etag: validators.etag.clone(),
        last_modified: None,
    };
    let by_date = Validators {
        etag: None,
        last_modified: validators.last_modified.clone(),
    };
    for previous in [&validators, &by_etag, &by_date] {
        let fetched = fetch(&client, &url, &options, Some(previous))
            .await
            .unwrap();
        assert_eq!(fetched, Fetched::NotModified, "with {previous:?}");
    }
    // A changed feed, or no validators at all, gets the body again.
    let stale = Validators {
        etag: Some("\"old\"".to_owned()),
        last_modified: None,
    };
    for previous in [&stale, &Validators::default()] {
        let (bytes, _, _) = body(
            fetch(&client, &url, &options, Some(previous))
                .await
                .unwrap(),
        );
        assert_eq!(bytes, b"feed v1", "with {previous:?}");
    }
}

#[tokio::test]
async fn body_over_max_bytes_with_content_length_is_refused_up_front() {
    let (base, hits) = counting(|_| vec![b'a'; 10_000].into_response()).await;
    let url = format!("{base}/");
    let options = FetchOptions {
        max_bytes: 1000,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "an oversized body is not retried"
    );
    assert_eq!(
        error.to_string(),
        format!("`{url}`: the body is larger than the limit of 1000 bytes (Content-Length: 10000)")
    );
}

#[tokio::test]
async fn body_over_max_bytes_without_content_length_is_abandoned_while_streaming() {
    // No Content-Length: the body runs until the server closes, which it would do only after
    // five seconds; finishing sooner proves the download stopped at the cap.
    let mut response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    response.extend_from_slice(&vec![b'a'; 100_000]);
    let (base, connections) = serve_raw(response, Duration::from_secs(5)).await;
    let url = format!("{base}/unbounded");
    let options = FetchOptions {
        max_bytes: 10_000,
        ..quick()
    };
    let started = Instant::now();
    let error = get_url(&url, &options).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert_eq!(
        error.to_string(),
        format!(
            "`{url}`: the body is larger than the limit of 10000 bytes (more than 10000 bytes received)"
        )
    );
}

#[tokio::test]
async fn closed_port_is_unreachable_after_retries() {
    let url = format!("http://127.0.0.1:{}/feed.json", closed_port().await);
    let options = FetchOptions {
        retries: 1,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    let FetchError::Unreachable {
        attempts: 2,
        reason,
        ..
    } = &error
    else {
        panic!("expected Unreachable after 2 attempts, got {error:?}");
    };
    assert!(reason.to_lowercase().contains("refused"), "{reason}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("could not connect to `{url}` after 2 attempts: "))
    );
}

#[tokio::test]
async fn redirects_are_followed_and_reported() {
    let router = Router::new()
        .route(
            "/latest",
            get(|| async { Redirect::temporary("/2026-11-23/all.zip") }),
        )
        .route("/2026-11-23/all.zip", get(|| async { "zip bytes" }));
    let base = serve(router).await;
    let (bytes, _, final_url) = body(get_url(&format!("{base}/latest"), &quick()).await.unwrap());
    assert_eq!(
        (bytes.as_slice(), final_url),
        (&b"zip bytes"[..], format!("{base}/2026-11-23/all.zip"))
    );
}

#[tokio::test]
async fn user_agent_names_vexil_and_its_version() {
    let router = Router::new().route(
        "/",
        get(|headers: HeaderMap| async move {
            headers
                .get(header::USER_AGENT)
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default()
        }),
    );
    let base = serve(router).await;
    let (bytes, _, _) = body(get_url(&format!("{base}/"), &quick()).await.unwrap());
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        format!("vexil/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn invalid_and_unsupported_urls_are_refused_without_a_request() {
    let options = quick();
    let error = get_url("ftp://127.0.0.1/osv/all.zip", &options)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "`ftp://127.0.0.1/osv/all.zip`: unsupported scheme `ftp`, expected `http` or `https`"
    );
    let error = get_url("http://", &options).await.unwrap_err();
    assert!(matches!(error, FetchError::InvalidUrl { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("`http://` is not a valid URL: "),
        "{error}"
    );
}

#[test]
fn is_url_tells_urls_from_paths() {
    for url in [
        "http://x",
        "https://osv-vulnerabilities.storage.googleapis.com/all.zip",
        "HTTPS://X",
    ] {
        assert!(is_url(url), "{url}");
    }
    for path in [
        "all.zip",
        "./http://x",
        "/tmp/https.zip",
        "ftp://x",
        "file:///x",
        "",
        "é",
    ] {
        assert!(!is_url(path), "{path}");
    }
}

#[test]
fn backoff_doubles_from_base_and_is_capped() {
    let backoff = Backoff {
        base: Duration::from_millis(500),
        max: Duration::from_secs(30),
    };
    let delays: Vec<_> = (0..8).map(|n| backoff.delay(n).as_millis()).collect();
    assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(30));
    assert_eq!(FetchOptions::default().backoff, backoff);
}

#[tokio::test]
async fn https_is_spoken_and_a_plain_http_peer_is_a_connection_failure() {
    // Proves the rustls provider is installed (reqwest would panic without one) and that TLS
    // failures surface as `Unreachable` with rustls' reason, not as a panic or a body.
    let base = serve(Router::new().route("/", get(|| async { "plain" }))).await;
    let url = base.replacen("http://", "https://", 1) + "/";
    let options = FetchOptions {
        retries: 0,
        ..quick()
    };
    let error = get_url(&url, &options).await.unwrap_err();
    let FetchError::Unreachable { attempts: 1, .. } = &error else {
        panic!("expected Unreachable, got {error:?}");
    };
    let text = error.to_string();
    let prefix = format!("could not connect to `{url}` after 1 attempt: ");
    assert!(
        text.starts_with(&prefix) && text.len() > prefix.len(),
        "{text}"
    );
}
