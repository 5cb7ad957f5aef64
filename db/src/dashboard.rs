//! The dialogue dashboard, read from the incrementally kept tallies (never a scan of answers),
//! with the n<5 rule applied here, at the service layer.

use crate::entity::{
    answer, dialogue, dialogue_group, published_snapshot, tally, tally_hour, target_group,
};
use crate::survey::{load_questionnaire, parse_text};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::dashboard::NO_ANSWER;
use domain::dashboard::{
    Audience, Dashboard, Distribution, FreeText, GroupCoverage, LATEST_TEXTS, expected_by,
};
use domain::suppress::{Linked, MIN_ANSWERS, gate, publishable};
use domain::{Channel, Choice, LocalizedText, QuestionKind, Questionnaire};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Statement,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A dialogue group with its target group's code and name.
struct Group {
    id: i64,
    code: String,
    name: LocalizedText,
    target: i64,
}

/// The dashboard of one dialogue for `audience`, or `None` for an unknown dialogue.
pub async fn dashboard(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    audience: Audience,
    now: DateTime<Utc>,
) -> Result<Option<Dashboard>, DbErr> {
    let Some(d) = dialogue::Entity::find_by_id(dialogue_id).one(db).await? else {
        return Ok(None);
    };
    let groups = groups_of(db, dialogue_id).await?;
    let tallies = tally::Entity::find()
        .filter(tally::Column::DialogueId.eq(dialogue_id))
        .all(db)
        .await?;
    let responses = |group: i64, channel: Option<&str>| -> i64 {
        tallies
            .iter()
            .filter(|t| t.question_id == 0 && t.dialogue_group_id == group)
            .filter(|t| channel.is_none_or(|c| t.channel == c))
            .map(|t| t.n)
            .sum()
    };
    let total: i64 = groups.iter().map(|g| responses(g.id, None)).sum();

    // Coverage: groups × channels.
    let table: Vec<Vec<i64>> = groups
        .iter()
        .map(|g| {
            Channel::ALL
                .iter()
                .map(|c| responses(g.id, Some(c.code())))
                .collect()
        })
        .collect();
    let series = time_series(db, dialogue_id, now).await?;
    let counts = Counts {
        total,
        table: &table,
        series: &series,
    };
    let closed = now >= d.closes_at;
    let questionnaire = load_questionnaire(db, dialogue_id).await?;
    let answers = Answers {
        questionnaire: &questionnaire,
        groups: &groups,
        tallies: &tallies,
    };
    let state = published(db, dialogue_id, total, closed, now, || {
        suppress_all(&counts, Some(&answers)).1
    })
    .await?;
    // What is published together is suppressed together: while the published distributions
    // are of this very population, the counts are suppressed with them (a group's count is a
    // row total of every distribution); once newer answers have arrived, on their own.
    let fresh = state.total == total;
    let (shown, _) = suppress_all(&counts, fresh.then_some(&answers));
    let shown = match audience {
        Audience::Public => shown,
        // Staff see exact response counts (by design; never what people answered).
        Audience::Staff => ShownCounts {
            total: Some(total),
            groups: table.iter().map(|r| Some(r.iter().sum())).collect(),
            table: table
                .iter()
                .map(|r| r.iter().map(|n| Some(*n)).collect())
                .collect(),
            hourly: series.hourly.iter().map(|(_, n)| Some(*n)).collect(),
            daily: series.daily.iter().map(|(_, n)| Some(*n)).collect(),
        },
    };
    let coverage = groups
        .iter()
        .zip(shown.table.into_iter().zip(shown.groups))
        .map(|(g, (cells, count))| {
            let expected_now = expected_by(g.target, d.opens_at, d.closes_at, now);
            GroupCoverage {
                group_code: g.code.clone(),
                group_name: g.name.clone(),
                target: g.target,
                behind: count.map(|c| (expected_now - c).max(0)),
                count,
                by_channel: Channel::ALL
                    .iter()
                    .zip(cells)
                    .map(|(c, n)| (c.code().to_owned(), n))
                    .collect(),
                expected_now,
            }
        })
        .collect();
    let hourly = series
        .hourly
        .iter()
        .map(|(h, _)| *h)
        .zip(shown.hourly)
        .collect();
    let daily = series
        .daily
        .iter()
        .map(|(d, _)| *d)
        .zip(shown.daily)
        .collect();
    let texts = match audience {
        Audience::Staff => visible_texts(db, state.texts)
            .await?
            .into_iter()
            .map(|mut t| {
                if let Some(q) = questionnaire
                    .questions
                    .iter()
                    .find(|q| q.id == t.question_id)
                {
                    t.question = q.text.clone();
                }
                t
            })
            .collect(),
        Audience::Public => Vec::new(),
    };
    Ok(Some(Dashboard {
        dialogue_id,
        lpo_id: d.lpo_id,
        title: parse_text(&d.title),
        preliminary: !closed,
        opens_at: d.opens_at,
        closes_at: d.closes_at,
        total: shown.total,
        groups: coverage,
        hourly,
        daily,
        distributions: state.distributions,
        // The total the distributions were taken at is itself a count: under the rule in
        // public (0 stands for "fewer than 5", when every distribution cell is hidden too).
        published_at_total: match audience {
            Audience::Staff => state.total,
            Audience::Public if publishable(state.total) => state.total,
            Audience::Public => 0,
        },
        texts,
    }))
}

/// The LPO a dialogue belongs to, or `None` for an unknown dialogue.
pub async fn lpo_of(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Option<i64>, DbErr> {
    Ok(dialogue::Entity::find_by_id(dialogue_id)
        .one(db)
        .await?
        .map(|d| d.lpo_id))
}

/// The dialogue's group ids, in the order every dashboard table lists them.
pub(crate) async fn group_ids(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
) -> Result<Vec<i64>, DbErr> {
    Ok(groups_of(db, dialogue_id)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect())
}

async fn groups_of(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<Group>, DbErr> {
    let links = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(dialogue_group::Column::Id)
        .all(db)
        .await?;
    let names: HashMap<i64, target_group::Model> = target_group::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(links
        .into_iter()
        .map(|l| {
            let tg = names.get(&l.target_group_id);
            Group {
                id: l.id,
                code: tg.map(|t| t.code.clone()).unwrap_or_default(),
                name: tg.map(|t| parse_text(&t.name)).unwrap_or_default(),
                target: i64::from(l.target_count),
            }
        })
        .collect())
}

/// Responses per hour over the last 48 hours and per Stockholm day, as counted.
struct Series {
    hourly: Vec<(DateTime<Utc>, i64)>,
    daily: Vec<(NaiveDate, i64)>,
    /// The responses of the window's first day from before the window (never shown: the
    /// day's count less the hours shown would give it).
    before_window: i64,
}

/// Responses per hour for the last 48 hours and per Stockholm day, from `tally_hour`.
async fn time_series(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    now: DateTime<Utc>,
) -> Result<Series, DbErr> {
    let rows = tally_hour::Entity::find()
        .filter(tally_hour::Column::DialogueId.eq(dialogue_id))
        .all(db)
        .await?;
    let mut per_hour: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for r in &rows {
        *per_hour.entry(r.hour).or_default() += r.n;
        *per_day
            .entry(domain::time::stockholm_day(r.hour))
            .or_default() += r.n;
    }
    let this_hour = domain::time::truncate_to_hour(now);
    let first = this_hour - Duration::hours(47);
    let first_day = domain::time::stockholm_day(first);
    let before_window = per_hour
        .range(..first)
        .filter(|(h, _)| domain::time::stockholm_day(**h) == first_day)
        .map(|(_, n)| *n)
        .sum();
    let hourly = (0..48)
        .rev()
        .map(|i| this_hour - Duration::hours(i))
        .map(|h| (h, per_hour.get(&h).copied().unwrap_or(0)))
        .collect();
    Ok(Series {
        hourly,
        daily: per_day.into_iter().collect(),
        before_window,
    })
}

/// The response counts published beside the distributions.
struct Counts<'a> {
    total: i64,
    /// Groups × channels.
    table: &'a [Vec<i64>],
    series: &'a Series,
}

/// What people answered, to be counted by question, group and area.
struct Answers<'a> {
    questionnaire: &'a Questionnaire,
    groups: &'a [Group],
    tallies: &'a [tally::Model],
}

/// The counts as published (public audience).
struct ShownCounts {
    total: Option<i64>,
    groups: Vec<Option<i64>>,
    table: Vec<Vec<Option<i64>>>,
    hourly: Vec<Option<i64>>,
    daily: Vec<Option<i64>>,
}

/// The row of a distribution's table by area for those who gave no area (*Inget svar*).
pub const NO_AREA: &str = "";

/// Suppresses everything published together for a dialogue as one whole
/// ([`domain::suppress::Linked`]): the total, the counts by group and channel, the series by
/// hour and day, and (given `answers`, of the same population) every distribution, with
/// the "did not answer" cells and the counts of those who did not tick an option linked in.
fn suppress_all(counts: &Counts, answers: Option<&Answers>) -> (ShownCounts, Vec<Distribution>) {
    let mut p = Linked::new();
    let total = p.cell(counts.total);
    let groups: Vec<usize> = counts
        .table
        .iter()
        .map(|r| p.cell(r.iter().sum()))
        .collect();
    p.line(total, groups.clone());
    let cells: Vec<Vec<usize>> = counts
        .table
        .iter()
        .map(|r| r.iter().map(|n| p.cell(*n)).collect())
        .collect();
    for (g, row) in groups.iter().zip(&cells) {
        p.line(*g, row.clone());
    }
    let channels = cells.first().map(Vec::len).unwrap_or(0);
    let channel_totals: Vec<usize> = (0..channels)
        .map(|c| {
            let n = counts
                .table
                .iter()
                .map(|r| r.get(c).copied().unwrap_or(0))
                .sum();
            let id = p.unpublished(n);
            p.line(id, cells.iter().filter_map(|r| r.get(c).copied()).collect());
            id
        })
        .collect();
    p.line(total, channel_totals);
    // Days sum to the total; a day's hours in the window (with, for the first day, the hours
    // before it) to the day.
    let days: Vec<usize> = counts
        .series
        .daily
        .iter()
        .map(|(_, n)| p.cell(*n))
        .collect();
    p.line(total, days.clone());
    let hours: Vec<usize> = counts
        .series
        .hourly
        .iter()
        .map(|(_, n)| p.cell(*n))
        .collect();
    let first_day = counts
        .series
        .hourly
        .first()
        .map(|(h, _)| domain::time::stockholm_day(*h));
    for ((day, _), id) in counts.series.daily.iter().zip(&days) {
        let mut parts: Vec<usize> = counts
            .series
            .hourly
            .iter()
            .zip(&hours)
            .filter(|((h, _), _)| domain::time::stockholm_day(*h) == *day)
            .map(|(_, id)| *id)
            .collect();
        if parts.is_empty() {
            continue;
        }
        if Some(*day) == first_day {
            parts.push(p.unpublished(counts.series.before_window));
        }
        p.line(*id, parts);
    }
    // Two readers, two steps. Staff know every response count exactly (by design), so the
    // distributions are suppressed first against a reader who knows them all; then the
    // public counts, with the distributions settled as they will be shown.
    let counted = p.len();
    let plan = answers.map(|a| plan_distributions(&mut p, a, total, &groups));
    let mut staff = p.clone();
    for id in 0..counted {
        staff.settle(id, true);
    }
    let dist_shown = staff.solve();
    for (id, shown) in dist_shown.iter().enumerate().skip(counted) {
        p.settle(id, *shown);
    }
    let shown = p.solve();
    let show = |id: usize| shown[id].then(|| p.value(id));
    let show_dist = |id: usize| dist_shown[id].then(|| p.value(id));
    let counts_shown = ShownCounts {
        total: show(total),
        groups: groups.iter().map(|g| show(*g)).collect(),
        table: cells
            .iter()
            .map(|r| r.iter().map(|c| show(*c)).collect())
            .collect(),
        hourly: hours.iter().map(|h| show(*h)).collect(),
        daily: days.iter().map(|d| show(*d)).collect(),
    };
    let distributions = plan
        .map(|plan| plan.into_iter().map(|d| d.publish(&show_dist)).collect())
        .unwrap_or_default();
    (counts_shown, distributions)
}

/// One distribution's cells in the linked problem, before solving.
struct PlannedDistribution {
    question_id: i64,
    text: LocalizedText,
    values: Vec<Choice>,
    scale: bool,
    overall: Vec<usize>,
    /// The "did not answer" cell (every kind but multiple choice), last in every row.
    no_answer: Option<usize>,
    /// Whether the "did not answer" column is published (optional or conditional questions).
    publish_no_answer: bool,
    /// How many answered, as counted.
    answered: i64,
    by_group: Vec<(LocalizedText, Vec<usize>)>,
    by_area: Vec<(String, Vec<usize>)>,
}

impl PlannedDistribution {
    fn publish(self, show: &impl Fn(usize) -> Option<i64>) -> Distribution {
        // Required questions every respondent answered publish no "did not answer" column
        // (it is 0 and took part in the rule all the same).
        let keep = |ids: &[usize]| -> Vec<Option<i64>> {
            let n = if self.no_answer.is_some() && !self.publish_no_answer {
                ids.len().saturating_sub(1)
            } else {
                ids.len()
            };
            ids.iter().take(n).map(|i| show(*i)).collect()
        };
        let overall = keep(&self.overall);
        let (mean, share_high) = match (self.scale, overall.get(..5)) {
            // Only when 1–5 are all shown: a mean and a share are weighted sums of the cells,
            // and beside a known total they would give hidden cells away.
            (true, Some(rated)) if rated.iter().all(Option::is_some) => {
                let rated: Vec<i64> = rated.iter().map(|n| n.unwrap_or(0)).collect();
                let n: i64 = rated.iter().sum();
                let sum: i64 = rated.iter().zip(1..).map(|(c, i)| c * i).sum();
                let high: i64 = rated[3] + rated[4];
                (
                    gate(n, sum as f64 / n.max(1) as f64),
                    gate(n, high as f64 / n.max(1) as f64),
                )
            }
            _ => (None, None),
        };
        // How many answered is the total less those who did not: only when that is shown.
        let answered = self
            .no_answer
            .and_then(show)
            .and_then(|_| gate(self.answered, self.answered));
        let mut values = self.values;
        if self.publish_no_answer {
            values.push(Choice {
                code: NO_ANSWER.to_owned(),
                label: LocalizedText::new("Inget svar", "No answer"),
            });
        }
        Distribution {
            question_id: self.question_id,
            text: self.text,
            values,
            answered,
            overall,
            by_group: self
                .by_group
                .into_iter()
                .map(|(name, ids)| (name, keep(&ids)))
                .collect(),
            by_area: self
                .by_area
                .into_iter()
                .map(|(name, ids)| (name, keep(&ids)))
                .collect(),
            mean,
            share_high,
        }
    }
}

/// The values a closed question is counted by, with their labels.
fn values_of(kind: &QuestionKind, areas: &[Choice]) -> Option<Vec<Choice>> {
    let num = |n: u8| Choice {
        code: n.to_string(),
        label: LocalizedText::new(&n.to_string(), &n.to_string()),
    };
    match kind {
        QuestionKind::Scale { dont_know, .. } => {
            let mut v: Vec<Choice> = (1..=5).map(num).collect();
            if *dont_know {
                v.push(Choice {
                    code: domain::DONT_KNOW.to_owned(),
                    label: LocalizedText::new("Vet ej", "Don't know"),
                });
            }
            Some(v)
        }
        QuestionKind::Single { options } | QuestionKind::Multi { options } => Some(options.clone()),
        QuestionKind::Area => Some(areas.to_vec()),
        QuestionKind::Text { .. } => None,
    }
}

/// Adds every closed question's cells and lines to `p`: overall, by group and by area (with
/// a row for those who gave no area), each with a "did not answer" column; for multiple
/// choice, the unpublished counts of those who did not tick each option.
fn plan_distributions(
    p: &mut Linked,
    a: &Answers,
    total: usize,
    group_cells: &[usize],
) -> Vec<PlannedDistribution> {
    let areas: Vec<&str> = a
        .questionnaire
        .areas
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    // Sums by (question, group, value), (question, area, value) and (question, value), and
    // the responses by area (question 0).
    let mut by_group: HashMap<(i64, i64, &str), i64> = HashMap::new();
    let mut by_area: HashMap<(i64, &str, &str), i64> = HashMap::new();
    let mut overall: HashMap<(i64, &str), i64> = HashMap::new();
    let mut area_responses: HashMap<&str, i64> = HashMap::new();
    for t in a.tallies {
        // Areas no longer listed count with those who gave none.
        let area = if areas.contains(&t.area.as_str()) {
            t.area.as_str()
        } else {
            NO_AREA
        };
        if t.question_id == 0 {
            *area_responses.entry(area).or_default() += t.n;
            continue;
        }
        let v = t.value_key.as_str();
        *by_group
            .entry((t.question_id, t.dialogue_group_id, v))
            .or_default() += t.n;
        *by_area.entry((t.question_id, area, v)).or_default() += t.n;
        *overall.entry((t.question_id, v)).or_default() += t.n;
    }
    // Those who gave each area (the last: none), never shown themselves: the area question's
    // overall cells are linked to them.
    let area_rows: Vec<&str> = areas.iter().copied().chain([NO_AREA]).collect();
    let area_cells: Vec<usize> = area_rows
        .iter()
        .map(|r| p.unpublished(area_responses.get(r).copied().unwrap_or(0)))
        .collect();
    p.line(total, area_cells.clone());
    let mut planned = Vec::new();
    for q in &a.questionnaire.questions {
        let Some(values) = values_of(&q.kind, &a.questionnaire.areas) else {
            continue;
        };
        let multi = matches!(q.kind, QuestionKind::Multi { .. });
        let codes: Vec<&str> = values.iter().map(|v| v.code.as_str()).collect();
        let count = |key: Option<i64>, area: Option<&str>, v: &str| -> i64 {
            match (key, area) {
                (Some(g), _) => by_group.get(&(q.id, g, v)),
                (None, Some(ar)) => by_area.get(&(q.id, ar, v)),
                (None, None) => overall.get(&(q.id, v)),
            }
            .copied()
            .unwrap_or(0)
        };
        // One row of cells: the values, then (not multiple choice) "did not answer" as the
        // row's total less the rest. Multiple choice: per value, its "did not tick" count.
        let row = |p: &mut Linked, raw: Vec<i64>, row_total: usize| -> (Vec<usize>, Vec<usize>) {
            let ids: Vec<usize> = raw.iter().map(|n| p.cell(*n)).collect();
            let whole = p.value(row_total);
            if multi {
                let not_ticked: Vec<usize> = raw
                    .iter()
                    .zip(&ids)
                    .map(|(n, id)| {
                        let nt = p.unpublished(whole - n);
                        p.line(row_total, vec![*id, nt]);
                        nt
                    })
                    .collect();
                (ids, not_ticked)
            } else {
                let none = p.cell(whole - raw.iter().sum::<i64>());
                let mut all = ids;
                all.push(none);
                p.line(row_total, all.clone());
                (all, Vec::new())
            }
        };
        let overall_raw: Vec<i64> = codes.iter().map(|v| count(None, None, v)).collect();
        let answered: i64 = overall_raw.iter().sum();
        let (overall_ids, overall_nt) = row(p, overall_raw, total);
        let mut group_rows = Vec::new();
        let mut group_nts = Vec::new();
        for (g, gcell) in a.groups.iter().zip(group_cells) {
            let raw = codes.iter().map(|v| count(Some(g.id), None, v)).collect();
            let (ids, nts) = row(p, raw, *gcell);
            group_rows.push((g.name.clone(), ids));
            group_nts.push(nts);
        }
        let mut area_ids = Vec::new();
        let mut area_nts = Vec::new();
        for (ar, acell) in area_rows.iter().zip(&area_cells) {
            let raw = codes.iter().map(|v| count(None, Some(ar), v)).collect();
            let (ids, nts) = row(p, raw, *acell);
            let name = match a.questionnaire.areas.iter().find(|c| c.code == *ar) {
                Some(c) => c.label.get(domain::Lang::Sv).to_owned(),
                None => NO_AREA.to_owned(),
            };
            area_ids.push((name, ids));
            area_nts.push(nts);
        }
        // Columns: each value (and "did not answer", or "did not tick") over the groups and
        // over the areas.
        for (c, o) in overall_ids.iter().enumerate() {
            p.line(
                *o,
                group_rows
                    .iter()
                    .filter_map(|(_, r)| r.get(c).copied())
                    .collect(),
            );
            p.line(
                *o,
                area_ids
                    .iter()
                    .filter_map(|(_, r)| r.get(c).copied())
                    .collect(),
            );
        }
        for (c, o) in overall_nt.iter().enumerate() {
            p.line(
                *o,
                group_nts.iter().filter_map(|r| r.get(c).copied()).collect(),
            );
            p.line(
                *o,
                area_nts.iter().filter_map(|r| r.get(c).copied()).collect(),
            );
        }
        // The area question's answers are the areas the responses are counted by.
        if matches!(q.kind, QuestionKind::Area) {
            for (c, acell) in area_cells.iter().enumerate() {
                if let Some(o) = overall_ids.get(c) {
                    p.line(*acell, vec![*o]);
                }
            }
        }
        planned.push(PlannedDistribution {
            question_id: q.id,
            text: q.text.clone(),
            values,
            scale: matches!(q.kind, QuestionKind::Scale { .. }),
            no_answer: (!multi).then(|| overall_ids.last().copied()).flatten(),
            publish_no_answer: !multi && (!q.required || q.condition.is_some()),
            answered,
            overall: overall_ids,
            by_group: group_rows,
            by_area: area_ids,
        });
    }
    planned
}

/// What a dialogue's dashboards show of what people answered: a new state only once at least
/// [`MIN_ANSWERS`] new answers have arrived since the last one, or when the dialogue has closed.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Published {
    #[serde(default)]
    total: i64,
    distributions: Vec<Distribution>,
    texts: Vec<FreeText>,
}

/// The state to show: the last published one, or a new one when it is due.
async fn published(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    total: i64,
    closed: bool,
    now: DateTime<Utc>,
    compute: impl FnOnce() -> Vec<Distribution>,
) -> Result<Published, DbErr> {
    let last = published_snapshot::Entity::find_by_id(dialogue_id)
        .one(db)
        .await?;
    if let Some(s) = &last {
        let fresh_enough = total - s.total < MIN_ANSWERS && !(closed && total != s.total);
        if fresh_enough && let Ok(mut state) = serde_json::from_str::<Published>(&s.data) {
            state.total = s.total;
            return Ok(state);
        }
    }
    let texts = if total >= MIN_ANSWERS {
        latest_texts(db, dialogue_id).await?
    } else {
        Vec::new()
    };
    let state = Published {
        total,
        distributions: compute(),
        texts,
    };
    let json = serde_json::to_string(&state).map_err(|e| DbErr::Custom(e.to_string()))?;
    published_snapshot::Entity::insert(published_snapshot::ActiveModel {
        dialogue_id: Set(dialogue_id),
        total: Set(total),
        data: Set(json),
        at: Set(now),
    })
    .on_conflict(
        OnConflict::column(published_snapshot::Column::DialogueId)
            .update_columns([
                published_snapshot::Column::Total,
                published_snapshot::Column::Data,
                published_snapshot::Column::At,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(state)
}

#[derive(FromQueryResult)]
struct TextRow {
    id: i64,
    question_id: i64,
    value_text: Option<String>,
}

/// The newest free-text answers of counted (non-quarantined) responses, not hidden.
async fn latest_texts(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<FreeText>, DbErr> {
    let backend = db.get_database_backend();
    let (p1, p2) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    // Newest answers first, each checked against its response: `CROSS JOIN` keeps SQLite's
    // planner from scanning every response of the dialogue first (7 s at 1,000,000 answers);
    // the walk stops at the limit.
    let sql = format!(
        "SELECT a.id, a.question_id, a.value_text FROM answer a \
         CROSS JOIN response r \
         WHERE r.id = a.response_id AND r.dialogue_id = {p1} AND NOT r.quarantined \
           AND a.value_text IS NOT NULL AND NOT a.hidden \
         ORDER BY a.id DESC LIMIT {p2}"
    );
    let rows = TextRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [dialogue_id.into(), (LATEST_TEXTS as i64).into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| FreeText {
            answer_id: r.id,
            question_id: r.question_id,
            question: LocalizedText::default(),
            text: r.value_text.unwrap_or_default(),
        })
        .collect())
}

/// The published texts less any hidden since publication.
async fn visible_texts(
    db: &impl ConnectionTrait,
    texts: Vec<FreeText>,
) -> Result<Vec<FreeText>, DbErr> {
    if texts.is_empty() {
        return Ok(texts);
    }
    let hidden: Vec<i64> = answer::Entity::find()
        .filter(answer::Column::Id.is_in(texts.iter().map(|t| t.answer_id)))
        .filter(answer::Column::Hidden.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    Ok(texts
        .into_iter()
        .filter(|t| !hidden.contains(&t.answer_id))
        .collect())
}

/// A bank item's published mean and share at 4–5 in one dialogue.
type ItemFigure = (Option<f64>, Option<f64>);

/// LPOs side by side for `lpos` (`None`: all): each dialogue's reach and the shared bank
/// items' published mean and share at 4–5. Built from each dialogue's dashboard, so the
/// n<5 rule and the over-time rule hold here too.
/// Which question is which bank item.
async fn bank_of(db: &impl ConnectionTrait) -> Result<HashMap<i64, i64>, DbErr> {
    use crate::entity::question_meta;
    Ok(question_meta::Entity::find()
        .filter(question_meta::Column::BankItemId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.bank_item_id.map(|b| (m.question_id, b)))
        .collect())
}

/// The dashboard's 1–5 scale distributions that are bank items, with their item.
fn scale_items<'a>(
    dash: &'a domain::dashboard::Dashboard,
    bank_of: &'a HashMap<i64, i64>,
) -> impl Iterator<Item = (i64, &'a domain::dashboard::Distribution)> + 'a {
    dash.distributions.iter().filter_map(|dist| {
        let item = bank_of.get(&dist.question_id)?;
        // The scale's values (1–5, maybe "don't know"), whether or not "did not answer" follows.
        let values = dist.values.iter().filter(|v| v.code != NO_ANSWER).count();
        (matches!(values, 5 | 6) && dist.values.first().is_some_and(|v| v.code == "1"))
            .then_some((*item, dist))
    })
}

/// A dialogue and its follow-up on the bank items both ask, from their public dashboards
/// (so the n<5 rule and the over-time rule hold). `None` when either is unknown.
pub async fn before_after(
    db: &impl ConnectionTrait,
    before: i64,
    after: i64,
    now: DateTime<Utc>,
) -> Result<Option<domain::promise::BeforeAfter>, DbErr> {
    use crate::entity::bank_item;
    use domain::promise::{BeforeAfterItem, ItemFigure};
    let (Some(b), Some(a)) = (
        dashboard(db, before, Audience::Public, now).await?,
        dashboard(db, after, Audience::Public, now).await?,
    ) else {
        return Ok(None);
    };
    let bank_of = bank_of(db).await?;
    let figure = |d: &domain::dashboard::Distribution| ItemFigure {
        answered: d.answered,
        mean: d.mean,
        share_high: d.share_high,
    };
    let after_items: HashMap<i64, ItemFigure> = scale_items(&a, &bank_of)
        .map(|(i, d)| (i, figure(d)))
        .collect();
    let mut items = Vec::new();
    for (item, dist) in scale_items(&b, &bank_of) {
        let Some(later) = after_items.get(&item) else {
            continue;
        };
        let Some(bi) = bank_item::Entity::find_by_id(item).one(db).await? else {
            continue;
        };
        items.push(BeforeAfterItem {
            text: parse_text(&bi.text),
            before: figure(dist),
            after: later.clone(),
        });
    }
    Ok(Some(domain::promise::BeforeAfter {
        before: b.title,
        after: a.title,
        after_preliminary: a.preliminary,
        items,
    }))
}

pub async fn regional(
    db: &impl ConnectionTrait,
    lpos: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<domain::dashboard::Regional, DbErr> {
    use crate::entity::{bank_item, org_unit};
    let mut query = dialogue::Entity::find().order_by_desc(dialogue::Column::OpensAt);
    if let Some(lpos) = lpos {
        query = query.filter(dialogue::Column::LpoId.is_in(lpos.iter().copied()));
    }
    let dialogues = query.all(db).await?;
    let lpo_names: HashMap<i64, String> = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("lpo"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let bank_of = bank_of(db).await?;
    let mut rows = Vec::new();
    let mut used: Vec<i64> = Vec::new();
    let mut figures: Vec<HashMap<i64, ItemFigure>> = Vec::new();
    for d in &dialogues {
        let Some(dash) = dashboard(db, d.id, Audience::Staff, now).await? else {
            continue;
        };
        let mut by_item = HashMap::new();
        for (item, dist) in scale_items(&dash, &bank_of) {
            by_item.insert(item, (dist.mean, dist.share_high));
            if !used.contains(&item) {
                used.push(item);
            }
        }
        figures.push(by_item);
        rows.push(domain::dashboard::RegionalRow {
            dialogue_id: d.id,
            lpo_name: lpo_names.get(&d.lpo_id).cloned().unwrap_or_default(),
            title: dash.title,
            preliminary: dash.preliminary,
            total: dash.total,
            target: dash.groups.iter().map(|g| g.target).sum(),
            groups_behind: dash
                .groups
                .iter()
                .filter(|g| g.behind.is_some_and(|b| b > 0))
                .count(),
            items: Vec::new(),
        });
    }
    let items: Vec<bank_item::Model> = bank_item::Entity::find()
        .filter(bank_item::Column::Id.is_in(used.iter().copied()))
        .order_by_asc(bank_item::Column::Position)
        .all(db)
        .await?;
    for (row, by_item) in rows.iter_mut().zip(&figures) {
        row.items = items
            .iter()
            .map(|i| by_item.get(&i.id).copied().unwrap_or((None, None)))
            .collect();
    }
    Ok(domain::dashboard::Regional {
        items: items.iter().map(|i| (i.id, parse_text(&i.text))).collect(),
        rows,
    })
}
