//! Outputs and the policies that shape them: severity authority (and, to come, SLA, the gate
//! and VEX).

pub mod severity;
pub mod vex;
