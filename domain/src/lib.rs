//! The domain model and its rules, shared by the browser (WASM) and the server.
//!
//! Nothing here touches I/O: persistence lives in `db`, presentation in `app`.

pub mod access;
pub mod activity;
pub mod audit;
pub mod builder;
pub mod compilation;
pub mod dashboard;
pub mod dialogue;
pub mod progress;
pub mod promise;
pub mod register;
pub mod stats;
pub mod suppress;
pub mod survey;
pub mod text;
pub mod themes;
pub mod time;

pub use access::*;
pub use register::*;
pub use stats::*;
pub use survey::*;
pub use text::{Lang, LocalizedText};
