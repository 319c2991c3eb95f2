//! The one typed model every stage shares: advisories (OSV shape), enrichment, alias groups,
//! inventory (components, dependencies, scanner evidence) and package URLs.

pub mod advisory;
pub mod alias;
pub mod decision;
pub mod enrichment;
pub mod finding;
pub mod inventory;
pub mod purl;

pub use advisory::{
    Advisory, Affected, CpeConfiguration, CpeMatch, CpeNode, DistroNote, Event, Feed, NvdData,
    Package, Range, RangeKind, Reference, Severity, SeverityKind,
};
pub use alias::AliasGroups;
pub use enrichment::{EpssScore, KevEntry};
pub use inventory::{
    ChangeKind, Component, Dependency, Hash, Inventory, InventoryChange, ReleaseId, ScannerFinding,
    Scope, SourcePackage,
};
pub use purl::{Purl, PurlError};
