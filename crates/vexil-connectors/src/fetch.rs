//! Downloading one feed by URL: retries with capped exponential backoff, per-phase timeouts, a
//! size cap enforced while streaming, and conditional requests. Returns bytes; never parses them.

use std::time::Duration;

use reqwest::header::{
    CONTENT_LENGTH, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
    USER_AGENT,
};
use reqwest::{Client, Response, StatusCode, Url, redirect};

use crate::error::{FetchError, innermost};

/// Redirects followed before giving up (the same limit as curl's and reqwest's default).
const MAX_REDIRECTS: usize = 10;
/// The most memory reserved up front from a `Content-Length`: a hostile server may announce a
/// large body and send nothing, so beyond this the buffer grows only as bytes arrive.
const MAX_PREALLOCATION: u64 = 64 * 1024 * 1024;

/// Delay before retry `n` (0-based): `base * 2^n`, never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay before the first retry.
    pub base: Duration,
    /// The longest delay, also the cap on a server's `Retry-After`.
    pub max: Duration,
}

impl Backoff {
    /// The delay before retry `retry` (0 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// How [`fetch`] behaves. `connect_timeout` and the default `user_agent` are applied by [`client`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The longest silence tolerated: waiting for the response headers, then between two chunks of
    /// the body. An idle limit, not a total one, so a multi-gigabyte feed on a slow but steady
    /// link still completes.
    pub timeout: Duration,
    /// The longest wait for a TCP (and TLS) connection; set on the [`Client`] by [`client`].
    pub connect_timeout: Duration,
    /// Retries after the first attempt, on connection failures, timeouts, truncated bodies and
    /// HTTP 5xx, 408 and 429. Other 4xx and oversized bodies are never retried.
    pub retries: u32,
    /// Delay between retries, unless the server sends `Retry-After: <seconds>` (capped at
    /// `backoff.max`).
    pub backoff: Backoff,
    /// The largest body accepted, in bytes, after gzip decoding. Checked against `Content-Length`
    /// before reading and again while streaming, so an oversized body is abandoned early.
    pub max_bytes: u64,
    /// Sent as `User-Agent` on every request.
    pub user_agent: String,
}

impl Default for FetchOptions {
    /// 60 s idle timeout, 10 s connect timeout, 3 retries from 500 ms doubling up to 30 s, 2 GiB
    /// cap (the OSV `all.zip` of the largest ecosystems is well under that), `vexil/<version>`.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Backoff {
                base: Duration::from_millis(500),
                max: Duration::from_secs(30),
            },
            max_bytes: 2 * 1024 * 1024 * 1024,
            user_agent: concat!("vexil/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// The cache validators of a previous download, sent back as `If-None-Match` and
/// `If-Modified-Since` so an unchanged feed costs one `304 Not Modified` and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, verbatim (quotes and `W/` prefix included).
    pub etag: Option<String>,
    /// The `Last-Modified` header, verbatim.
    pub last_modified: Option<String>,
}

impl Validators {
    fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            etag: text(ETAG),
            last_modified: text(LAST_MODIFIED),
        }
    }

    fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What [`fetch`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server answered `304 Not Modified` to the validators passed in: keep the old copy.
    NotModified,
    /// A complete `200 OK` body.
    Body {
        /// The body, gzip-decoded when the server sent `Content-Encoding: gzip`. A `.gz` file
        /// served as `application/gzip` is *not* decoded: the feed parsers detect gzip themselves.
        bytes: Vec<u8>,
        /// Validators to pass to the next [`fetch`] of the same URL.
        validators: Validators,
        /// The URL the body came from, after redirects.
        final_url: String,
    },
}

/// Whether a command-line argument is an `http://` or `https://` URL rather than a file path
/// (scheme compared case-insensitively).
pub fn is_url(arg: &str) -> bool {
    let starts = |prefix: &str| {
        arg.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// Builds the HTTP client to share between fetches (it pools connections): rustls with the
/// system's root certificates, gzip, `options.connect_timeout` and `options.user_agent`, and
/// redirects followed up to 10 times but never from https down to http.
pub fn client(options: &FetchOptions) -> Result<Client, FetchError> {
    // reqwest's default rustls provider is aws-lc-rs, whose C library (aws-lc-sys) took ~37 s of
    // a cold dev build on our 2-core machines against ~9 s for ring: `rustls-no-provider` plus
    // rustls' `ring` gives the same TLS 1.2/1.3 for a quarter of the build. reqwest then uses the
    // process-wide default provider, installed here. Explicit installation also keeps working if
    // another crate enables a second provider (rustls then refuses to pick one itself). An `Err`
    // means a provider is already installed (an earlier call, or the embedding program): keep it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .connect_timeout(options.connect_timeout)
        .user_agent(options.user_agent.as_str())
        .redirect(redirect::Policy::custom(follow_redirect))
        .build()
        .map_err(|e| FetchError::Client {
            reason: innermost(&e),
        })
}

fn follow_redirect(attempt: redirect::Attempt<'_>) -> redirect::Action {
    let downgrade = attempt.url().scheme() == "http"
        && attempt
            .previous()
            .last()
            .is_some_and(|from| from.scheme() == "https");
    if downgrade {
        attempt.error("refusing to follow a redirect from https to http")
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}

/// Downloads `url` with `client` (see [`client`]), retrying transient failures.
///
/// With `previous` validators the request is conditional and a `304` yields
/// [`Fetched::NotModified`]. Only `http` and `https` URLs are accepted. The whole body is held in
/// memory, at most `options.max_bytes` of it.
pub async fn fetch(
    client: &Client,
    url: &str,
    options: &FetchOptions,
    previous: Option<&Validators>,
) -> Result<Fetched, FetchError> {
    let parsed = parse_url(url)?;
    let previous = previous.filter(|v| !v.is_empty());
    let mut attempt = 1;
    loop {
        let failure = match fetch_once(client, &parsed, url, options, previous, attempt).await {
            Ok(fetched) => return Ok(fetched),
            Err(failure) => failure,
        };
        let (error, retry_after) = match failure {
            Failure::Fatal(error) => return Err(error),
            Failure::Retry { error, retry_after } => (error, retry_after),
        };
        // Bounded: `attempt` grows by one per turn and we stop once it passes `retries`.
        if attempt > options.retries {
            return Err(error);
        }
        let delay = match retry_after {
            Some(wanted) => wanted.min(options.backoff.max),
            None => options.backoff.delay(attempt - 1),
        };
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// One attempt's failure: worth retrying (with the server's `Retry-After`, if any) or not.
enum Failure {
    Retry {
        error: FetchError,
        retry_after: Option<Duration>,
    },
    Fatal(FetchError),
}

impl Failure {
    fn retry(error: FetchError) -> Self {
        Failure::Retry {
            error,
            retry_after: None,
        }
    }
}

fn parse_url(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        scheme => Err(FetchError::UnsupportedScheme {
            url: url.to_owned(),
            scheme: scheme.to_owned(),
        }),
    }
}

async fn fetch_once(
    client: &Client,
    parsed: &Url,
    url: &str,
    options: &FetchOptions,
    previous: Option<&Validators>,
    attempts: u32,
) -> Result<Fetched, Failure> {
    let mut request = client
        .get(parsed.clone())
        .header(USER_AGENT, options.user_agent.as_str());
    if let Some(previous) = previous {
        if let Some(etag) = &previous.etag {
            request = request.header(IF_NONE_MATCH, etag.as_str());
        }
        if let Some(last_modified) = &previous.last_modified {
            request = request.header(IF_MODIFIED_SINCE, last_modified.as_str());
        }
    }
    let timeout = |phase, limit| FetchError::Timeout {
        url: url.to_owned(),
        attempts,
        limit,
        phase,
    };
    let sent = tokio::time::timeout(options.timeout, request.send()).await;
    let response = match sent {
        Ok(Ok(response)) => response,
        Ok(Err(e)) if !e.is_timeout() => return Err(send_failure(&e, url, attempts)),
        Ok(Err(e)) if e.is_connect() => {
            return Err(Failure::retry(timeout(
                "connecting",
                options.connect_timeout,
            )));
        }
        // Our own limit elapsed, or reqwest's (none is set on the client, but be total).
        Err(_) | Ok(Err(_)) => {
            let phase = "waiting for the response headers";
            return Err(Failure::retry(timeout(phase, options.timeout)));
        }
    };
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED && previous.is_some() {
        return Ok(Fetched::NotModified);
    }
    if status != StatusCode::OK {
        return Err(status_failure(&response, url, attempts));
    }
    read_body(response, url, options, attempts).await
}

/// A `send` error other than a timeout: refused or unresolvable hosts are `Unreachable`;
/// bad redirects and invalid headers are fatal; anything else (a reset connection) is retried.
fn send_failure(error: &reqwest::Error, url: &str, attempts: u32) -> Failure {
    let reason = innermost(error);
    if error.is_connect() {
        return Failure::retry(FetchError::Unreachable {
            url: url.to_owned(),
            attempts,
            reason,
        });
    }
    let failed = FetchError::Request {
        url: url.to_owned(),
        attempts,
        reason,
    };
    if error.is_redirect() || error.is_builder() {
        Failure::Fatal(failed)
    } else {
        Failure::retry(failed)
    }
}

/// A status other than 200: 5xx, 408 and 429 are retried (honouring `Retry-After: <seconds>`),
/// every other status is final.
fn status_failure(response: &Response, url: &str, attempts: u32) -> Failure {
    let status = response.status();
    let error = FetchError::Status {
        url: url.to_owned(),
        attempts,
        code: status.as_u16(),
        status: status.to_string(),
    };
    let transient = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    if !transient {
        return Failure::Fatal(error);
    }
    // RFC 9110 §10.2.3: delay-seconds or an HTTP-date; only the first is honoured, an HTTP-date
    // falls back to our own backoff (reading it would need the clock and a date parser).
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Failure::Retry { error, retry_after }
}

/// Streams the body into memory, enforcing the idle timeout and `max_bytes` on every chunk.
async fn read_body(
    mut response: Response,
    url: &str,
    options: &FetchOptions,
    attempts: u32,
) -> Result<Fetched, Failure> {
    let too_large = |found: String| {
        Failure::Fatal(FetchError::TooLarge {
            url: url.to_owned(),
            limit: options.max_bytes,
            found,
        })
    };
    // reqwest drops `Content-Length` from `content_length()` when it decodes gzip (the header
    // counts compressed bytes); the raw header still bounds the compressed size.
    let announced = response
        .content_length()
        .or_else(|| header_length(response.headers()));
    if let Some(length) = announced.filter(|&length| length > options.max_bytes) {
        return Err(too_large(format!("Content-Length: {length}")));
    }
    let expected = response.content_length();
    let validators = Validators::from_headers(response.headers());
    let final_url = response.url().to_string();
    let capacity = expected
        .unwrap_or(0)
        .min(options.max_bytes)
        .min(MAX_PREALLOCATION);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let cut_off = |received: usize, reason: String| {
        Failure::retry(FetchError::Truncated {
            url: url.to_owned(),
            attempts,
            received: received as u64,
            expected,
            reason,
        })
    };
    // Bounded: each turn consumes a chunk of a body capped at `max_bytes`, or waits at most
    // `timeout`; the stream ends, fails or times out.
    loop {
        let chunk = match tokio::time::timeout(options.timeout, response.chunk()).await {
            Err(_elapsed) => {
                return Err(Failure::retry(FetchError::Timeout {
                    url: url.to_owned(),
                    attempts,
                    limit: options.timeout,
                    phase: "reading the body",
                }));
            }
            Ok(Err(e)) => return Err(cut_off(bytes.len(), innermost(&e))),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => chunk,
        };
        if (bytes.len() + chunk.len()) as u64 > options.max_bytes {
            return Err(too_large(format!(
                "more than {} bytes received",
                options.max_bytes
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    // hyper already fails a body that ends before its Content-Length; this keeps the guarantee
    // independent of the transport underneath.
    if expected.is_some_and(|length| (bytes.len() as u64) < length) {
        return Err(cut_off(
            bytes.len(),
            "the connection closed early".to_owned(),
        ));
    }
    Ok(Fetched::Body {
        bytes,
        validators,
        final_url,
    })
}

fn header_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}
