//! Signed means signed: each version of a promise keeps its own theme links and its named
//! signatories, a revision is drafted beside the version in force (`promise.revision`), and
//! an activity remembers the version it was planned under. Existing promises are carried
//! over: their versions get the theme links the commitments have now, the police and the
//! municipality as signatories, and a promise that an earlier edit put back to draft gets
//! its last fully signed version back in force (as agreed: the status it had was lost).
use super::{add_column, drop_column, drop_tables, table};
use crate::entity::{
    commitment, commitment_theme, promise, promise_municipality, promise_sign_off,
    promise_signatory, promise_version, promise_version_theme, staff_user,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use sea_orm_migration::{prelude::*, schema::*};
use std::collections::HashMap;

migration!();

async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_column(m, "promise", integer_null("revision")).await?;
    add_column(m, "activity", integer("since_version").default(1)).await?;
    m.create_table(
        table("promise_version_theme")
            .col(big_integer("promise_id"))
            .col(integer("version"))
            .col(big_integer("commitment_id"))
            .col(big_integer("theme_id"))
            .col(big_integer("compilation_id"))
            .primary_key(
                Index::create()
                    .col("promise_id")
                    .col("version")
                    .col("commitment_id")
                    .col("theme_id"),
            )
            .to_owned(),
    )
    .await?;
    m.create_table(
        table("promise_signatory")
            .col(big_integer("promise_id"))
            .col(integer("version"))
            .col(string_len("signer", 20))
            .col(integer("position"))
            .primary_key(
                Index::create()
                    .col("promise_id")
                    .col("version")
                    .col("signer"),
            )
            .to_owned(),
    )
    .await?;
    carry_over(m.get_connection()).await
}

async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    drop_tables(m, &["promise_signatory", "promise_version_theme"]).await?;
    drop_column(m, "activity", "since_version").await?;
    drop_column(m, "promise", "revision").await?;
    Ok(())
}

async fn carry_over(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    use domain::promise::{PromiseText, Signer};
    for pr in promise::Entity::find().all(db).await? {
        let municipalities: Vec<i64> = promise_municipality::Entity::find()
            .filter(promise_municipality::Column::PromiseId.eq(pr.id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.municipality_id)
            .collect();
        let ids: Vec<i64> = commitment::Entity::find()
            .filter(commitment::Column::PromiseId.eq(pr.id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let links: HashMap<(i64, i64), i64> = commitment_theme::Entity::find()
            .filter(commitment_theme::Column::CommitmentId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| ((l.commitment_id, l.theme_id), l.compilation_id))
            .collect();
        // Legacy sign-offs name "municipality" without saying which: the signer's own.
        for s in promise_sign_off::Entity::find()
            .filter(promise_sign_off::Column::PromiseId.eq(pr.id))
            .filter(promise_sign_off::Column::Signer.eq("municipality"))
            .all(db)
            .await?
        {
            let scope = match s.user_id {
                Some(u) => staff_user::Entity::find_by_id(u)
                    .one(db)
                    .await?
                    .and_then(|u| u.scope_unit_id),
                None => None,
            };
            let Some(m) = scope
                .filter(|m| municipalities.contains(m))
                .or(municipalities.first().copied())
            else {
                continue;
            };
            promise_sign_off::Entity::delete_many()
                .filter(promise_sign_off::Column::PromiseId.eq(pr.id))
                .filter(promise_sign_off::Column::Version.eq(s.version))
                .filter(promise_sign_off::Column::Signer.eq("municipality"))
                .exec(db)
                .await?;
            promise_sign_off::Entity::insert(promise_sign_off::ActiveModel {
                promise_id: Set(pr.id),
                version: Set(s.version),
                signer: Set(Signer::Municipality(m).code()),
                user_id: Set(s.user_id),
                name: Set(s.name),
                signed_on: Set(s.signed_on),
            })
            .exec_without_returning(db)
            .await?;
        }
        let mut complete = Vec::new();
        for v in promise_version::Entity::find()
            .filter(promise_version::Column::PromiseId.eq(pr.id))
            .all(db)
            .await?
        {
            if let Ok(text) = serde_json::from_str::<PromiseText>(&v.data) {
                for c in &text.commitments {
                    let Some(cid) = c.id else { continue };
                    for t in &c.theme_ids {
                        let comp = links.get(&(cid, *t)).copied().or_else(|| {
                            links
                                .iter()
                                .find(|((_, theme), _)| theme == t)
                                .map(|(_, comp)| *comp)
                        });
                        if let Some(comp) = comp {
                            promise_version_theme::Entity::insert(
                                promise_version_theme::ActiveModel {
                                    promise_id: Set(pr.id),
                                    version: Set(v.version),
                                    commitment_id: Set(cid),
                                    theme_id: Set(*t),
                                    compilation_id: Set(comp),
                                },
                            )
                            .exec_without_returning(db)
                            .await?;
                        }
                    }
                }
            }
            let signed: Vec<Signer> = promise_sign_off::Entity::find()
                .filter(promise_sign_off::Column::PromiseId.eq(pr.id))
                .filter(promise_sign_off::Column::Version.eq(v.version))
                .all(db)
                .await?
                .iter()
                .filter_map(|s| Signer::parse(&s.signer))
                .collect();
            // Under the old rule one municipality's signature was enough.
            let signing: Vec<i64> = signed.iter().filter_map(|s| s.municipality()).collect();
            let mut required = vec![Signer::Police];
            let of = if signing.is_empty() {
                &municipalities
            } else {
                &signing
            };
            required.extend(of.iter().map(|m| Signer::Municipality(*m)));
            for (i, s) in required.iter().enumerate() {
                promise_signatory::Entity::insert(promise_signatory::ActiveModel {
                    promise_id: Set(pr.id),
                    version: Set(v.version),
                    signer: Set(s.code()),
                    position: Set(i as i32),
                })
                .exec_without_returning(db)
                .await?;
            }
            if required.iter().all(|r| signed.contains(r)) {
                complete.push(v.version);
            }
        }
        let in_force = complete
            .iter()
            .copied()
            .filter(|v| *v < pr.current_version)
            .max();
        if let (true, Some(v)) = (pr.status == "draft", in_force) {
            let working = pr.current_version;
            let mut am: promise::ActiveModel = pr.into();
            am.revision = Set(Some(working));
            am.current_version = Set(v);
            am.status = Set("agreed".to_owned());
            am.update(db).await?;
        }
    }
    Ok(())
}
