//! Who may call what: one table for pages and one for server functions. The access-matrix test
//! reads these tables and the registries the code builds, so an endpoint missing here fails it.
//! Pages and server functions check in `ssr::require`/`ssr::check`; plain routes are checked
//! by the router's guard (`server::guard`) from their declarations.

use crate::paths;
use domain::{Permission, Role};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    /// A signed-in staff member whose role holds the permission.
    Staff(Permission),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match self {
            Access::Public => true,
            Access::Staff(permission) => role.is_some_and(|r| r.may(permission)),
        }
    }
}

/// Leptos pages, by their route path (axum syntax).
pub const PAGES: &[(&str, Access)] = &[
    (paths::HOME, Access::Public),
    (paths::SURVEY, Access::Public),
    (paths::SURVEY_THANKS, Access::Public),
    (paths::PRIVACY, Access::Public),
    (paths::ACCESSIBILITY, Access::Public),
    (paths::LOGIN, Access::Public),
    (paths::FORGOT_PASSWORD, Access::Public),
    (paths::SET_PASSWORD, Access::Public),
    (paths::STAFF, Access::Staff(Permission::SeeAnswers)),
    (paths::REGISTER, Access::Staff(Permission::ReadRegister)),
    (paths::PAPER, Access::Staff(Permission::EnterPaper)),
    (paths::DASHBOARD, Access::Staff(Permission::SeeAnswers)),
    (paths::AUDIT, Access::Staff(Permission::ReadAudit)),
    (paths::USERS, Access::Staff(Permission::Administer)),
    (paths::USER, Access::Staff(Permission::Administer)),
    (paths::ORG, Access::Staff(Permission::Administer)),
    // Any signed-in staff member; the anonymous are sent to sign in.
    (paths::CHANGE_PASSWORD, Access::Staff(Permission::SignedIn)),
    // Citizen dialogues (issue #4, staff side).
    (paths::SURVEY_POSTER, Access::Public),
    (paths::DIALOGUES, Access::Staff(Permission::BuildDialogues)),
    (paths::DIALOGUE, Access::Staff(Permission::BuildDialogues)),
    (paths::BANK, Access::Staff(Permission::Administer)),
    // Live dashboards (issue #5). A wall screen opens through its display link, not a session.
    (paths::REGION, Access::Staff(Permission::SeeRegion)),
    (paths::DISPLAY, Access::Public),
    // Theme coding (issue #6).
    (paths::CODING, Access::Staff(Permission::Code)),
    (paths::COMPILATION, Access::Staff(Permission::SeeAnswers)),
    // The public follow-up page (no login).
    (paths::PROMISE, Access::Public),
    (paths::PROMISES, Access::Staff(Permission::ReadPromises)),
    (
        paths::STAFF_PROMISE,
        Access::Staff(Permission::ReadPromises),
    ),
];

/// Server functions, by path.
pub const SERVER_FNS: &[(&str, Access)] = &[
    ("/api/public/open_dialogues", Access::Public),
    ("/api/public/survey", Access::Public),
    ("/api/public/submit", Access::Public),
    (
        "/api/staff/dialogue_counts",
        Access::Staff(Permission::SeeAnswers),
    ),
    ("/api/staff/overdue", Access::Staff(Permission::SeeAnswers)),
    (
        "/api/staff/register",
        Access::Staff(Permission::ReadRegister),
    ),
    (
        "/api/staff/paper_form",
        Access::Staff(Permission::EnterPaper),
    ),
    (
        "/api/staff/dashboard",
        Access::Staff(Permission::SeeAnswers),
    ),
    ("/api/staff/audit", Access::Staff(Permission::ReadAudit)),
    ("/api/admin/users", Access::Staff(Permission::Administer)),
    ("/api/admin/org", Access::Staff(Permission::Administer)),
    // Citizen dialogues (issue #4, staff side).
    ("/api/public/poster", Access::Public),
    (
        "/api/staff/dialogues",
        Access::Staff(Permission::BuildDialogues),
    ),
    (
        "/api/staff/dialogue",
        Access::Staff(Permission::BuildDialogues),
    ),
    ("/api/admin/bank", Access::Staff(Permission::Administer)),
    // Live dashboards (issue #5).
    ("/api/public/display", Access::Public),
    ("/api/staff/regional", Access::Staff(Permission::SeeRegion)),
    // Theme coding (issue #6).
    ("/api/staff/coding", Access::Staff(Permission::Code)),
    (
        "/api/staff/compilation",
        Access::Staff(Permission::SeeAnswers),
    ),
    ("/api/public/promise", Access::Public),
    (
        "/api/staff/promises",
        Access::Staff(Permission::ReadPromises),
    ),
    (
        "/api/staff/promise",
        Access::Staff(Permission::ReadPromises),
    ),
];

pub fn page_access(path: &str) -> Option<Access> {
    PAGES.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}

pub fn server_fn_access(path: &str) -> Option<Access> {
    SERVER_FNS.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}

/// Whether an endpoint returns aggregates of what people answered (or response counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregates {
    Yes,
    No,
}

/// Every server function, classified: the suppression property test calls each `Yes` with
/// random small datasets, and fails on an endpoint missing here. (Plain routes carry their
/// class in their declaration, `server::route::PlainRoute`.)
pub const AGGREGATES: &[(&str, Aggregates)] = &[
    // Server functions.
    ("/api/public/open_dialogues", Aggregates::No),
    ("/api/public/survey", Aggregates::No),
    ("/api/public/submit", Aggregates::No),
    ("/api/public/poster", Aggregates::No),
    ("/api/public/display", Aggregates::Yes),
    ("/api/staff/dialogue_counts", Aggregates::Yes),
    // Progress against targets (what staff did), no answer figures.
    ("/api/staff/overdue", Aggregates::No),
    ("/api/staff/dashboard", Aggregates::Yes),
    ("/api/staff/regional", Aggregates::Yes),
    ("/api/staff/register", Aggregates::No),
    ("/api/staff/paper_form", Aggregates::No),
    ("/api/staff/audit", Aggregates::No),
    ("/api/staff/dialogues", Aggregates::No),
    ("/api/staff/dialogue", Aggregates::No),
    ("/api/admin/users", Aggregates::No),
    ("/api/admin/org", Aggregates::No),
    ("/api/admin/bank", Aggregates::No),
    // The coder's working view: the raw answers themselves, to the officers of their LPO
    // whose job is to read them (no figure about other people beyond what is on screen).
    ("/api/staff/coding", Aggregates::No),
    ("/api/staff/compilation", Aggregates::Yes),
    ("/api/public/promise", Aggregates::Yes),
    // Progress on activities (what staff did); no answer figures.
    ("/api/staff/promises", Aggregates::No),
    ("/api/staff/promise", Aggregates::No),
];

pub fn aggregates(path: &str) -> Option<Aggregates> {
    AGGREGATES.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}
