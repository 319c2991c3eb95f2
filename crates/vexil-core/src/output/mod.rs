//! Outputs and the policies that shape them: severity authority, SLA due dates, the release
//! gate with its acknowledged-and-deferred list, and VEX documents out and in.

pub mod deferred;
pub mod escape;
pub mod gate;
pub mod severity;
pub mod sla;
pub mod vex;
