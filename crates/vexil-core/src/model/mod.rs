//! The one typed model every stage shares: advisories (OSV shape), enrichment, alias groups.

pub mod advisory;
pub mod alias;
pub mod enrichment;

pub use advisory::{
    Advisory, Affected, CpeConfiguration, CpeMatch, CpeNode, DistroNote, Event, Feed, NvdData,
    Package, Range, RangeKind, Reference, Severity, SeverityKind,
};
pub use alias::AliasGroups;
pub use enrichment::{EpssScore, KevEntry};
