//! Staff roles, each scoped to a part of the organisation tree.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// One region: sees every LPO in it, edits none of their content.
    RegionalManager,
    /// One LPO (*lokalpolisområdeschef*): approves compilations and promises.
    LpoManager,
    /// One LPO (*kommunpolis*): runs dialogues, codes answers, logs activities.
    Officer,
    /// One municipality and one municipal unit: co-signs, updates the unit's activities.
    MunicipalPartner,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::RegionalManager,
        Role::LpoManager,
        Role::Officer,
        Role::MunicipalPartner,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::RegionalManager => "regional_manager",
            Role::LpoManager => "lpo_manager",
            Role::Officer => "officer",
            Role::MunicipalPartner => "municipal_partner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The kind of organisation unit this role is scoped to.
    pub fn scope_kind(self) -> Option<&'static str> {
        match self {
            Role::Admin => None,
            Role::RegionalManager => Some("region"),
            Role::LpoManager | Role::Officer => Some("lpo"),
            Role::MunicipalPartner => Some("municipality"),
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::RegionalManager => "role.regional_manager",
            Role::LpoManager => "role.lpo_manager",
            Role::Officer => "role.officer",
            Role::MunicipalPartner => "role.municipal_partner",
        }
    }
}

/// Who is asking: the signed-in staff member, as the server knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The org unit the role is scoped to (none for admins).
    pub scope_unit_id: Option<i64>,
    /// For municipal partners: their municipal unit.
    pub municipal_unit_id: Option<i64>,
    pub must_change_password: bool,
}

/// What a mailed one-time link is for: a forgotten password's reset, or a new account's
/// invitation to choose its first password. Each lives for its own time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkKind {
    Reset,
    Invite,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Reset => "reset",
            LinkKind::Invite => "invite",
        }
    }

    pub fn parse(code: &str) -> Option<LinkKind> {
        match code {
            "reset" => Some(LinkKind::Reset),
            "invite" => Some(LinkKind::Invite),
            _ => None,
        }
    }

    /// How long the link works after it was sent: an hour for a reset (it is asked for by
    /// someone at the keyboard), a week for an invitation (it waits for a new colleague).
    pub fn lifetime_minutes(self) -> i64 {
        match self {
            LinkKind::Reset => 60,
            LinkKind::Invite => 7 * 24 * 60,
        }
    }
}

/// What a staff member may do. [`Permission::roles`] is the one table of which roles hold
/// each: pages, server routes and db services all ask it, and no role list is written
/// anywhere else. Scope (which LPO, municipality or unit) is checked apart, by the layer that
/// owns the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Any signed-in staff member: the start page, one's own password.
    SignedIn,
    /// See dashboards, answers and compilations (not municipal partners).
    SeeAnswers,
    /// Build and run dialogues and their question bank entries.
    BuildDialogues,
    /// Quarantine and release free-text answers.
    Moderate,
    /// Code free-text answers to themes.
    Code,
    /// Enter paper answers.
    EnterPaper,
    /// Approve a compilation; confirm the retention of answers.
    Approve,
    /// Read the agreement register.
    ReadRegister,
    /// Change the agreement register.
    EditRegister,
    /// Read promises and their follow-up.
    ReadPromises,
    /// Draft and change promises, add activities, move the lifecycle on.
    EditPromises,
    /// Sign a promise (as the signatory one's role allows: `promise::Signer::may_sign`).
    SignPromises,
    /// Log progress on activities (municipal partners on their unit's).
    LogProgress,
    /// The regional overview.
    SeeRegion,
    /// Read the audit log.
    ReadAudit,
    /// Users, the organisation and the question bank's shared entries.
    Administer,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::SignedIn,
        Permission::SeeAnswers,
        Permission::BuildDialogues,
        Permission::Moderate,
        Permission::Code,
        Permission::EnterPaper,
        Permission::Approve,
        Permission::ReadRegister,
        Permission::EditRegister,
        Permission::ReadPromises,
        Permission::EditPromises,
        Permission::SignPromises,
        Permission::LogProgress,
        Permission::SeeRegion,
        Permission::ReadAudit,
        Permission::Administer,
    ];

    /// The roles that hold this permission.
    pub const fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::SignedIn | Permission::ReadRegister | Permission::ReadPromises => {
                &Role::ALL
            }
            Permission::SeeAnswers => &[Admin, RegionalManager, LpoManager, Officer],
            Permission::BuildDialogues
            | Permission::Moderate
            | Permission::Code
            | Permission::EnterPaper
            | Permission::EditRegister
            | Permission::EditPromises => &[Admin, LpoManager, Officer],
            Permission::Approve => &[Admin, LpoManager],
            Permission::SignPromises => &[LpoManager, Officer, MunicipalPartner],
            Permission::LogProgress => &[Admin, LpoManager, Officer, MunicipalPartner],
            Permission::SeeRegion => &[Admin, RegionalManager],
            Permission::ReadAudit => &[Admin, RegionalManager, LpoManager],
            Permission::Administer => &[Admin],
        }
    }
}

impl Role {
    /// Whether this role holds `permission` ([`Permission::roles`]).
    pub fn may(self, permission: Permission) -> bool {
        permission.roles().contains(&self)
    }
}

impl Principal {
    /// Whether this staff member's role holds `permission` (scope is checked apart).
    pub fn may(&self, permission: Permission) -> bool {
        self.role.may(permission)
    }
}

/// Validates an e-mail address well enough to refuse obvious mistakes.
pub fn is_plausible_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("anna.svensson@polisen.se"));
        assert!(!is_plausible_email("anna"));
        assert!(!is_plausible_email("anna@polisen"));
        assert!(!is_plausible_email("an na@polisen.se"));
        assert!(!is_plausible_email("a@b@polisen.se"));
    }
}

/// One line of the audit log as managers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub who: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
}

/// A staff account as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub scope: String,
    pub scope_unit_id: Option<i64>,
    pub municipal_unit_id: Option<i64>,
    pub active: bool,
    pub must_change_password: bool,
    /// The stored version, which an edit form sends back (optimistic concurrency).
    pub version: i32,
}

/// Accounts on one page of the users list.
pub const USERS_PAGE: u64 = 50;

/// The users list's search, kept in the URL: `?sok=anna&roll=officer&status=avstangda&sida=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    /// Part of the name or e-mail address (any case).
    pub text: String,
    pub role: Option<Role>,
    /// `Some(true)`: active accounts only; `Some(false)`: deactivated ones only.
    pub active: Option<bool>,
    /// 1-based.
    pub page: u64,
}

impl UserQuery {
    /// Reads the URL's query pairs; what cannot be read falls back to the whole list.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> UserQuery {
        let mut q = UserQuery {
            page: 1,
            ..UserQuery::default()
        };
        for (k, v) in pairs {
            match k {
                "sok" => q.text = v.trim().chars().take(100).collect(),
                "roll" => q.role = Role::parse(v),
                "status" => {
                    q.active = match v {
                        "aktiva" => Some(true),
                        "avstangda" => Some(false),
                        _ => None,
                    }
                }
                "sida" => q.page = v.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        q
    }

    /// The query pairs of this search at `page` (the whole list has none).
    pub fn pairs(&self, page: u64) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.text.is_empty() {
            out.push(("sok", self.text.clone()));
        }
        if let Some(r) = self.role {
            out.push(("roll", r.code().to_owned()));
        }
        match self.active {
            Some(true) => out.push(("status", "aktiva".to_owned())),
            Some(false) => out.push(("status", "avstangda".to_owned())),
            None => {}
        }
        if page > 1 {
            out.push(("sida", page.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod user_query_tests {
    use super::*;

    #[test]
    fn the_users_search_round_trips_through_the_url() {
        let q = UserQuery::from_pairs([
            ("sok", " Anna "),
            ("roll", "officer"),
            ("status", "avstangda"),
            ("sida", "2"),
        ]);
        assert_eq!(
            q,
            UserQuery {
                text: "Anna".to_owned(),
                role: Some(Role::Officer),
                active: Some(false),
                page: 2
            }
        );
        let pairs = q.pairs(2);
        assert_eq!(
            UserQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))),
            q
        );
        let odd = UserQuery::from_pairs([("roll", "kung"), ("status", "x"), ("sida", "0")]);
        assert_eq!((odd.role, odd.active, odd.page), (None, None, 1));
        assert!(UserQuery::from_pairs([]).pairs(1).is_empty());
    }
}
