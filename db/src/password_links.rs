//! One-time links by e-mail: a forgotten password's reset link and a new account's
//! invitation (issue #16). The secret is only in the mail; the database keeps its SHA-256. A
//! link works once and until it expires; a newer link of the same kind replaces older ones.
//! Setting a password through a link ends the account's other sessions.

use crate::audit;
use crate::entity::{password_link, staff_user};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};

pub use domain::LinkKind as LinkPurpose;

fn lifetime(purpose: LinkPurpose) -> Duration {
    Duration::minutes(purpose.lifetime_minutes())
}

fn kind_of(link: &password_link::Model) -> LinkPurpose {
    LinkPurpose::parse(&link.purpose).unwrap_or(LinkPurpose::Reset)
}

/// A link that was just issued, with what its mail needs.
#[derive(Clone, Debug)]
pub struct IssuedLink {
    /// The secret for the URL; shown nowhere else.
    pub token: String,
    pub purpose: LinkPurpose,
    pub email: String,
    pub name: String,
    pub expires_at: DateTime<Utc>,
}

/// An open link as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenLink {
    pub purpose: LinkPurpose,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Unknown, used, expired, replaced, or the account is deactivated: one answer for all.
    #[error("the link does not work (any more)")]
    Invalid,
    #[error(transparent)]
    Account(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn token_hash(token: &str) -> String {
    crate::kiosk::token_hash(token)
}

/// The audit entry of a link-related step on `user`'s account, by `actor` (none: the
/// anonymous "forgot password" form).
fn account_entry(
    user: &staff_user::Model,
    actor: Option<i64>,
    action: &'static str,
    now: DateTime<Utc>,
) -> audit::Entry<'static> {
    audit::Entry {
        at: now,
        user_id: actor,
        scope_unit_id: user.scope_unit_id,
        action,
        entity: "staff_user",
        entity_id: user.id.to_string(),
        detail: String::new(),
    }
}

/// Issues a link for `user`, replacing the user's unused links of the same kind.
pub async fn issue(
    db: &impl ConnectionTrait,
    user: &staff_user::Model,
    purpose: LinkPurpose,
    now: DateTime<Utc>,
) -> Result<IssuedLink, DbErr> {
    password_link::Entity::update_many()
        .col_expr(password_link::Column::UsedAt, Expr::value(now))
        .filter(password_link::Column::UserId.eq(user.id))
        .filter(password_link::Column::Purpose.eq(purpose.code()))
        .filter(password_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let token = crate::kiosk::new_token();
    let expires_at = now + lifetime(purpose);
    password_link::Entity::insert(password_link::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(token_hash(&token)),
        purpose: Set(purpose.code().to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(IssuedLink {
        token,
        purpose,
        email: user.email.clone(),
        name: user.name.clone(),
        expires_at,
    })
}

/// Creates an account (checked as [`crate::accounts::insert_user`] does) with its invitation
/// link, in one transaction: the person chooses the first password through the link.
pub async fn create_invited_user(
    db: &DatabaseConnection,
    actor: Option<i64>,
    new: crate::accounts::NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<(domain::Principal, IssuedLink), crate::accounts::AccountError> {
    use crate::accounts::AccountError;
    let txn = db.begin().await?;
    let user = crate::accounts::insert_user(&txn, actor, new, now).await?;
    let invitation = issue(&txn, &user, LinkPurpose::Invite, now).await?;
    txn.commit().await?;
    let p = crate::accounts::principal(&user).ok_or(AccountError::BadScope)?;
    Ok((p, invitation))
}

/// "Forgot password": a reset link for the active account with this e-mail, or nothing. The
/// caller answers the same either way (no account enumeration).
pub async fn request_reset(
    db: &DatabaseConnection,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<IssuedLink>, DbErr> {
    let email = email.trim().to_lowercase();
    let Some(user) = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(&email))
        .filter(staff_user::Column::Active.eq(true))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let txn = db.begin().await?;
    let link = issue(&txn, &user, LinkPurpose::Reset, now).await?;
    audit::record(&txn, account_entry(&user, None, "send_reset_link", now)).await?;
    txn.commit().await?;
    Ok(Some(link))
}

async fn usable(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(password_link::Model, staff_user::Model)>, DbErr> {
    let Some(link) = password_link::Entity::find()
        .filter(password_link::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > now)
    else {
        return Ok(None);
    };
    let user = staff_user::Entity::find_by_id(link.user_id)
        .one(db)
        .await?
        .filter(|u| u.active);
    Ok(user.map(|u| (link, u)))
}

/// The link's page: whether it still works, and for whom.
pub async fn open(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<OpenLink>, DbErr> {
    Ok(usable(db, token, now).await?.map(|(l, u)| OpenLink {
        purpose: kind_of(&l),
        email: u.email,
    }))
}

/// Sets the password through a link, once: the link is used up, the account need not change
/// its password again, and every session it had ends. Returns the account's id.
pub async fn redeem(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<i64, LinkError> {
    // Checked before the link is used up, so a too-short password can be typed again.
    let hash = crate::accounts::new_password_hash(password)?;
    let txn = db.begin().await?;
    let Some((link, user)) = usable(&txn, token, now).await? else {
        return Err(LinkError::Invalid);
    };
    // Only one of two simultaneous uses gets the link.
    let taken = password_link::Entity::update_many()
        .col_expr(password_link::Column::UsedAt, Expr::value(now))
        .filter(password_link::Column::Id.eq(link.id))
        .filter(password_link::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(LinkError::Invalid);
    }
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::PasswordHash, Expr::value(hash))
        .col_expr(staff_user::Column::MustChangePassword, Expr::value(false))
        .col_expr(staff_user::Column::SessionsSince, Expr::value(now))
        .col_expr(
            staff_user::Column::Version,
            Expr::col(staff_user::Column::Version).add(1),
        )
        .filter(staff_user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let action = match kind_of(&link) {
        LinkPurpose::Reset => "reset_password_by_link",
        LinkPurpose::Invite => "accept_invitation",
    };
    audit::record(&txn, account_entry(&user, Some(user.id), action, now)).await?;
    txn.commit().await?;
    Ok(user.id)
}

/// An admin sends an account a new invitation (the first one was lost, or expired): it
/// replaces the account's unused invitations. A deactivated account gets none.
pub async fn invite_again(
    db: &DatabaseConnection,
    actor: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<IssuedLink, LinkError> {
    let user = staff_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(crate::accounts::AccountError::NotFound)?;
    if !user.active {
        return Err(LinkError::Invalid);
    }
    let txn = db.begin().await?;
    let link = issue(&txn, &user, LinkPurpose::Invite, now).await?;
    audit::record(
        &txn,
        account_entry(&user, Some(actor), "send_invitation", now),
    )
    .await?;
    txn.commit().await?;
    Ok(link)
}
