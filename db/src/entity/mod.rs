//! SeaORM entities. An entity never crosses the wire: services map them to domain types.

pub mod agreement;
pub mod answer;
pub mod audit_log;
pub mod bank_item;
pub mod browser_seen;
pub mod dialogue;
pub mod dialogue_group;
pub mod dialogue_municipality;
pub mod kiosk;
pub mod officer_special_area;
pub mod org_unit;
pub mod published_snapshot;
pub mod quarantine;
pub mod question;
pub mod question_meta;
pub mod question_revision;
pub mod response;
pub mod session;
pub mod special_area;
pub mod staff_user;
pub mod submission;
pub mod tally;
pub mod tally_hour;
pub mod target_group;
