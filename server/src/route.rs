//! How a handler module declares a plain route (`ROUTES`): its name, method, path, access and
//! how the guard treats someone signed out. `routes.rs` gathers the declarations.

use crate::ServerState;
use app::access::Access;
use axum::routing::MethodRouter;

/// Whether a declared route's figures rest on what people answered (the suppression tests
/// call every `Yes` with small datasets).
pub use app::access::Aggregates;

/// What the guard does with a request from someone signed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedOut {
    /// Refuse it: a GET is sent to sign in and comes back, anything else to sign in.
    Refuse,
    /// Let the handler answer (it keeps what was typed, then sends the user to sign in).
    /// Someone signed in without the permission is still refused by the guard.
    Handler,
}

/// A plain (non-Leptos) route, declared once beside its handler: the router builds itself
/// from these, the guard enforces `access`, and the access-matrix, hostile and suppression
/// tests read the same list ([`crate::routes::plain_routes`]).
#[derive(Clone, Copy, Debug)]
pub struct PlainRoute {
    /// The handler's name (tests pick a body by it).
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub aggregates: Aggregates,
    pub signed_out: SignedOut,
    pub handler: fn() -> MethodRouter<ServerState>,
}

impl PlainRoute {
    pub const fn get(
        name: &'static str,
        path: &'static str,
        access: Access,
        handler: fn() -> MethodRouter<ServerState>,
    ) -> PlainRoute {
        PlainRoute {
            name,
            method: "GET",
            path,
            access,
            aggregates: Aggregates::No,
            signed_out: SignedOut::Refuse,
            handler,
        }
    }

    pub const fn post(
        name: &'static str,
        path: &'static str,
        access: Access,
        handler: fn() -> MethodRouter<ServerState>,
    ) -> PlainRoute {
        PlainRoute {
            method: "POST",
            ..PlainRoute::get(name, path, access, handler)
        }
    }

    /// The route's figures rest on what people answered.
    pub const fn aggregating(self) -> PlainRoute {
        PlainRoute {
            aggregates: Aggregates::Yes,
            ..self
        }
    }

    /// The handler answers someone signed out itself (see [`SignedOut::Handler`]).
    pub const fn keeps_draft_when_signed_out(self) -> PlainRoute {
        PlainRoute {
            signed_out: SignedOut::Handler,
            ..self
        }
    }
}
