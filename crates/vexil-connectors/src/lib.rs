//! Vexil's network edge: [`fetch`] downloads one advisory feed by URL (retries, timeouts, a size
//! cap, conditional requests) and hands back the bytes. Parsing them is `vexil-core`'s job.

mod error;
mod fetch;

pub use error::FetchError;
pub use fetch::{Backoff, FetchOptions, Fetched, Validators, client, fetch, is_url};
/// The HTTP client [`client`] builds; share one per process (it pools connections).
pub use reqwest::Client;
