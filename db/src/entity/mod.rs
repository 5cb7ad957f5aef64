//! SeaORM entities. An entity never crosses the wire: services map them to domain types.

pub mod answer;
pub mod dialogue;
pub mod dialogue_group;
pub mod dialogue_municipality;
pub mod org_unit;
pub mod question;
pub mod response;
pub mod submission;
pub mod tally;
pub mod target_group;
