//! Plain form POSTs of the promise: draft one, sign, move on, add an activity, log progress.
//! Every rule is `db::promise`'s; a refused form comes back with a message (4xx).

use crate::ServerState;
use crate::form::StaffForm;
use crate::form::field;
use crate::guard::Staff;
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::promises::MAX_COMMITMENT_SLOTS;
use app::paths;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::post;
use chrono::NaiveDate;
use db::builder::BuilderError;
use db::promise::{ActivityInput, CommitmentText, Owner, PromiseText};
use domain::LocalizedText;
use domain::Permission;
use domain::progress::ActivityStatus;
use domain::promise::{Signer, Status};

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post(
        "create_promise",
        paths::PROMISES,
        Access::Staff(Permission::EditPromises),
        || post(create),
    ),
    PlainRoute::post(
        "edit_promise",
        paths::EDIT_PROMISE,
        Access::Staff(Permission::EditPromises),
        || post(edit),
    ),
    PlainRoute::post(
        "link_agreements",
        paths::LINK_AGREEMENTS,
        Access::Staff(Permission::EditPromises),
        || post(link_agreements),
    ),
    PlainRoute::post(
        "sign_promise",
        paths::SIGN_PROMISE,
        Access::Staff(Permission::SignPromises),
        || post(sign),
    ),
    PlainRoute::post(
        "advance_promise",
        paths::ADVANCE_PROMISE,
        Access::Staff(Permission::EditPromises),
        || post(advance),
    ),
    PlainRoute::post(
        "add_activity",
        paths::ADD_ACTIVITY,
        Access::Staff(Permission::EditPromises),
        || post(add_activity),
    ),
    PlainRoute::post(
        "log_progress",
        paths::LOG_PROGRESS,
        Access::Staff(Permission::LogProgress),
        || post(log_progress),
    ),
    PlainRoute::post(
        "correct_progress",
        paths::CORRECT_PROGRESS,
        Access::Staff(Permission::LogProgress),
        || post(correct_progress),
    ),
    PlainRoute::post(
        "edit_activity",
        paths::EDIT_ACTIVITY,
        Access::Staff(Permission::EditPromises),
        || post(edit_activity),
    ),
    PlainRoute::post(
        "set_activity_status",
        paths::ACTIVITY_STATUS,
        Access::Staff(Permission::EditPromises),
        || post(set_activity_status),
    ),
];

fn bad(field: &str, key: &str) -> BuilderError {
    BuilderError::Invalid(vec![(field.to_owned(), key.to_owned())])
}

fn day(fields: &[(String, String)], name: &str) -> Result<NaiveDate, BuilderError> {
    NaiveDate::parse_from_str(field(fields, name).trim(), "%Y-%m-%d")
        .map_err(|_| bad(name, "form.bad_date"))
}

fn number(fields: &[(String, String)], name: &str) -> Result<f64, BuilderError> {
    field(fields, name)
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| bad(name, "promise.amount"))
}

fn ids(fields: &[(String, String)], name: &str) -> Result<Vec<i64>, BuilderError> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.parse::<i64>().map_err(|_| bad(name, "form.required")))
        .collect()
}

/// Swedish, and English where given (else the Swedish text again).
fn text(fields: &[(String, String)], sv: &str, en: &str) -> LocalizedText {
    let sv = field(fields, sv).trim();
    let en = field(fields, en).trim();
    LocalizedText::new(sv, if en.is_empty() { sv } else { en })
}

/// The promise text of the draft and change forms: `title_sv`/`_en`, `body_sv`/`_en`, and per
/// commitment slot `c{i}_id` (kept for an existing commitment), `c{i}_text`/`_text_en`,
/// `c{i}_weight` and repeated `c{i}_theme`. Empty slots are skipped.
fn promise_text(fields: &[(String, String)]) -> Result<PromiseText, BuilderError> {
    let mut commitments = Vec::new();
    for i in 1..=MAX_COMMITMENT_SLOTS {
        let sv = format!("c{i}_text");
        if field(fields, &sv).trim().is_empty() {
            continue;
        }
        let id = match field(fields, &format!("c{i}_id")).trim() {
            "" => None,
            v => Some(
                v.parse::<i64>()
                    .map_err(|_| bad(&sv, "promise.unknown_commitment"))?,
            ),
        };
        let weight_field = format!("c{i}_weight");
        let weight = if field(fields, &weight_field).trim().is_empty() {
            1.0
        } else {
            number(fields, &weight_field)?
        };
        commitments.push(CommitmentText {
            id,
            text: text(fields, &sv, &format!("c{i}_text_en")),
            weight,
            theme_ids: ids(fields, &format!("c{i}_theme"))?,
        });
    }
    Ok(PromiseText {
        title: text(fields, "title_sv", "title_en"),
        body: text(fields, "body_sv", "body_en"),
        commitments,
    })
}

/// The optional signatories the form names (repeated `signatory`, `Signer` codes), or `None`
/// when the form has no such fieldset (`signatories_form` absent): the version's stay.
fn signatories(fields: &[(String, String)]) -> Result<Option<Vec<Signer>>, BuilderError> {
    if field(fields, "signatories_form").is_empty() {
        return Ok(None);
    }
    fields
        .iter()
        .filter(|(k, _)| k == "signatory")
        .map(|(_, v)| {
            Signer::parse(v.trim()).ok_or_else(|| bad("signatory", "promise.signatories"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `POST /personal/lofte/{promise}/andra`: the changed text. A signed version is never changed:
/// the change becomes a new version that needs new sign-offs (`db::promise::edit`).
pub async fn edit(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = match db::promise::may_work_on(&state.app.db, &f.p, id, false).await {
        Err(e) => Err(e),
        Ok(()) => match (promise_text(&f.fields), signatories(&f.fields)) {
            (Ok(t), Ok(extra)) => {
                db::promise::edit_with(&state.app.db, &f.p, id, t, extra.as_deref(), now)
                    .await
                    .map(|_| ())
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
    };
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "promise-edit",
        format!("{page}#promise-status"),
    )
    .await)
}

/// `POST /personal/lofte/{promise}/overenskommelser`: repeated `agreement`, the community
/// officers' agreements the promise builds on (replacing the earlier links).
pub async fn link_agreements(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = match db::promise::may_work_on(&state.app.db, &f.p, id, false).await {
        Err(e) => Err(e),
        Ok(()) => match ids(&f.fields, "agreement") {
            Ok(agreements) => {
                db::promise::link_agreements(&state.app.db, &f.p, id, &agreements, now).await
            }
            Err(e) => Err(e),
        },
    };
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "agreements",
        format!("{page}#agreements-h"),
    )
    .await)
}

/// `POST /personal/lofte`: a new draft for the principal's LPO.
pub async fn create(
    State(state): State<ServerState>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        let lpo = match f.p.scope_unit_id {
            Some(lpo) => lpo,
            None => f
                .field("lpo")
                .parse::<i64>()
                .map_err(|_| bad("lpo", "form.required"))?,
        };
        if !db::promise::may_edit(&f.p, lpo) {
            return Err(BuilderError::Forbidden);
        }
        let period = (day(&f.fields, "from")?, day(&f.fields, "to")?);
        let promise = promise_text(&f.fields)?;
        let municipalities = ids(&f.fields, "municipality")?;
        let extra = signatories(&f.fields)?.unwrap_or_default();
        let now = state.app.clock.now();
        db::promise::create_with(
            &state.app.db,
            &f.p,
            lpo,
            &municipalities,
            period,
            promise,
            &extra,
            now,
        )
        .await
    }
    .await;
    // A new draft opens on its own page.
    let to = result
        .as_ref()
        .map(|id| paths::staff_promise(*id))
        .unwrap_or_default();
    let page = paths::PROMISES.to_owned();
    Ok(f.answer(state, result.map(|_| ()), page, "promise-new", to)
        .await)
}

/// `POST /personal/lofte/{promise}/signera`: `as`, the signatory signed for (a `Signer` code;
/// absent: the first the signed-in person may sign as).
pub async fn sign(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = match f.field("as").trim() {
        "" => Ok(None),
        code => match Signer::parse(code) {
            Some(s) => Ok(Some(s)),
            // Scope first: someone who signs nothing here is 403 whatever the input.
            None => match db::promise::signer_for(&state.app.db, &f.p, id).await {
                Ok(mine) if mine.is_empty() => Err(BuilderError::Forbidden),
                Ok(_) => Err(bad("as", "promise.signatories")),
                Err(e) => Err(BuilderError::from(e)),
            },
        },
    };
    let result = match result {
        Ok(slot) => db::promise::sign_as(&state.app.db, &f.p, id, slot, now)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "sign",
        format!("{page}#sign-offs"),
    )
    .await)
}

/// `POST /personal/lofte/{promise}/steg`: `to`.
pub async fn advance(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    // Scope first: someone else's promise is 403 whatever the input.
    let result = match db::promise::may_work_on(&state.app.db, &f.p, id, false).await {
        Err(e) => Err(e),
        Ok(()) => match Status::parse(f.field("to")) {
            Some(to) => db::promise::advance(&state.app.db, &f.p, id, to, now)
                .await
                .map(|_| ()),
            None => Err(bad("to", "promise.wrong_step")),
        },
    };
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "advance",
        format!("{page}#promise-status"),
    )
    .await)
}

fn owner(v: &str) -> Result<Owner, BuilderError> {
    let (kind, id) = v
        .split_once(':')
        .ok_or_else(|| bad("owner", "form.required"))?;
    let id: i64 = id.parse().map_err(|_| bad("owner", "form.required"))?;
    match kind {
        "officer" => Ok(Owner::Officer(id)),
        "police_unit" => Ok(Owner::PoliceUnit(id)),
        "municipal_unit" => Ok(Owner::MunicipalUnit(id)),
        _ => Err(bad("owner", "form.required")),
    }
}

/// An activity's fields as its add and edit forms post them.
fn activity_input(f: &StaffForm) -> Result<ActivityInput, BuilderError> {
    Ok(ActivityInput {
        title: f.field("title").to_owned(),
        owner: owner(f.field("owner"))?,
        target: number(&f.fields, "target")
            .map_err(|_| bad("target", "promise.target_positive"))?,
        unit: f.field("unit").to_owned(),
        due_on: day(&f.fields, "due_on")?,
        // Blank is the default weight, 1.
        weight: if f.field("weight").trim().is_empty() {
            1.0
        } else {
            number(&f.fields, "weight").map_err(|_| bad("weight", "promise.weight_positive"))?
        },
    })
}

/// `POST /personal/lofte/{promise}/aktivitet`.
pub async fn add_activity(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        db::promise::may_work_on(&state.app.db, &f.p, id, false).await?;
        let commitment: i64 = f
            .field("commitment")
            .parse()
            .map_err(|_| BuilderError::NotFound)?;
        let input = activity_input(&f)?;
        let now = state.app.clock.now();
        db::promise::add_activity_of(&state.app.db, &f.p, id, commitment, &input, now)
            .await
            .map(|_| ())
    }
    .await;
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "activity",
        format!("{page}#commitments-h"),
    )
    .await)
}

/// `POST /personal/lofte/{promise}/aktivitet/{activity}/framsteg`.
pub async fn log_progress(
    State(state): State<ServerState>,
    Path((id, activity)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        db::promise::may_work_on(&state.app.db, &f.p, id, true).await?;
        let on = day(&f.fields, "on_day")?;
        let amount = number(&f.fields, "amount")?;
        let now = state.app.clock.now();
        db::promise::log_progress_of(
            &state.app.db,
            &f.p,
            id,
            activity,
            on,
            f.field("text"),
            amount,
            now,
        )
        .await
        .map(|_| ())
    }
    .await;
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "progress",
        format!("{page}#commitments-h"),
    )
    .await)
}

/// `POST /personal/lofte/{promise}/framsteg/{entry}/ratta`: `amount` (blank: unchanged), `text`
/// (blank: unchanged) and a required `reason`. The entry is never changed: a correcting entry
/// replaces its figure in public, with the reason (`db::progress::correct`).
pub async fn correct_progress(
    State(state): State<ServerState>,
    Path((id, entry)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        db::promise::may_work_on(&state.app.db, &f.p, id, true).await?;
        let amount = if f.field("amount").trim().is_empty() {
            None
        } else {
            Some(number(&f.fields, "amount")?)
        };
        let now = state.app.clock.now();
        db::progress::correct(
            &state.app.db,
            &f.p,
            id,
            entry,
            amount,
            Some(f.field("text")),
            f.field("reason"),
            now,
        )
        .await
        .map(|_| ())
    }
    .await;
    let page = paths::staff_promise(id);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        &format!("correct-{entry}"),
        format!("{page}#entry-{entry}"),
    )
    .await)
}

/// `POST /personal/lofte/{promise}/aktivitet/{activity}/andra`: an activity's fields (a typo,
/// a new owner or due date). 422 with the values kept; 409 when someone saved it meanwhile.
pub async fn edit_activity(
    State(state): State<ServerState>,
    Path((id, activity)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        db::promise::may_work_on(&state.app.db, &f.p, id, false).await?;
        let input = activity_input(&f)?;
        let version: i32 = f
            .field("version")
            .trim()
            .parse()
            .map_err(|_| BuilderError::Conflict)?;
        let now = state.app.clock.now();
        db::progress::edit_activity(&state.app.db, &f.p, id, activity, &input, version, now).await
    }
    .await;
    Ok(answer_at_activity(f, state, result, id, activity, "edit").await)
}

/// `POST /personal/lofte/{promise}/aktivitet/{activity}/status`: `status` (planned, under_way,
/// done, cancelled) and `reason` (required to cancel).
pub async fn set_activity_status(
    State(state): State<ServerState>,
    Path((id, activity)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let result = async {
        db::promise::may_work_on(&state.app.db, &f.p, id, false).await?;
        let to = ActivityStatus::parse(f.field("status").trim())
            .ok_or_else(|| bad("status", "progress.bad_status"))?;
        let now = state.app.clock.now();
        db::progress::set_status(
            &state.app.db,
            &f.p,
            id,
            activity,
            to,
            f.field("reason"),
            now,
        )
        .await
    }
    .await;
    Ok(answer_at_activity(f, state, result, id, activity, "status").await)
}

/// The answer to form `{form}-{activity}` on promise `id`'s staff page: back at the activity,
/// or the page with the refused form open.
async fn answer_at_activity(
    f: StaffForm,
    state: ServerState,
    result: Result<(), BuilderError>,
    id: i64,
    activity: i64,
    form: &str,
) -> Response {
    let page = paths::staff_promise(id);
    f.answer(
        state,
        result,
        page.clone(),
        &format!("{form}-{activity}"),
        format!("{page}#activity-{activity}"),
    )
    .await
}
