//! `FetchError`: why a download failed, naming the URL, what happened and what was expected.
//! Messages are self-contained (the underlying cause is folded into `reason`), so `{}` is enough.

use std::time::Duration;

/// Why [`fetch`](crate::fetch) or [`client`](crate::client) failed.
///
/// Every variant that comes from talking to a server names the URL that was requested (not the
/// final URL after redirects) and, where retries apply, how many attempts were made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The argument does not parse as a URL.
    #[error("`{url}` is not a valid URL: {reason}")]
    InvalidUrl {
        /// The argument as given.
        url: String,
        /// What the URL parser objected to.
        reason: String,
    },

    /// The URL parses but its scheme is not `http` or `https`.
    #[error("`{url}`: unsupported scheme `{scheme}`, expected `http` or `https`")]
    UnsupportedScheme {
        /// The argument as given.
        url: String,
        /// The scheme found, e.g. `ftp` or `file`.
        scheme: String,
    },

    /// No connection could be made (DNS failure, refused, unreachable network, TLS handshake).
    #[error("could not connect to `{url}` after {}: {reason}", tries(*.attempts))]
    Unreachable {
        /// The URL requested.
        url: String,
        /// Requests made, including the first.
        attempts: u32,
        /// The innermost cause, e.g. `Connection refused (os error 111)`.
        reason: String,
    },

    /// The server stayed silent for longer than allowed.
    #[error("`{url}`: no answer within {limit:?} while {phase} ({})", tries(*.attempts))]
    Timeout {
        /// The URL requested.
        url: String,
        /// Requests made, including the first.
        attempts: u32,
        /// The limit that was exceeded.
        limit: Duration,
        /// What was being waited for: `connecting`, `waiting for the response headers` or
        /// `reading the body`.
        phase: &'static str,
    },

    /// The server answered with a status other than `200 OK` (or `304` to a conditional request).
    #[error("`{url}` answered HTTP {status}, expected 200 OK ({})", tries(*.attempts))]
    Status {
        /// The URL requested.
        url: String,
        /// Requests made, including the first; 4xx other than 408 and 429 are never retried.
        attempts: u32,
        /// The status code, e.g. `404`.
        code: u16,
        /// Code and reason phrase for display, e.g. `404 Not Found`.
        status: String,
    },

    /// The body is larger than [`FetchOptions::max_bytes`](crate::FetchOptions::max_bytes); the
    /// download was aborted as soon as that was known. Not retried.
    #[error("`{url}`: the body is larger than the limit of {limit} bytes ({found})")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: u64,
        /// How it was noticed: `Content-Length: N` or `more than N bytes received`.
        found: String,
    },

    /// The body ended early: the connection closed mid-body (fewer bytes than `Content-Length`)
    /// or a gzip stream broke off. Retried.
    #[error("`{url}`: the body was cut off after {received} bytes{} ({}): {reason}", expected_suffix(.expected), tries(*.attempts))]
    Truncated {
        /// The URL requested.
        url: String,
        /// Requests made, including the first.
        attempts: u32,
        /// Bytes received (after gzip decoding, when the server used `Content-Encoding: gzip`).
        received: u64,
        /// The `Content-Length` the server announced, when it announced one.
        expected: Option<u64>,
        /// The innermost cause, e.g. `end of file before message length reached`.
        reason: String,
    },

    /// Any other failure of the HTTP exchange (too many redirects, a redirect from https to
    /// http, a malformed response, an invalid header value).
    #[error("`{url}`: the request failed ({}): {reason}", tries(*.attempts))]
    Request {
        /// The URL requested.
        url: String,
        /// Requests made, including the first.
        attempts: u32,
        /// The innermost cause.
        reason: String,
    },

    /// The HTTP client could not be built (e.g. the system's root certificates are unusable).
    #[error("could not set up the HTTP client: {reason}")]
    Client {
        /// The innermost cause.
        reason: String,
    },
}

/// The innermost cause of an error chain: reqwest's own message ("error sending request for url")
/// says nothing the user can act on; the OS or hyper error at the bottom does.
pub(crate) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    // Bounded: error chains are short, but a cyclic `source()` must not hang us.
    for _ in 0..32 {
        match current.source() {
            Some(next) => current = next,
            None => break,
        }
    }
    current.to_string()
}

/// `" of the N announced by Content-Length"`, or nothing when there was no `Content-Length`.
fn expected_suffix(expected: &Option<u64>) -> String {
    match expected {
        Some(length) => format!(" of the {length} announced by Content-Length"),
        None => String::new(),
    }
}

/// `1 attempt`, `4 attempts`.
fn tries(attempts: u32) -> String {
    match attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    }
}
