//! Who may call what: one table for pages and one for server functions. The access-matrix test
//! reads these tables and the registries the code builds, so an endpoint missing here fails it.
//! The checks themselves run in each server function and page (`ssr::require`/`ssr::check`).

use crate::pages::admin::{ADMIN_ROLES, AUDIT_ROLES};
use crate::pages::auth::{ALL_ROLES, ANSWER_ROLES};
use crate::pages::coding::CODING_ROLES;
use crate::pages::dashboard::REGIONAL_ROLES;
use crate::pages::dialogues::BUILDER_ROLES;
use crate::pages::paper::PAPER_ROLES;
use crate::pages::promises::PROMISE_ROLES;
use domain::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match self {
            Access::Public => true,
            Access::Roles(roles) => role.is_some_and(|r| roles.contains(&r)),
        }
    }
}

/// Leptos pages, by their route path (axum syntax).
pub const PAGES: &[(&str, Access)] = &[
    ("/", Access::Public),
    ("/s/{code}", Access::Public),
    ("/s/{code}/tack", Access::Public),
    ("/integritet", Access::Public),
    ("/tillganglighet", Access::Public),
    ("/logga-in", Access::Public),
    ("/personal", Access::Roles(ANSWER_ROLES)),
    ("/personal/overenskommelser", Access::Roles(ALL_ROLES)),
    ("/personal/papper/{code}", Access::Roles(PAPER_ROLES)),
    ("/personal/oversikt/{dialogue}", Access::Roles(ANSWER_ROLES)),
    ("/personal/logg", Access::Roles(AUDIT_ROLES)),
    ("/personal/anvandare", Access::Roles(ADMIN_ROLES)),
    ("/personal/organisation", Access::Roles(ADMIN_ROLES)),
    // Any signed-in staff member; the anonymous are sent to sign in.
    ("/byt-losenord", Access::Roles(ALL_ROLES)),
    // Citizen dialogues (issue #4, staff side).
    ("/s/{code}/affisch", Access::Public),
    ("/personal/dialoger", Access::Roles(BUILDER_ROLES)),
    (
        "/personal/dialoger/{dialogue}",
        Access::Roles(BUILDER_ROLES),
    ),
    ("/personal/fragebank", Access::Roles(ADMIN_ROLES)),
    // Live dashboards (issue #5). A wall screen opens through its display link, not a session.
    ("/personal/region", Access::Roles(REGIONAL_ROLES)),
    ("/visning/{token}", Access::Public),
    // Theme coding (issue #6).
    ("/personal/kodning/{dialogue}", Access::Roles(CODING_ROLES)),
    (
        "/personal/sammanstallning/{dialogue}",
        Access::Roles(ANSWER_ROLES),
    ),
    // The public follow-up page (no login).
    ("/lofte/{municipality}", Access::Public),
    ("/personal/lofte", Access::Roles(PROMISE_ROLES)),
    ("/personal/lofte/{promise}", Access::Roles(PROMISE_ROLES)),
];

/// Server functions, by path.
pub const SERVER_FNS: &[(&str, Access)] = &[
    ("/api/public/open_dialogues", Access::Public),
    ("/api/public/survey", Access::Public),
    ("/api/public/submit", Access::Public),
    ("/api/staff/dialogue_counts", Access::Roles(ANSWER_ROLES)),
    ("/api/staff/overdue", Access::Roles(ANSWER_ROLES)),
    ("/api/staff/register", Access::Roles(ALL_ROLES)),
    ("/api/staff/paper_form", Access::Roles(PAPER_ROLES)),
    ("/api/staff/dashboard", Access::Roles(ANSWER_ROLES)),
    ("/api/staff/audit", Access::Roles(AUDIT_ROLES)),
    ("/api/admin/users", Access::Roles(ADMIN_ROLES)),
    ("/api/admin/org", Access::Roles(ADMIN_ROLES)),
    // Citizen dialogues (issue #4, staff side).
    ("/api/public/poster", Access::Public),
    ("/api/staff/dialogues", Access::Roles(BUILDER_ROLES)),
    ("/api/staff/dialogue", Access::Roles(BUILDER_ROLES)),
    ("/api/admin/bank", Access::Roles(ADMIN_ROLES)),
    // Live dashboards (issue #5).
    ("/api/public/display", Access::Public),
    ("/api/staff/regional", Access::Roles(REGIONAL_ROLES)),
    // Theme coding (issue #6).
    ("/api/staff/coding", Access::Roles(CODING_ROLES)),
    ("/api/staff/compilation", Access::Roles(ANSWER_ROLES)),
    ("/api/public/promise", Access::Public),
    ("/api/staff/promises", Access::Roles(PROMISE_ROLES)),
    ("/api/staff/promise", Access::Roles(PROMISE_ROLES)),
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

/// Every server function and plain route, classified: the suppression property test calls
/// each `Yes` with random small datasets, and fails on an endpoint missing here.
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
    // Plain routes: the live streams carry the dashboards' aggregates; the rest are forms,
    // the QR code and the health check.
    ("/personal/oversikt/{dialogue}/live", Aggregates::Yes),
    ("/visning/{token}/live", Aggregates::Yes),
    ("/healthz", Aggregates::No),
    ("/s/{code}", Aggregates::No),
    ("/s/{code}/qr.svg", Aggregates::No),
    ("/personal/papper/{code}", Aggregates::No),
    ("/logga-in", Aggregates::No),
    ("/logga-ut", Aggregates::No),
    ("/personal/overenskommelser", Aggregates::No),
    ("/personal/anvandare", Aggregates::No),
    ("/personal/anvandare/{id}/losenord", Aggregates::No),
    ("/personal/anvandare/{id}/aktiv", Aggregates::No),
    ("/personal/organisation", Aggregates::No),
    ("/personal/overenskommelser/{uid}/status", Aggregates::No),
    ("/personal/specialomraden/tilldela", Aggregates::No),
    ("/personal/specialomraden", Aggregates::No),
    ("/byt-losenord", Aggregates::No),
    ("/personal/dialoger", Aggregates::No),
    ("/personal/dialoger/{dialogue}/fragor", Aggregates::No),
    ("/personal/dialoger/{dialogue}/fragor/bank", Aggregates::No),
    (
        "/personal/dialoger/{dialogue}/fragor/{question}",
        Aggregates::No,
    ),
    (
        "/personal/dialoger/{dialogue}/fragor/{question}/flytta",
        Aggregates::No,
    ),
    (
        "/personal/dialoger/{dialogue}/fragor/{question}/ta-bort",
        Aggregates::No,
    ),
    ("/personal/dialoger/{dialogue}/kiosk", Aggregates::No),
    (
        "/personal/dialoger/{dialogue}/kiosk/{kiosk}/aterkalla",
        Aggregates::No,
    ),
    ("/personal/fragebank", Aggregates::No),
    ("/personal/fragebank/{item}", Aggregates::No),
    ("/personal/oversikt/{dialogue}/karantan", Aggregates::No),
    (
        "/personal/oversikt/{dialogue}/karantan/{id}/slapp",
        Aggregates::No,
    ),
    (
        "/personal/oversikt/{dialogue}/svar/{answer}/dolj",
        Aggregates::No,
    ),
    ("/personal/kodning/{dialogue}/teman", Aggregates::No),
    ("/personal/kodning/{dialogue}/{answer}", Aggregates::No),
    (
        "/personal/sammanstallning/{dialogue}/godkann",
        Aggregates::No,
    ),
    ("/personal/sammanstallning/{dialogue}/citat", Aggregates::No),
    (
        "/personal/sammanstallning/{dialogue}/citat/{answer}/ta-bort",
        Aggregates::No,
    ),
    (
        "/personal/sammanstallning/{dialogue}/export/{format}",
        Aggregates::Yes,
    ),
    (
        "/personal/sammanstallning/{dialogue}/gallring",
        Aggregates::No,
    ),
    // Raw text for the confidentiality review: staff only, no figures.
    (
        "/personal/sammanstallning/{dialogue}/fritext.csv",
        Aggregates::No,
    ),
    // Progress updates only (what staff did), no answer figures.
    ("/lofte/{municipality}/flode", Aggregates::No),
    ("/personal/lofte", Aggregates::No),
    ("/personal/lofte/{promise}/signera", Aggregates::No),
    ("/personal/lofte/{promise}/andra", Aggregates::No),
    ("/personal/lofte/{promise}/overenskommelser", Aggregates::No),
    ("/personal/lofte/{promise}/steg", Aggregates::No),
    ("/personal/lofte/{promise}/aktivitet", Aggregates::No),
    (
        "/personal/lofte/{promise}/aktivitet/{activity}/framsteg",
        Aggregates::No,
    ),
    (
        "/personal/lofte/{promise}/aktivitet/{activity}/status",
        Aggregates::No,
    ),
    (
        "/personal/lofte/{promise}/framsteg/{entry}/ratta",
        Aggregates::No,
    ),
];

pub fn aggregates(path: &str) -> Option<Aggregates> {
    AGGREGATES.iter().find(|(p, _)| *p == path).map(|(_, a)| *a)
}
