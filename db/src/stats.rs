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

/// Answers per target group for every dialogue, newest dialogue first.
pub async fn dialogue_counts(db: &impl ConnectionTrait) -> Result<Vec<DialogueCounts>, DbErr> {
    let dialogues = dialogue::Entity::find()
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
