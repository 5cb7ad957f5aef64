//! The community officers' register: special areas and agreements, scoped to the viewer.

use crate::audit;
use crate::entity::{agreement, officer_special_area, org_unit, special_area, staff_user};
use crate::org;
use crate::survey::parse_text;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Agreement, AgreementInput, AgreementStatus, Named, Principal, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Field name → catalogue key of the message.
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

#[derive(Clone, Debug, Default)]
pub struct AgreementFilter {
    pub municipality_id: Option<i64>,
    pub special_area_id: Option<i64>,
    pub status: Option<AgreementStatus>,
    pub due_only: bool,
}

pub async fn special_areas(db: &impl ConnectionTrait) -> Result<Vec<Named>, DbErr> {
    Ok(special_area::Entity::find()
        .order_by_asc(special_area::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Named {
            id: a.id,
            name: parse_text(&a.name),
        })
        .collect())
}

/// The LPOs a principal may see; `None` means all.
pub async fn visible_lpos(
    db: &impl ConnectionTrait,
    p: &Principal,
) -> Result<Option<Vec<i64>>, DbErr> {
    Ok(match (p.role, p.scope_unit_id) {
        (Role::Admin, _) => None,
        (Role::RegionalManager, Some(region)) => {
            let mut lpos = Vec::new();
            for district in org::children_all(db, region, "district").await? {
                lpos.extend(
                    org::children_all(db, district.id, "lpo")
                        .await?
                        .into_iter()
                        .map(|l| l.id),
                );
            }
            Some(lpos)
        }
        (Role::LpoManager | Role::Officer, Some(lpo)) => Some(vec![lpo]),
        (Role::MunicipalPartner, Some(municipality)) => Some(
            org::ancestor_of_kind(db, municipality, "lpo")
                .await?
                .map(|l| vec![l.id])
                .unwrap_or_default(),
        ),
        _ => Some(Vec::new()),
    })
}

/// Municipal units a principal may pick in the agreement form, with their municipality.
pub async fn municipal_units(
    db: &impl ConnectionTrait,
    p: &Principal,
) -> Result<Vec<Named>, DbErr> {
    let lpos = visible_lpos(db, p).await?;
    let all = org_unit::Entity::find().all(db).await?;
    let by_id: HashMap<i64, &org_unit::Model> = all.iter().map(|u| (u.id, u)).collect();
    let mut out = Vec::new();
    for u in all
        .iter()
        .filter(|u| u.kind == "unit" && u.retired_at.is_none())
    {
        let Some(m) = u.parent_id.and_then(|id| by_id.get(&id)) else {
            continue;
        };
        let Some(lpo) = m.parent_id else { continue };
        if lpos.as_ref().is_none_or(|l| l.contains(&lpo)) {
            let label = format!("{} kommun, {}", m.name, u.name);
            out.push(Named {
                id: u.id,
                name: domain::LocalizedText::new(&label, &label),
            });
        }
    }
    out.sort_by(|a, b| {
        a.name
            .get(domain::Lang::Sv)
            .cmp(b.name.get(domain::Lang::Sv))
    });
    Ok(out)
}

/// Agreements the principal may see, filtered; review dates are judged against `today`.
pub async fn list_agreements(
    db: &impl ConnectionTrait,
    p: &Principal,
    filter: &AgreementFilter,
    today: NaiveDate,
) -> Result<Vec<Agreement>, DbErr> {
    let mut q = agreement::Entity::find().order_by_asc(agreement::Column::ReviewOn);
    if let Some(lpos) = visible_lpos(db, p).await? {
        q = q.filter(agreement::Column::LpoId.is_in(lpos));
    }
    if let Some(sa) = filter.special_area_id {
        q = q.filter(agreement::Column::SpecialAreaId.eq(sa));
    }
    if let Some(st) = filter.status {
        q = q.filter(agreement::Column::Status.eq(st.code()));
    }
    let rows = q.all(db).await?;
    let units: HashMap<i64, org_unit::Model> = org_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let areas: HashMap<i64, String> = special_area::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let officers: HashMap<i64, String> = staff_user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut out = Vec::new();
    for r in rows {
        let unit = units.get(&r.municipal_unit_id);
        let municipality = unit.and_then(|u| u.parent_id).and_then(|id| units.get(&id));
        if p.role == Role::MunicipalPartner && municipality.map(|m| m.id) != p.scope_unit_id {
            continue;
        }
        let municipality_id = municipality.map(|m| m.id).unwrap_or_default();
        if filter.municipality_id.is_some_and(|m| m != municipality_id) {
            continue;
        }
        let status = AgreementStatus::parse(&r.status).unwrap_or(AgreementStatus::Draft);
        let due = domain::due_for_review(r.review_on, status, today);
        if filter.due_only && !due {
            continue;
        }
        out.push(Agreement {
            id: r.id,
            uid: r.uid,
            lpo_id: r.lpo_id,
            lpo_name: units
                .get(&r.lpo_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            officer_name: r.officer_id.and_then(|id| officers.get(&id).cloned()),
            municipality_id,
            municipality_name: municipality.map(|m| m.name.clone()).unwrap_or_default(),
            municipal_unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
            special_area: areas
                .get(&r.special_area_id)
                .map(|s| parse_text(s))
                .unwrap_or_default(),
            purpose: r.purpose,
            starts_on: r.starts_on,
            review_on: r.review_on,
            contact_person: r.contact_person,
            status,
            due_for_review: due,
        });
    }
    Ok(out)
}

fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Creates an agreement. Role and scope are checked before the rest of the input.
pub async fn create_agreement(
    db: &DatabaseConnection,
    p: &Principal,
    input: &AgreementInput,
    now: DateTime<Utc>,
) -> Result<Agreement, RegisterError> {
    if !p.may(domain::Permission::EditRegister) {
        return Err(RegisterError::Forbidden);
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut err = |field: &str, key: &str| errors.push((field.to_owned(), key.to_owned()));

    let unit = match parse_id(&input.municipal_unit_id) {
        Some(id) => org_unit::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|u| u.kind == "unit"),
        None => None,
    };
    let lpo = match &unit {
        Some(u) => org::ancestor_of_kind(db, u.id, "lpo").await?,
        None => None,
    };
    match (&unit, &lpo) {
        (Some(_), Some(lpo)) => {
            if p.role != Role::Admin && p.scope_unit_id != Some(lpo.id) {
                return Err(RegisterError::Forbidden);
            }
        }
        _ => err("municipal_unit_id", "form.pick_one"),
    }
    let area = match parse_id(&input.special_area_id) {
        Some(id) => special_area::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    if area.is_none() {
        err("special_area_id", "form.pick_one");
    }
    let officer_id = if input.officer_id.trim().is_empty() {
        None
    } else {
        let officer = match parse_id(&input.officer_id) {
            Some(id) => staff_user::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        match (officer, &lpo) {
            (Some(o), Some(l))
                if o.role == Role::Officer.code() && o.scope_unit_id == Some(l.id) =>
            {
                Some(o.id)
            }
            _ => {
                err("officer_id", "form.pick_one");
                None
            }
        }
    };
    let purpose = input.purpose.trim();
    if purpose.chars().count() < 3 {
        err("purpose", "form.required");
    } else if purpose.chars().count() > 2000 {
        err("purpose", "form.too_long");
    }
    let starts = parse_date(&input.starts_on);
    let review = parse_date(&input.review_on);
    if starts.is_none() {
        err("starts_on", "form.bad_date");
    }
    match (starts, review) {
        (_, None) => err("review_on", "form.bad_date"),
        (Some(s), Some(r)) if r < s => err("review_on", "form.review_before_start"),
        _ => {}
    }
    let contact = input.contact_person.trim();
    if contact.is_empty() {
        err("contact_person", "form.required");
    } else if contact.chars().count() > 200 {
        err("contact_person", "form.too_long");
    }
    let status = AgreementStatus::parse(input.status.trim());
    if status.is_none() {
        err("status", "form.pick_one");
    }
    let (Some(unit), Some(lpo), Some(area), Some(starts), Some(review), Some(status), true) =
        (unit, lpo, area, starts, review, status, errors.is_empty())
    else {
        return Err(RegisterError::Invalid(errors));
    };

    let txn = db.begin().await?;
    let uid = uuid::Uuid::new_v4().to_string();
    let row = agreement::ActiveModel {
        uid: Set(uid.clone()),
        lpo_id: Set(lpo.id),
        officer_id: Set(officer_id),
        municipal_unit_id: Set(unit.id),
        special_area_id: Set(area.id),
        purpose: Set(purpose.to_owned()),
        starts_on: Set(starts),
        review_on: Set(review),
        contact_person: Set(contact.to_owned()),
        status: Set(status.code().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(p.user_id),
            scope_unit_id: Some(lpo.id),
            action: "create",
            entity: "agreement",
            entity_id: uid,
            detail: format!("unit={} area={}", unit.id, area.code),
        },
    )
    .await?;
    txn.commit().await?;
    let today = domain::time::stockholm_day(now);
    list_agreements(db, p, &AgreementFilter::default(), today)
        .await?
        .into_iter()
        .find(|a| a.id == row.id)
        .ok_or(RegisterError::NotFound)
}

/// Gives an officer a special area.
pub async fn add_officer_area(
    db: &impl ConnectionTrait,
    user_id: i64,
    area_id: i64,
) -> Result<(), DbErr> {
    officer_special_area::Entity::insert(officer_special_area::ActiveModel {
        user_id: Set(user_id),
        special_area_id: Set(area_id),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Municipalities in the principal's scope (for filters).
pub async fn municipalities(db: &impl ConnectionTrait, p: &Principal) -> Result<Vec<Named>, DbErr> {
    let lpos = visible_lpos(db, p).await?;
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq("municipality"))
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| {
            if p.role == Role::MunicipalPartner {
                return p.scope_unit_id == Some(m.id);
            }
            lpos.as_ref()
                .is_none_or(|l| m.parent_id.is_some_and(|lpo| l.contains(&lpo)))
        })
        .map(|m| Named {
            id: m.id,
            name: domain::LocalizedText::new(&m.name, &m.name),
        })
        .collect())
}

/// Active community police officers in the principal's scope.
async fn officers_in_scope(
    db: &impl ConnectionTrait,
    p: &Principal,
) -> Result<Vec<staff_user::Model>, DbErr> {
    let lpos = visible_lpos(db, p).await?;
    Ok(staff_user::Entity::find()
        .filter(staff_user::Column::Role.eq(Role::Officer.code()))
        .filter(staff_user::Column::Active.eq(true))
        .order_by_asc(staff_user::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter(|u| {
            lpos.as_ref()
                .is_none_or(|l| u.scope_unit_id.is_some_and(|s| l.contains(&s)))
        })
        .collect())
}

/// Community police officers in the principal's scope (for the agreement form).
pub async fn officers(db: &impl ConnectionTrait, p: &Principal) -> Result<Vec<Named>, DbErr> {
    Ok(officers_in_scope(db, p)
        .await?
        .into_iter()
        .map(|u| Named {
            id: u.id,
            name: domain::LocalizedText::new(&u.name, &u.name),
        })
        .collect())
}

/// Community police officers in scope with their special areas (the officers' register).
pub async fn officer_areas(
    db: &impl ConnectionTrait,
    p: &Principal,
) -> Result<Vec<domain::OfficerAreas>, DbErr> {
    let areas: HashMap<i64, String> = special_area::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let links = officer_special_area::Entity::find().all(db).await?;
    let units: HashMap<i64, String> = org_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(officers_in_scope(db, p)
        .await?
        .into_iter()
        .map(|u| {
            let mine = links
                .iter()
                .filter(|l| l.user_id == u.id)
                .filter_map(|l| areas.get(&l.special_area_id).map(|s| parse_text(s)))
                .collect();
            let lpo = u
                .scope_unit_id
                .and_then(|id| units.get(&id).cloned())
                .unwrap_or_default();
            domain::OfficerAreas {
                name: u.name,
                lpo_name: lpo,
                areas: mine,
            }
        })
        .collect())
}

/// Adds a special area to the managed list (admins).
pub async fn create_special_area(
    db: &DatabaseConnection,
    p: &Principal,
    code: &str,
    name_sv: &str,
    name_en: &str,
    now: DateTime<Utc>,
) -> Result<i64, RegisterError> {
    if p.role != Role::Admin {
        return Err(RegisterError::Forbidden);
    }
    let code = code.trim().to_lowercase();
    let mut errors = Vec::new();
    if code.is_empty() || code.len() > 80 || !code.chars().all(|c| c.is_alphanumeric() || c == '-')
    {
        errors.push(("code".to_owned(), "org.bad_code".to_owned()));
    } else if special_area::Entity::find()
        .filter(special_area::Column::Code.eq(&code))
        .one(db)
        .await?
        .is_some()
    {
        errors.push(("code".to_owned(), "org.duplicate_code".to_owned()));
    }
    if name_sv.trim().is_empty() || name_sv.chars().count() > 200 {
        errors.push(("name_sv".to_owned(), "form.required".to_owned()));
    }
    if !errors.is_empty() {
        return Err(RegisterError::Invalid(errors));
    }
    let en = if name_en.trim().is_empty() {
        name_sv
    } else {
        name_en
    };
    let txn = db.begin().await?;
    let id = special_area::Entity::insert(special_area::ActiveModel {
        code: Set(code.clone()),
        name: Set(crate::survey::text_json(&domain::LocalizedText::new(
            name_sv.trim(),
            en.trim(),
        ))),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(p.user_id),
            scope_unit_id: None,
            action: "create",
            entity: "special_area",
            entity_id: id.to_string(),
            detail: format!("code={code}"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Gives an officer in the principal's LPO a special area (officers, managers, admins).
pub async fn assign_special_area(
    db: &DatabaseConnection,
    p: &Principal,
    officer_id: &str,
    area_id: &str,
    now: DateTime<Utc>,
) -> Result<(), RegisterError> {
    if !p.may(domain::Permission::EditRegister) {
        return Err(RegisterError::Forbidden);
    }
    let officer = match parse_id(officer_id) {
        Some(id) => officers_in_scope(db, p)
            .await?
            .into_iter()
            .find(|o| o.id == id),
        None => None,
    };
    let area = match parse_id(area_id) {
        Some(id) => special_area::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let mut errors = Vec::new();
    if officer.is_none() {
        errors.push(("officer_id".to_owned(), "form.pick_one".to_owned()));
    }
    if area.is_none() {
        errors.push(("special_area_id".to_owned(), "form.pick_one".to_owned()));
    }
    let (Some(officer), Some(area)) = (officer, area) else {
        return Err(RegisterError::Invalid(errors));
    };
    let txn = db.begin().await?;
    add_officer_area(&txn, officer.id, area.id).await?;
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(p.user_id),
            scope_unit_id: officer.scope_unit_id,
            action: "assign",
            entity: "special_area",
            entity_id: area.id.to_string(),
            detail: format!("officer={}", officer.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes an agreement's status (editors in the agreement's LPO).
pub async fn set_agreement_status(
    db: &DatabaseConnection,
    p: &Principal,
    uid: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), RegisterError> {
    if !p.may(domain::Permission::EditRegister) {
        return Err(RegisterError::Forbidden);
    }
    let row = agreement::Entity::find()
        .filter(agreement::Column::Uid.eq(uid))
        .one(db)
        .await?
        .ok_or(RegisterError::NotFound)?;
    if p.role != Role::Admin && p.scope_unit_id != Some(row.lpo_id) {
        return Err(RegisterError::Forbidden);
    }
    let Some(status) = AgreementStatus::parse(status.trim()) else {
        return Err(RegisterError::Invalid(vec![(
            "status".to_owned(),
            "form.pick_one".to_owned(),
        )]));
    };
    let txn = db.begin().await?;
    let lpo = row.lpo_id;
    let from = row.status.clone();
    let mut am: agreement::ActiveModel = row.into();
    am.status = Set(status.code().to_owned());
    am.updated_at = Set(now);
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            at: now,
            user_id: Some(p.user_id),
            scope_unit_id: Some(lpo),
            action: "set_status",
            entity: "agreement",
            entity_id: uid.to_owned(),
            detail: format!("{from} -> {}", status.code()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
