//! One-time links by e-mail, on SQLite and PostgreSQL (issue #16): a reset link works once and
//! until it expires, a newer link replaces older ones, a too-short password keeps the link,
//! a deactivated account's link does not work, only a hash of the secret is stored, and a new
//! account signs in only after its invitation is used.

mod common;

use chrono::{Duration, Utc};
use db::accounts::{AccountError, NewUser};
use db::entity::{password_link, staff_user};
use db::password_links::{LinkError, LinkPurpose, open, redeem, request_reset};
use db::testing::TestDb;
use domain::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const OFFICER: &str = "kommunpolis.kristinehamn@demo.polisen.se";
const NEW: &str = "ett-helt-nytt-losenord";

db::backend_test! {
    async fn a_reset_link_works_once_until_it_expires(t: TestDb) {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        assert!(request_reset(&t.db, "ingen@demo.polisen.se", now).await.expect("asked").is_none(), "{l}");
        let link = request_reset(&t.db, " Kommunpolis.Kristinehamn@demo.polisen.se ", now)
            .await
            .expect("asked")
            .expect("an account");
        assert_eq!(link.purpose, LinkPurpose::Reset);
        assert_eq!(link.expires_at, now + Duration::hours(1), "{l}");
        // Only the hash is stored.
        let stored = password_link::Entity::find().all(&t.db).await.expect("read");
        assert_eq!(stored.len(), 1, "{l}");
        assert!(stored[0].token_hash != link.token && !stored[0].token_hash.contains(&link.token), "{l}");
        assert_eq!(open(&t.db, &link.token, now).await.expect("open").map(|o| o.email), Some(OFFICER.to_owned()), "{l}");

        // A too-short password is refused and the link still works.
        let short = redeem(&t.db, &link.token, "kort", now).await;
        assert!(matches!(short, Err(LinkError::Account(AccountError::WeakPassword))), "{l}");
        assert!(open(&t.db, &link.token, now).await.expect("open").is_some(), "{l}");

        let before = common::staff(&t.db, OFFICER).await;
        redeem(&t.db, &link.token, NEW, now).await.expect("redeemed");
        let after = common::staff(&t.db, OFFICER).await;
        assert!(db::accounts::login(&t.db, OFFICER, NEW).await.is_ok(), "{l}");
        let since = after.sessions_since.expect("sessions end");
        assert!((since - now).num_milliseconds().abs() < 1000, "{l}: other sessions end now");
        assert_eq!(after.version, before.version + 1, "{l}");
        // Used up.
        assert!(matches!(redeem(&t.db, &link.token, NEW, now).await, Err(LinkError::Invalid)), "{l}");
        assert!(open(&t.db, &link.token, now).await.expect("open").is_none(), "{l}");

        // Expiry, and a newer link replacing an older one.
        let old = request_reset(&t.db, OFFICER, now).await.expect("asked").expect("account");
        let newer = request_reset(&t.db, OFFICER, now).await.expect("asked").expect("account");
        assert!(open(&t.db, &old.token, now).await.expect("open").is_none(), "{l}: replaced");
        assert!(open(&t.db, &newer.token, now + Duration::minutes(59)).await.expect("open").is_some(), "{l}");
        assert!(open(&t.db, &newer.token, now + Duration::minutes(61)).await.expect("open").is_none(), "{l}");
        assert!(matches!(redeem(&t.db, &newer.token, NEW, now + Duration::minutes(61)).await, Err(LinkError::Invalid)), "{l}");
        assert!(matches!(redeem(&t.db, "nonsense", NEW, now).await, Err(LinkError::Invalid)), "{l}");
    }
}

db::backend_test! {
    async fn a_new_account_signs_in_only_through_its_invitation(t: TestDb) {
        let l = t.label;
        db::demo::seed_if_empty(&t.db).await.expect("seed");
        let now = Utc::now();
        let lpo = common::staff(&t.db, OFFICER).await.scope_unit_id;
        let admin = common::staff(&t.db, "admin@demo.polisen.se").await;
        let new = NewUser {
            email: "Ny.Kollega@demo.polisen.se",
            name: "Ny Kollega",
            role: Role::Officer,
            scope_unit_id: lpo,
            municipal_unit_id: None,
        };
        let (p, invitation) = db::password_links::create_invited_user(&t.db, Some(admin.id), new, now)
            .await
            .expect("created");
        assert_eq!(invitation.purpose, LinkPurpose::Invite, "{l}");
        assert_eq!(invitation.expires_at, now + Duration::days(7), "{l}");
        assert_eq!(invitation.email, "ny.kollega@demo.polisen.se", "{l}");
        assert!(!p.must_change_password, "{l}");
        // No password anyone typed signs in before the invitation is used.
        assert!(db::accounts::login(&t.db, "ny.kollega@demo.polisen.se", "").await.is_err(), "{l}");
        redeem(&t.db, &invitation.token, NEW, now).await.expect("accepted");
        assert!(db::accounts::login(&t.db, "ny.kollega@demo.polisen.se", NEW).await.is_ok(), "{l}");

        // Sending it again makes a fresh link; a deactivated account gets none, and its
        // open links stop working.
        let again = db::password_links::invite_again(&t.db, admin.id, p.user_id, now).await.expect("again");
        assert!(open(&t.db, &again.token, now).await.expect("open").is_some(), "{l}");
        db::accounts::set_active(&t.db, Some(admin.id), p.user_id, false, now).await.expect("off");
        assert!(open(&t.db, &again.token, now).await.expect("open").is_none(), "{l}");
        assert!(matches!(
            db::password_links::invite_again(&t.db, admin.id, p.user_id, now).await,
            Err(LinkError::Invalid)
        ), "{l}");
        let unknown = db::password_links::invite_again(&t.db, admin.id, 999_999, now).await;
        assert!(matches!(unknown, Err(LinkError::Account(AccountError::NotFound))), "{l}");
        let stored = staff_user::Entity::find()
            .filter(staff_user::Column::Email.eq("ny.kollega@demo.polisen.se"))
            .one(&t.db)
            .await
            .expect("read")
            .expect("one account");
        assert!(!stored.active, "{l}");
    }
}
