//! How a promise's progress entries read: what each activity has achieved (the latest
//! corrections count), its published history, and whether it takes progress at all. Both the
//! promise read model (`crate::promise`) and the progress writer (`crate::progress`) use it.

use crate::builder::{BuilderError, invalid};
use crate::entity::{activity, progress_entry};
use domain::progress::{self as rules, ActivityStatus, Corrected, Logged, Refusal, Supersession};
use domain::promise::Update;
use std::collections::HashMap;

pub(crate) fn refused(r: Refusal) -> BuilderError {
    invalid(r.field(), r.message_key())
}

/// Refuses progress on a cancelled activity.
pub(crate) fn takes_progress(a: &activity::Model) -> Result<(), BuilderError> {
    if ActivityStatus::from_stored(&a.status).takes_progress() {
        Ok(())
    } else {
        Err(refused(Refusal::Cancelled))
    }
}

fn logged(entries: &[progress_entry::Model]) -> Vec<Logged> {
    entries
        .iter()
        .map(|e| Logged {
            id: e.id,
            corrects: e.corrects,
            amount: e.amount,
        })
        .collect()
}

/// What has been achieved on one activity, from all its entries (latest corrections count).
pub(crate) fn achieved(entries: &[progress_entry::Model]) -> f64 {
    rules::achieved(&logged(entries))
}

/// [`achieved`] per activity, from the entries of several activities.
pub(crate) fn achieved_by_activity(entries: &[progress_entry::Model]) -> HashMap<i64, f64> {
    let mut by: HashMap<i64, Vec<progress_entry::Model>> = HashMap::new();
    for e in entries {
        by.entry(e.activity_id).or_default().push(e.clone());
    }
    by.into_iter().map(|(a, es)| (a, achieved(&es))).collect()
}

/// The published history of one activity: every entry, in the order given, each correcting
/// entry with what it replaced and why, each replaced one with what replaced it.
pub(crate) fn updates(a: &activity::Model, entries: &[progress_entry::Model]) -> Vec<Update> {
    let by_id: HashMap<i64, &progress_entry::Model> = entries.iter().map(|e| (e.id, e)).collect();
    let replaced_by: HashMap<i64, &progress_entry::Model> = entries
        .iter()
        .filter_map(|e| e.corrects.map(|c| (c, e)))
        .collect();
    entries
        .iter()
        .map(|e| Update {
            id: e.id,
            on: e.on_day,
            at: e.created_at,
            activity: a.title.clone(),
            text: e.text.clone(),
            amount: e.amount,
            unit: a.unit.clone(),
            corrects: e.corrects.and_then(|c| by_id.get(&c)).map(|old| Corrected {
                id: old.id,
                amount: old.amount,
                text: old.text.clone(),
                reason: e.reason.clone().unwrap_or_default(),
                on: domain::time::stockholm_day(e.created_at),
            }),
            superseded: replaced_by.get(&e.id).map(|by| Supersession {
                by: by.id,
                at: by.created_at,
            }),
        })
        .collect()
}
