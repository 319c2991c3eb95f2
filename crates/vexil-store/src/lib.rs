//! Vexil's state: one [`Store`] over SQLite (embedded, the default) and PostgreSQL, with the
//! same behaviour on both. Every import is one transaction: it lands whole or not at all.

mod error;
mod feeds;
mod findings;
mod inventory;
mod store;

pub use error::StoreError;
pub use feeds::{
    FeedSummary, Import, ImportReport, Prepared, SourceReport, cmp_modified, later_modified,
    newest_in, prepare,
};
pub use findings::{
    DecisionWrite, FindingEvent, FindingFilter, RuleSubject, ScanEvent, ScanReport, StoredFinding,
};
pub use inventory::{
    HistoryEntry, InventoryReport, NewDocument, ReleaseInventory, ReleaseSummary, StoredDocument,
};
pub use store::{Backend, DEFAULT_SQLITE_URL, Store};
