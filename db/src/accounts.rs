//! Staff accounts: argon2 password hashes, login, and the admin operations on users.

use crate::audit;
use crate::entity::{org_unit, staff_user};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chrono::{DateTime, Utc};
use domain::{Principal, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use std::sync::OnceLock;

pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Unknown e-mail, wrong password or a deactivated account: one message for all.
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("the e-mail address is not valid")]
    BadEmail,
    #[error("the password must have at least {MIN_PASSWORD_LEN} characters")]
    WeakPassword,
    #[error("the e-mail address is already in use")]
    DuplicateEmail,
    #[error("the name is missing")]
    MissingName,
    #[error("the scope does not fit the role")]
    BadScope,
    #[error("no such user")]
    NotFound,
    #[error("password hashing failed")]
    Hash,
    /// An admin may not change their own role (they would lock themselves out of this page).
    #[error("you cannot change your own role")]
    OwnRole,
    /// Someone saved the account since the form was opened: what is stored now.
    #[error("the account was changed by someone else")]
    Conflict(Box<AccountFields>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A real hash to verify against when the e-mail is unknown, so both cases take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-0000").unwrap_or_default())
}

pub fn principal(u: &staff_user::Model) -> Option<Principal> {
    Some(Principal {
        user_id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: Role::parse(&u.role)?,
        scope_unit_id: u.scope_unit_id,
        municipal_unit_id: u.municipal_unit_id,
        must_change_password: u.must_change_password,
    })
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks e-mail and password. Every failure is the same `BadCredentials`, after the same work.
pub async fn login(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Principal, AccountError> {
    let user = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(normalise_email(email)))
        .one(db)
        .await?;
    match user {
        Some(u) if verify(password, &u.password_hash) && u.active => {
            principal(&u).ok_or(AccountError::BadCredentials)
        }
        Some(_) => Err(AccountError::BadCredentials),
        None => {
            let _ = verify(password, dummy_hash());
            Err(AccountError::BadCredentials)
        }
    }
}

/// The active user behind a session that began at `login_at` (Unix seconds), or `None` if
/// the account is gone or deactivated, or its role or scope changed after that.
pub async fn active_principal(
    db: &impl ConnectionTrait,
    user_id: i64,
    login_at: i64,
) -> Result<Option<Principal>, DbErr> {
    Ok(staff_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .filter(|u| u.sessions_since.is_none_or(|t| login_at >= t.timestamp()))
        .and_then(|u| principal(&u)))
}

/// A new account. It has no password anyone knows: the person chooses one through the
/// invitation link mailed to them.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub scope_unit_id: Option<i64>,
    pub municipal_unit_id: Option<i64>,
}

/// Checks a new password's strength and hashes it.
pub fn new_password_hash(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AccountError::WeakPassword);
    }
    hash_password(password)
}

/// Checks a new account (the e-mail, and that the scope fits the role) and inserts it inside
/// `txn`, audited. Its invitation is issued beside it:
/// [`crate::password_links::create_invited_user`].
pub(crate) async fn insert_user(
    txn: &impl ConnectionTrait,
    actor: Option<i64>,
    new: NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<staff_user::Model, AccountError> {
    let email = normalise_email(new.email);
    if !domain::is_plausible_email(&email) {
        return Err(AccountError::BadEmail);
    }
    if new.name.trim().is_empty() {
        return Err(AccountError::MissingName);
    }
    check_scope(txn, new.role, new.scope_unit_id, new.municipal_unit_id).await?;
    // A secret nobody is told: the account signs in only after the invitation is used.
    let hash = hash_password(&uuid::Uuid::new_v4().simple().to_string())?;
    if staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(&email))
        .one(txn)
        .await?
        .is_some()
    {
        return Err(AccountError::DuplicateEmail);
    }
    let user = staff_user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        password_hash: Set(hash),
        role: Set(new.role.code().to_owned()),
        scope_unit_id: Set(new.scope_unit_id),
        municipal_unit_id: Set(new.municipal_unit_id),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        audit::Entry {
            at: now,
            user_id: actor,
            scope_unit_id: user.scope_unit_id,
            action: "create",
            entity: "staff_user",
            entity_id: user.id.to_string(),
            detail: format!("role={}", user.role),
        },
    )
    .await?;
    Ok(user)
}

async fn check_scope(
    db: &impl ConnectionTrait,
    role: Role,
    scope: Option<i64>,
    municipal_unit: Option<i64>,
) -> Result<(), AccountError> {
    match (role.scope_kind(), scope) {
        (None, None) => {}
        (Some(kind), Some(id)) => {
            let unit = org_unit::Entity::find_by_id(id).one(db).await?;
            if unit.is_none_or(|u| u.kind != kind) {
                return Err(AccountError::BadScope);
            }
        }
        _ => return Err(AccountError::BadScope),
    }
    if role == Role::MunicipalPartner {
        let unit = match municipal_unit {
            Some(id) => org_unit::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        if unit.is_none_or(|u| u.kind != "unit" || u.parent_id != scope) {
            return Err(AccountError::BadScope);
        }
    } else if municipal_unit.is_some() {
        return Err(AccountError::BadScope);
    }
    Ok(())
}

/// The fields of an account that an admin can change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountFields {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub scope_unit_id: Option<i64>,
    pub municipal_unit_id: Option<i64>,
    /// The version these values are (stored) or were read from (an edit).
    pub version: i32,
}

impl AccountFields {
    fn of(u: &staff_user::Model) -> Option<AccountFields> {
        Some(AccountFields {
            name: u.name.clone(),
            email: u.email.clone(),
            role: Role::parse(&u.role)?,
            scope_unit_id: u.scope_unit_id,
            municipal_unit_id: u.municipal_unit_id,
            version: u.version,
        })
    }
}

/// One account's fields as stored, for its edit form.
pub async fn account(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<AccountFields>, DbErr> {
    Ok(staff_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .as_ref()
        .and_then(AccountFields::of))
}

/// Changes an account's name, e-mail, role and scope, checked as at creation. The edit names
/// the version it was made from: if the account was saved since, nothing is written and the
/// stored values come back as [`AccountError::Conflict`]. A changed role or scope ends the
/// account's sessions. The audit entry records each changed field's old and new value.
pub async fn edit_user(
    db: &DatabaseConnection,
    actor: &Principal,
    user_id: i64,
    edit: AccountFields,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let email = normalise_email(&edit.email);
    if !domain::is_plausible_email(&email) {
        return Err(AccountError::BadEmail);
    }
    let name = edit.name.trim().to_owned();
    if name.is_empty() {
        return Err(AccountError::MissingName);
    }
    check_scope(db, edit.role, edit.scope_unit_id, edit.municipal_unit_id).await?;
    let txn = db.begin().await?;
    let user = staff_user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AccountError::NotFound)?;
    let stored = AccountFields::of(&user).ok_or(AccountError::NotFound)?;
    if stored.version != edit.version {
        return Err(AccountError::Conflict(Box::new(stored)));
    }
    if actor.user_id == user_id && edit.role != stored.role {
        return Err(AccountError::OwnRole);
    }
    if email != stored.email
        && staff_user::Entity::find()
            .filter(staff_user::Column::Email.eq(&email))
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(AccountError::DuplicateEmail);
    }
    let show = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
    let changes: Vec<(&str, String, String)> = [
        ("name", stored.name.clone(), name.clone()),
        ("email", stored.email.clone(), email.clone()),
        (
            "role",
            stored.role.code().to_owned(),
            edit.role.code().to_owned(),
        ),
        (
            "scope",
            show(stored.scope_unit_id),
            show(edit.scope_unit_id),
        ),
        (
            "municipal_unit",
            show(stored.municipal_unit_id),
            show(edit.municipal_unit_id),
        ),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let ends_sessions = changes
        .iter()
        .any(|(f, _, _)| matches!(*f, "role" | "scope" | "municipal_unit"));
    let mut am: staff_user::ActiveModel = user.into();
    am.name = Set(name);
    am.email = Set(email);
    am.role = Set(edit.role.code().to_owned());
    am.scope_unit_id = Set(edit.scope_unit_id);
    am.municipal_unit_id = Set(edit.municipal_unit_id);
    am.version = Set(stored.version + 1);
    if ends_sessions {
        am.sessions_since = Set(Some(now));
    }
    // Compare and set: a save that raced this one since the read above finds no row.
    let saved = staff_user::Entity::update_many()
        .set(am)
        .filter(staff_user::Column::Id.eq(user_id))
        .filter(staff_user::Column::Version.eq(stored.version))
        .exec(&txn)
        .await?;
    if saved.rows_affected != 1 {
        txn.rollback().await?;
        let now_stored = account(db, user_id).await?.ok_or(AccountError::NotFound)?;
        return Err(AccountError::Conflict(Box::new(now_stored)));
    }
    let detail = audit::changes(&changes);
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(actor.user_id),
            scope_unit_id: edit.scope_unit_id.or(stored.scope_unit_id),
            action: "update",
            entity: "staff_user",
            entity_id: user_id.to_string(),
            detail,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one account inside a transaction and audits it.
async fn update_user(
    db: &DatabaseConnection,
    actor: Option<i64>,
    user_id: i64,
    action: &str,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut staff_user::ActiveModel),
) -> Result<(), AccountError> {
    let txn = db.begin().await?;
    let user = staff_user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AccountError::NotFound)?;
    let scope = user.scope_unit_id;
    let mut am: staff_user::ActiveModel = user.into();
    change(&mut am);
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: actor,
            scope_unit_id: scope,
            action,
            entity: "staff_user",
            entity_id: user_id.to_string(),
            detail: String::new(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password. `must_change` is true when an admin resets it for the user.
pub async fn set_password(
    db: &DatabaseConnection,
    actor: Option<i64>,
    user_id: i64,
    password: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let hash = new_password_hash(password)?;
    let action = if must_change {
        "reset_password"
    } else {
        "change_password"
    };
    update_user(db, actor, user_id, action, now, |am| {
        am.password_hash = Set(hash);
        am.must_change_password = Set(must_change);
    })
    .await
}

/// Deactivates (or reactivates) an account; its sessions stop working at the next request.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: Option<i64>,
    user_id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let action = if active { "activate" } else { "deactivate" };
    update_user(db, actor, user_id, action, now, |am| {
        am.active = Set(active)
    })
    .await
}

/// One page of the accounts `q` finds (name or e-mail, role, status), with their scopes
/// spelled out, ordered by name; and how many it finds in all. Filtered and paged in the
/// database.
pub async fn user_page(
    db: &impl ConnectionTrait,
    q: &domain::UserQuery,
) -> Result<(Vec<domain::UserRow>, u64), DbErr> {
    use sea_orm::{Condition, PaginatorTrait};
    let mut find = staff_user::Entity::find();
    if !q.text.is_empty() {
        find = find.filter(
            Condition::any()
                .add(audit::contains(staff_user::Column::Name, &q.text))
                .add(audit::contains(staff_user::Column::Email, &q.text)),
        );
    }
    if let Some(role) = q.role {
        find = find.filter(staff_user::Column::Role.eq(role.code()));
    }
    if let Some(active) = q.active {
        find = find.filter(staff_user::Column::Active.eq(active));
    }
    let pages = find
        .order_by_asc(staff_user::Column::Name)
        .order_by_asc(staff_user::Column::Id)
        .paginate(db, domain::USERS_PAGE);
    let total = pages.num_items().await?;
    let users = pages.fetch_page(q.page.max(1) - 1).await?;
    Ok((rows_of(db, users).await?, total))
}

/// One account as the admin pages show it.
pub async fn user_row(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<domain::UserRow>, DbErr> {
    let users = staff_user::Entity::find_by_id(user_id).all(db).await?;
    Ok(rows_of(db, users).await?.into_iter().next())
}

async fn rows_of(
    db: &impl ConnectionTrait,
    users: Vec<staff_user::Model>,
) -> Result<Vec<domain::UserRow>, DbErr> {
    let ids: Vec<i64> = users
        .iter()
        .flat_map(|u| [u.scope_unit_id, u.municipal_unit_id])
        .flatten()
        .collect();
    let units: std::collections::HashMap<i64, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(users
        .into_iter()
        .filter_map(|u| {
            let role = Role::parse(&u.role)?;
            let scope = [u.scope_unit_id, u.municipal_unit_id]
                .into_iter()
                .flatten()
                .filter_map(|id| units.get(&id).cloned())
                .collect::<Vec<_>>()
                .join(", ");
            Some(domain::UserRow {
                id: u.id,
                email: u.email,
                name: u.name,
                role,
                scope,
                scope_unit_id: u.scope_unit_id,
                municipal_unit_id: u.municipal_unit_id,
                active: u.active,
                must_change_password: u.must_change_password,
                version: u.version,
            })
        })
        .collect())
}
