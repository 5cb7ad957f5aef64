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
    pub active: bool,
    pub must_change_password: bool,
}
