//! Staff read models, served from the incrementally kept tallies (never a scan of answers).

use crate::entity::{dialogue, dialogue_group, org_unit, response, tally, target_group};
use crate::survey::parse_text;
use domain::{DialogueCounts, GroupCount, OpenDialogue};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Answers per target group for every dialogue not archived, newest dialogue first.
pub async fn dialogue_counts(db: &impl ConnectionTrait) -> Result<Vec<DialogueCounts>, DbErr> {
    let dialogues = dialogue::Entity::find()
        .filter(dialogue::Column::ArchivedAt.is_null())
        .order_by_desc(dialogue::Column::OpensAt)
        .all(db)
        .await?;
    let groups = dialogue_group::Entity::find()
        .order_by_asc(dialogue_group::Column::Id)
        .all(db)
        .await?;
    let names: HashMap<i64, target_group::Model> = target_group::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let lpos: HashMap<i64, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("lpo"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let counts = response_counts_by_group(db).await?;
    Ok(dialogues
        .into_iter()
        .map(|d| {
            let groups: Vec<GroupCount> = groups
                .iter()
                .filter(|g| g.dialogue_id == d.id)
                .map(|g| {
                    let tg = names.get(&g.target_group_id);
                    GroupCount {
                        group_code: tg.map(|t| t.code.clone()).unwrap_or_default(),
                        group_name: tg.map(|t| parse_text(&t.name)).unwrap_or_default(),
                        link_code: g.link_code.clone(),
                        target: g.target_count,
                        count: counts.get(&g.id).copied().unwrap_or(0),
                    }
                })
                .collect();
            DialogueCounts {
                dialogue_id: d.id,
                title: parse_text(&d.title),
                lpo_id: d.lpo_id,
                lpo_name: lpos.get(&d.lpo_id).cloned().unwrap_or_default(),
                total: groups.iter().map(|g| g.count).sum(),
                groups,
            }
        })
        .collect())
}

#[derive(FromQueryResult)]
struct GroupSum {
    dialogue_group_id: i64,
    n: i64,
}

/// Responses per dialogue group, summed from the tallies.
async fn response_counts_by_group(db: &impl ConnectionTrait) -> Result<HashMap<i64, i64>, DbErr> {
    let rows = tally::Entity::find()
        .select_only()
        .column(tally::Column::DialogueGroupId)
        .column_as(tally::Column::N.sum().cast_as("bigint"), "n")
        .filter(tally::Column::QuestionId.eq(0))
        .group_by(tally::Column::DialogueGroupId)
        .into_model::<GroupSum>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.dialogue_group_id, r.n))
        .collect())
}

/// Counts a dialogue's stored, non-quarantined responses from the rows themselves: the
/// recount that tests and the crash suite compare the tallies with.
pub async fn recount_responses(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<u64, DbErr> {
    response::Entity::find()
        .filter(response::Column::DialogueId.eq(dialogue_id))
        .filter(response::Column::Quarantined.eq(false))
        .count(db)
        .await
}

/// Dialogues open at `now`, with the link of their first (residents') group.
pub async fn open_dialogues(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<OpenDialogue>, DbErr> {
    let dialogues = dialogue::Entity::find()
        .filter(dialogue::Column::OpensAt.lte(now))
        .filter(dialogue::Column::ClosesAt.gt(now))
        .order_by_desc(dialogue::Column::OpensAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for d in dialogues {
        let Some(group) = dialogue_group::Entity::find()
            .filter(dialogue_group::Column::DialogueId.eq(d.id))
            .order_by_asc(dialogue_group::Column::Id)
            .one(db)
            .await?
        else {
            continue;
        };
        let lpo = org_unit::Entity::find_by_id(d.lpo_id).one(db).await?;
        out.push(OpenDialogue {
            title: parse_text(&d.title),
            lpo_name: lpo.map(|l| l.name).unwrap_or_default(),
            link_code: group.link_code,
        });
    }
    Ok(out)
}

/// Rebuilds a dialogue's tallies and hourly counts from its non-quarantined rows, in one
/// transaction: the recount that quarantine, tests and the crash suite use.
pub async fn recount(db: &sea_orm::DatabaseConnection, dialogue_id: i64) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    recount_in(&txn, dialogue_id).await?;
    txn.commit().await
}

/// [`recount`] inside the caller's transaction. On PostgreSQL the counter tables are locked
/// against concurrent writers for the rest of the transaction, so no commit lands between the
/// recount's read and its write.
pub(crate) async fn recount_in(
    txn: &sea_orm::DatabaseTransaction,
    dialogue_id: i64,
) -> Result<(), DbErr> {
    use sea_orm::{DbBackend, Statement};
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE tally, tally_hour IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let p = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let statements = [
        format!("DELETE FROM tally WHERE dialogue_id = {}", p(1)),
        format!("DELETE FROM tally_hour WHERE dialogue_id = {}", p(1)),
        // Whole responses (question 0).
        format!(
            "INSERT INTO tally (dialogue_id, question_id, dialogue_group_id, channel, area, value_key, n) \
             SELECT dialogue_id, 0, dialogue_group_id, channel, area, '', COUNT(*) FROM response \
             WHERE dialogue_id = {} AND NOT quarantined \
             GROUP BY dialogue_id, dialogue_group_id, channel, area",
            p(1)
        ),
        // Answers by value: the same buckets as `survey::tally_keys` (free text counts as
        // "text", never by content; a multiple choice is one row per option).
        format!(
            "INSERT INTO tally (dialogue_id, question_id, dialogue_group_id, channel, area, value_key, n) \
             SELECT dialogue_id, question_id, dialogue_group_id, channel, area, value_key, COUNT(*) FROM ( \
               SELECT r.dialogue_id, a.question_id, r.dialogue_group_id, r.channel, r.area, \
                 CASE WHEN a.value_text IS NOT NULL THEN 'text' \
                      WHEN a.value_num IS NOT NULL THEN CAST(a.value_num AS TEXT) \
                      ELSE a.value_code END AS value_key \
               FROM answer a JOIN response r ON r.id = a.response_id \
               WHERE r.dialogue_id = {} AND NOT r.quarantined \
             ) s GROUP BY dialogue_id, question_id, dialogue_group_id, channel, area, value_key",
            p(1)
        ),
        format!(
            "INSERT INTO tally_hour (dialogue_id, hour, dialogue_group_id, channel, n) \
             SELECT dialogue_id, submitted_hour, dialogue_group_id, channel, COUNT(*) FROM response \
             WHERE dialogue_id = {} AND NOT quarantined \
             GROUP BY dialogue_id, submitted_hour, dialogue_group_id, channel",
            p(1)
        ),
    ];
    for sql in statements {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [dialogue_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Every tally row of a dialogue, sorted: what tests compare before and after a recount.
pub async fn tally_rows(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<(i64, i64, String, String, String, i64)>, DbErr> {
    let mut rows: Vec<_> = tally::Entity::find()
        .filter(tally::Column::DialogueId.eq(dialogue_id))
        .filter(tally::Column::N.ne(0))
        .all(db)
        .await?
        .into_iter()
        .map(|t| {
            (
                t.question_id,
                t.dialogue_group_id,
                t.channel,
                t.area,
                t.value_key,
                t.n,
            )
        })
        .collect();
    rows.sort();
    Ok(rows)
}
