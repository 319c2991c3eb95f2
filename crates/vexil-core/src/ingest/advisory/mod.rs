//! Advisory feeds, one parser per feed: OSV, NVD, Debian, Alpine; and the enrichment feeds
//! KEV and EPSS. Each is pure: bytes plus a display name in, records plus warnings out.

pub mod alpine;
pub mod apkindex;
pub mod debian;
pub mod debian_list;
pub mod epss;
pub mod kev;
pub mod nvd;
pub mod osv;
