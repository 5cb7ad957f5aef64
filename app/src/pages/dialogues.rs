//! The staff side of citizen dialogues: the list and the create form, one dialogue's builder
//! (questions, distribution links, QR codes, kiosk tokens), and the shared question bank.
//! Every form is a plain POST handled in `server::dialogues` (works without JavaScript).

use crate::components::form::{
    Errs, PostedBuilderForm, action_button, asked_twice, banner, keeps_draft, posted_for, summary,
    text_area, text_input,
};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access, access_then, guarded};
use crate::paths;
use domain::builder::{
    BankItem, BuilderQuestion, DialogueDetail, DialogueInput, DialogueSummary, QuestionInput,
    answer_codes, kind_code,
};
use domain::dialogue::{DialogueQuery, Phase, first_day as day, last_day};
use domain::{Named, QuestionKind};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// Session key of a kiosk token or display link just issued: (dialogue id, token, display),
/// shown once.
pub const KIOSK_FLASH_KEY: &str = "kiosk_issued";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DialoguesData {
    /// One page of the dialogues the list's view finds.
    pub dialogues: Vec<DialogueSummary>,
    /// The view (search, which ones, page), as in the URL.
    pub query: DialogueQuery,
    /// How many the view finds in all.
    pub total: u64,
    pub municipalities: Vec<Named>,
    pub target_groups: Vec<Named>,
    pub bank: Vec<BankItem>,
    pub default_opens: String,
    pub default_closes: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DialogueData {
    pub detail: DialogueDetail,
    /// The site's address, e.g. `https://medborgarloften.polisen.se`.
    pub site_url: String,
    /// A kiosk token or display link just issued, and whether it is a display link.
    pub kiosk_token: Option<(String, bool)>,
}

#[cfg(feature = "ssr")]
fn builder_error(e: db::builder::BuilderError) -> AppError {
    use crate::ssr::{internal, set_status};
    use db::builder::BuilderError;
    let err = match e {
        BuilderError::Forbidden => AppError::Forbidden,
        BuilderError::NotFound => AppError::NotFound,
        BuilderError::Invalid(errors) => AppError::FormInvalid(errors),
        BuilderError::Frozen => AppError::Closed,
        BuilderError::Conflict => {
            AppError::FormInvalid(vec![("form".to_owned(), "form.conflict".to_owned())])
        }
        BuilderError::Db(e) => internal(e),
    };
    set_status(err.status());
    err
}

#[server(endpoint = "staff/dialogues", input = Json)]
pub async fn list_dialogues(query: DialogueQuery) -> Result<DialoguesData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::BuildDialogues).await?;
    let st = state()?;
    let now = st.clock.now();
    let (default_opens, default_closes) = db::builder::default_period(now);
    let (dialogues, total) = db::builder::list_dialogues(&st.db, &p, &query, now)
        .await
        .map_err(internal)?;
    Ok(DialoguesData {
        dialogues,
        query,
        total,
        municipalities: db::builder::municipality_choices(&st.db, &p)
            .await
            .map_err(internal)?,
        target_groups: db::builder::target_groups(&st.db).await.map_err(internal)?,
        bank: db::bank::list(&st.db).await.map_err(internal)?,
        default_opens,
        default_closes,
    })
}

#[server(endpoint = "staff/dialogue", input = Json)]
pub async fn load_dialogue(id: i64) -> Result<DialogueData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::BuildDialogues).await?;
    let st = state()?;
    let detail = db::builder::load(&st.db, &p, id, st.clock.now())
        .await
        .map_err(builder_error)?;
    let kiosk_token = match leptos_axum::extract::<tower_sessions::Session>().await {
        Ok(s) => match s
            .remove::<(i64, String, bool)>(KIOSK_FLASH_KEY)
            .await
            .map_err(internal)?
        {
            Some((d, token, display)) if d == id => Some((token, display)),
            _ => None,
        },
        Err(_) => None,
    };
    Ok(DialogueData {
        detail,
        site_url: st.site_url.clone(),
        kiosk_token,
    })
}

/// The admins' bank page: every item, retired ones too, and which ones dialogues use.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BankData {
    pub items: Vec<BankItem>,
    /// Items a dialogue holds a copy of: retired, never deleted.
    pub in_use: Vec<i64>,
}

#[server(endpoint = "admin/bank")]
pub async fn load_bank() -> Result<BankData, AppError> {
    use crate::ssr::{internal, require, state};
    require(domain::Permission::Administer).await?;
    let st = state()?;
    let (items, in_use) = db::bank::list_all(&st.db).await.map_err(internal)?;
    Ok(BankData { items, in_use })
}

fn kind_label(lang: Lang, kind: &QuestionKind) -> String {
    match kind {
        QuestionKind::Scale {
            dont_know: true, ..
        } => tr(lang, "builder.kind_scale_dk"),
        QuestionKind::Text { max_len } => tr_with(
            lang,
            "builder.kind_text_max",
            &[("n", &max_len.to_string())],
        ),
        other => tr(lang, &format!("builder.kind_{}", kind_code(other))),
    }
}

/// What a question form may change.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuestionMode {
    /// A bank item: a code, no required flag or condition.
    BankNew,
    BankEdit,
    /// A dialogue question before the dialogue opens.
    Open,
    /// After it opened: wording only.
    Frozen,
}

/// The shared question form (bank items and dialogue questions).
fn question_form(
    e: &Errs,
    action: String,
    input: QuestionInput,
    mode: QuestionMode,
    earlier: &[BuilderQuestion],
    submit: String,
) -> AnyView {
    let lang = e.lang;
    let frozen = mode == QuestionMode::Frozen;
    let dialogue = matches!(mode, QuestionMode::Open | QuestionMode::Frozen);
    let code = (mode == QuestionMode::BankNew).then(|| {
        view! {
            <label class="q-label" for=e.id("code")>{tr(lang, "bank.code")}</label>
            <p class="hint" id=format!("{}-hint", e.id("code"))>{tr(lang, "bank.code_hint")}</p>
            {e.error("code")}
            <input id=e.id("code") name="code" type="text" autocomplete="off" value=input.code.clone()
                aria-describedby=e.described("code", true) aria-invalid=e.invalid("code") />
        }
    });
    let kind_field = if frozen {
        view! {
            <input type="hidden" name="kind" value=input.kind.clone() />
            <p class="hint">{tr(lang, "builder.frozen_hint")}</p>
        }
        .into_any()
    } else {
        let opts = domain::builder::KIND_CODES
            .into_iter()
            .map(|k| {
                view! { <option value=k selected=input.kind == k>{tr(lang, &format!("builder.kind_{k}"))}</option> }
            })
            .collect_view();
        view! {
            <label class="q-label" for=e.id("kind")>{tr(lang, "builder.kind")}</label>
            {e.error("kind")}
            <select id=e.id("kind") name="kind" aria-describedby=e.described("kind", false) aria-invalid=e.invalid("kind")>
                <option value="">"–"</option>
                {opts}
            </select>
        }
        .into_any()
    };
    let show_scale = !frozen || input.kind == "scale";
    let show_options = !frozen || matches!(input.kind.as_str(), "single" | "multi");
    let show_text = !frozen || input.kind == "text";
    let scale = show_scale.then(|| {
        let dk = if frozen {
            view! {
                {input.dont_know.then(|| view! { <input type="hidden" name="dont_know" value="1" /> })}
            }
            .into_any()
        } else {
            view! {
                <div class="field check">
                    <input type="checkbox" id=e.id("dont_know") name="dont_know" value="1" checked=input.dont_know />
                    <label for=e.id("dont_know")>{tr(lang, "builder.dont_know")}</label>
                </div>
            }
            .into_any()
        };
        view! {
            <fieldset class="builder-fieldset">
                <legend>{tr(lang, "builder.scale_legend")}</legend>
                {dk}
                <div class="two-col">
                    <div>{text_input(e, "low_sv", tr(lang, "builder.low_sv"), input.low_sv.clone())}</div>
                    <div>{text_input(e, "low_en", tr(lang, "builder.low_en"), input.low_en.clone())}</div>
                    <div>{text_input(e, "high_sv", tr(lang, "builder.high_sv"), input.high_sv.clone())}</div>
                    <div>{text_input(e, "high_en", tr(lang, "builder.high_en"), input.high_en.clone())}</div>
                </div>
            </fieldset>
        }
    });
    let options = show_options.then(|| {
        let hint = if frozen {
            tr(lang, "builder.options_frozen_hint")
        } else {
            tr(lang, "builder.options_hint")
        };
        view! {
            <fieldset class="builder-fieldset">
                <legend>{tr(lang, "builder.options_legend")}</legend>
                {text_area(e, "options", tr(lang, "builder.options"), input.options.clone(), Some(hint))}
            </fieldset>
        }
    });
    let text = show_text.then(|| {
        if frozen {
            view! { <input type="hidden" name="max_len" value=input.max_len.clone() /> }.into_any()
        } else {
            view! {
                <fieldset class="builder-fieldset">
                    <legend>{tr(lang, "builder.text_legend")}</legend>
                    <label class="q-label" for=e.id("max_len")>{tr(lang, "builder.max_len")}</label>
                    {e.error("max_len")}
                    <input id=e.id("max_len") name="max_len" type="number" inputmode="numeric" min="1" max="2000"
                        value=input.max_len.clone() aria-describedby=e.described("max_len", false) aria-invalid=e.invalid("max_len") />
                </fieldset>
            }
            .into_any()
        }
    });
    let rules = dialogue.then(|| {
        if frozen {
            view! {
                {input.required.then(|| view! { <input type="hidden" name="required" value="1" /> })}
                <input type="hidden" name="condition_question" value=input.condition_question.clone() />
                <input type="hidden" name="condition_codes" value=input.condition_codes.clone() />
            }
            .into_any()
        } else {
            let cond_opts = earlier
                .iter()
                .filter(|q| !matches!(q.kind, QuestionKind::Text { .. }))
                .map(|q| {
                    let id = q.id.to_string();
                    let sel = input.condition_question.trim() == id;
                    view! { <option value=id selected=sel>{format!("{}. {}", q.position, q.text.get(lang))}</option> }
                })
                .collect_view();
            view! {
                <div class="field check">
                    <input type="checkbox" id=e.id("required") name="required" value="1" checked=input.required />
                    <label for=e.id("required")>{tr(lang, "builder.required")}</label>
                </div>
                <fieldset class="builder-fieldset">
                    <legend>{tr(lang, "builder.condition_legend")}</legend>
                    <label class="q-label" for=e.id("condition_question")>{tr(lang, "builder.condition_question")}</label>
                    {e.error("condition_question")}
                    <select id=e.id("condition_question") name="condition_question"
                        aria-describedby=e.described("condition_question", false) aria-invalid=e.invalid("condition_question")>
                        <option value="">{tr(lang, "builder.condition_none")}</option>
                        {cond_opts}
                    </select>
                    <label class="q-label" for=e.id("condition_codes")>{tr(lang, "builder.condition_codes")}</label>
                    <p class="hint" id=format!("{}-hint", e.id("condition_codes"))>{tr(lang, "builder.condition_codes_hint")}</p>
                    {e.error("condition_codes")}
                    <input id=e.id("condition_codes") name="condition_codes" type="text" autocomplete="off"
                        value=input.condition_codes.clone()
                        aria-describedby=e.described("condition_codes", true) aria-invalid=e.invalid("condition_codes") />
                </fieldset>
            }
            .into_any()
        }
    });
    view! {
        <form method="post" action=action class="stack-form builder-form" id=e.id("form") novalidate=true>
            {code}
            {text_area(e, "text_sv", tr(lang, "builder.text_sv"), input.text_sv.clone(), None)}
            {text_area(e, "text_en", tr(lang, "builder.text_en"), input.text_en.clone(), None)}
            {kind_field}
            {scale}
            {options}
            {text}
            {rules}
            <button type="submit" class="button primary">{submit}</button>
        </form>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// The list of dialogues and the create form.

#[component]
pub fn DialoguesPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    let query = use_query_map().read_untracked().clone();
    let deleted = query.get("borttagen").is_some();
    let view_of = DialogueQuery::from_pairs(
        ["sok", "visa", "sida"]
            .into_iter()
            .filter_map(|k| query.get_str(k).map(|v| (k, v))),
    );
    view! {
        <Page>
            <Title text=tr(lang, "builder.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::BuildDialogues, || list_dialogues(view_of)).await;
                    guarded(lang, paths::DIALOGUES, who, move |_| match data {
                        Ok(d) => dialogues_body(d, posted, deleted, lang).into_any(),
                        Err(e) => view! {
                            <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                        }
                        .into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn dialogues_body(
    d: DialoguesData,
    posted: Option<PostedBuilderForm>,
    deleted: bool,
    lang: Lang,
) -> impl IntoView {
    let rows = d
        .dialogues
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td>
                        <a href=paths::dialogue(s.id)>{s.title.get(lang).to_owned()}</a>
                        {s.archived.then(|| view! { " "<span class="badge small">{tr(lang, "dialogue.archived")}</span> })}
                    </td>
                    <td>{s.lpo_name.clone()}</td>
                    <td>{format!("{} – {}", day(s.opens_at), last_day(s.closes_at))}</td>
                    <td>{s.groups}</td>
                    <td>{s.questions}</td>
                </tr>
            }
        })
        .collect_view();
    let q = d.query.clone();
    let pages = d.total.div_ceil(domain::dialogue::DIALOGUES_PAGE).max(1);
    let found = tr_with(
        lang,
        "dialogue.found",
        &[
            ("total", &d.total.to_string()),
            ("page", &q.page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    let pager = crate::components::table::pager(lang, tr(lang, "dialogue.pages"), q.page, pages, {
        let q = q.clone();
        move |n| paths::with_query(paths::DIALOGUES, &q.pairs(n))
    });
    let search = dialogues_search(lang, &q);
    let list = if d.dialogues.is_empty() {
        view! { <p>{tr(lang, if q == DialogueQuery::from_pairs([]) { "builder.none" } else { "dialogue.none_found" })}</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "builder.list_caption")>
                <table>
                    <caption class="visually-hidden">{tr(lang, "builder.list_caption")}</caption>
                    <thead><tr>
                        <th scope="col">{tr(lang, "builder.dialogue")}</th>
                        <th scope="col">{tr(lang, "builder.lpo")}</th>
                        <th scope="col">{tr(lang, "builder.period")}</th>
                        <th scope="col">{tr(lang, "builder.groups")}</th>
                        <th scope="col">{tr(lang, "builder.questions")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let mine = posted_for(&posted, "create");
    let input = mine
        .as_ref()
        .map(|p| DialogueInput::from_fields(&p.values))
        .unwrap_or_else(|| DialogueInput {
            opens_on: d.default_opens.clone(),
            closes_on: d.default_closes.clone(),
            ..Default::default()
        });
    let e = Errs::new("create", &mine, lang);
    let only_one = d.municipalities.len() == 1;
    let municipalities = d
        .municipalities
        .iter()
        .map(|m| {
            let id = format!("create-m-{}", m.id);
            let checked = only_one || input.municipalities.contains(&m.id.to_string());
            view! {
                <div class="field check">
                    <input type="checkbox" id=id.clone() name="municipality" value=m.id.to_string() checked=checked />
                    <label for=id>{m.name.get(lang).to_owned()}</label>
                </div>
            }
        })
        .collect_view();
    let groups = d
        .target_groups
        .iter()
        .map(|g| {
            let picked = input.groups.iter().find(|x| x.target_group_id == g.id.to_string());
            let cb = format!("create-g-{}", g.id);
            let target_field = format!("target_{}", g.id);
            let invite_field = format!("invite_{}", g.id);
            let target_id = e.id(&target_field);
            let invite_id = e.id(&invite_field);
            let name = g.name.get(lang).to_owned();
            let target_label = tr_with(lang, "builder.target_for", &[("group", &name)]);
            let invite_label = tr_with(lang, "builder.invite_for", &[("group", &name)]);
            view! {
                <tr>
                    <td>
                        <div class="field check">
                            <input type="checkbox" id=cb.clone() name="group" value=g.id.to_string() checked=picked.is_some() />
                            <label for=cb>{name.clone()}</label>
                        </div>
                    </td>
                    <td>
                        <label for=target_id.clone() class="visually-hidden">{target_label}</label>
                        {e.error(&target_field)}
                        <input id=target_id name=target_field.clone() type="number" inputmode="numeric" min="1" class="narrow"
                            value=picked.map(|p| p.target.clone()).unwrap_or_default()
                            aria-describedby=e.described(&target_field, false) aria-invalid=e.invalid(&target_field) />
                    </td>
                    <td>
                        <label for=invite_id.clone() class="visually-hidden">{invite_label}</label>
                        {e.error(&invite_field)}
                        <input id=invite_id name=invite_field.clone() type="text" autocomplete="off" class="narrow"
                            value=picked.map(|p| p.invite_code.clone()).unwrap_or_default()
                            aria-describedby=e.described(&invite_field, false) aria-invalid=e.invalid(&invite_field) />
                    </td>
                </tr>
            }
        })
        .collect_view();
    let bank = d
        .bank
        .iter()
        .map(|b| {
            let id = format!("create-b-{}", b.id);
            let checked = input.bank_items.contains(&b.id.to_string());
            view! {
                <div class="field check">
                    <input type="checkbox" id=id.clone() name="bank_item" value=b.id.to_string() checked=checked />
                    <label for=id>
                        {b.text.get(lang).to_owned()}
                        <span class="muted">{format!(" ({})", kind_label(lang, &b.kind))}</span>
                    </label>
                </div>
            }
        })
        .collect_view();
    let dates = period_inputs(
        &e,
        lang,
        (input.opens_on.clone(), input.closes_on.clone()),
        (false, false),
    );
    let municipalities = view! {
                <fieldset class="builder-fieldset" aria-describedby=e.described("municipalities", false)>
                    <legend>{tr(lang, "builder.municipalities")}</legend>
                    {e.error("municipalities")}
                    {municipalities}
                </fieldset>
    }
    .into_any();
    let groups = view! {
                <fieldset class="builder-fieldset" aria-describedby=e.described("groups", false)>
                    <legend>{tr(lang, "builder.groups_legend")}</legend>
                    <p class="hint">{tr(lang, "builder.groups_hint")}</p>
                    {e.error("groups")}
                    <div class="table-scroll">
                        <table class="group-table">
                            <thead><tr>
                                <th scope="col">{tr(lang, "builder.group")}</th>
                                <th scope="col">{tr(lang, "builder.target")}</th>
                                <th scope="col">{tr(lang, "builder.invite")}</th>
                            </tr></thead>
                            <tbody>{groups}</tbody>
                        </table>
                    </div>
                </fieldset>
    }
    .into_any();
    let earlier = d
        .dialogues
        .iter()
        .map(|x| {
            let id = x.id.to_string();
            let selected = input.follow_up_of == id;
            view! { <option value=id selected=selected>{format!("{} ({})", x.title.get(lang), x.lpo_name)}</option> }
        })
        .collect_view();
    let follow_up = view! {
                <div class="field">
                    <label class="q-label" for=e.id("follow_up_of")>{tr(lang, "builder.follow_up_of")}</label>
                    <p class="hint" id=format!("{}-hint", e.id("follow_up_of"))>{tr(lang, "builder.follow_up_hint")}</p>
                    {e.error("follow_up_of")}
                    <select id=e.id("follow_up_of") name="follow_up_of"
                        aria-describedby=e.described("follow_up_of", true) aria-invalid=e.invalid("follow_up_of")>
                        <option value="">{tr(lang, "builder.follow_up_none")}</option>
                        {earlier}
                    </select>
                </div>
    }
    .into_any();
    let bank = view! {
                <fieldset class="builder-fieldset" aria-describedby=e.described("bank_items", false)>
                    <legend>{tr(lang, "builder.bank_legend")}</legend>
                    {e.error("bank_items")}
                    {bank}
                </fieldset>
    }
    .into_any();
    let texts = view! {
                {text_input(&e, "title_sv", tr(lang, "builder.title_sv"), input.title_sv.clone())}
                {text_input(&e, "title_en", tr(lang, "builder.title_en"), input.title_en.clone())}
                {text_area(&e, "intro_sv", tr(lang, "builder.intro_sv"), input.intro_sv.clone(), None)}
                {text_area(&e, "intro_en", tr(lang, "builder.intro_en"), input.intro_en.clone(), None)}
    }
    .into_any();
    view! {
        <h1>{tr(lang, "builder.title")}</h1>
        <p class="lead">{tr(lang, "builder.lead")}</p>
        {deleted.then(|| view! { <p class="notice" role="status">{tr(lang, "dialogue.deleted")}</p> })}
        {search}
        <p role="status" id="dialogues-found">{found}</p>
        {list}
        {pager}
        <section class="card" aria-labelledby="create-title">
            <h2 id="create-title">{tr(lang, "builder.create_title")}</h2>
            {summary(lang, &mine)}
            <form method="post" action=paths::DIALOGUES class="stack-form" id="create-form" novalidate=true>
                {keeps_draft("create", paths::DIALOGUES)}
                {texts}
                {dates}
                {municipalities}
                {groups}
                {bank}
                {follow_up}
                <button type="submit" class="button primary">{tr(lang, "builder.create")}</button>
            </form>
        </section>
    }
}

/// The first and last day of a dialogue's period, typed as `YYYY-MM-DD` (Stockholm days),
/// each read-only when the rule of change fixes it.
fn period_inputs(
    e: &Errs,
    lang: Lang,
    (opens, closes): (String, String),
    (opens_fixed, closes_fixed): (bool, bool),
) -> AnyView {
    view! {
        <div class="two-col">
            <div>
                <label class="q-label" for=e.id("opens_on")>{tr(lang, "builder.opens_on")}</label>
                <p class="hint" id=format!("{}-hint", e.id("opens_on"))>{tr(lang, "builder.opens_hint")}</p>
                {e.error("opens_on")}
                <input id=e.id("opens_on") name="opens_on" type="text" inputmode="numeric" autocomplete="off" readonly=opens_fixed
                    value=opens aria-describedby=e.described("opens_on", true) aria-invalid=e.invalid("opens_on") />
            </div>
            <div>
                <label class="q-label" for=e.id("closes_on")>{tr(lang, "builder.closes_on")}</label>
                <p class="hint" id=format!("{}-hint", e.id("closes_on"))>{tr(lang, "builder.closes_hint")}</p>
                {e.error("closes_on")}
                <input id=e.id("closes_on") name="closes_on" type="text" inputmode="numeric" autocomplete="off" readonly=closes_fixed
                    value=closes aria-describedby=e.described("closes_on", true) aria-invalid=e.invalid("closes_on") />
            </div>
        </div>
    }
    .into_any()
}

/// Under a bank item: retire it (or restore a retired one), and delete it, asked twice, when
/// no dialogue holds a copy (`domain::builder::bank_change_refusal`).
fn bank_item_manage(
    lang: Lang,
    b: &BankItem,
    in_use: bool,
    posted: &Option<PostedBuilderForm>,
) -> AnyView {
    use domain::builder::{BankChange, bank_change_refusal};
    let path = paths::fill(paths::BANK_ITEM_CHANGE, &[&b.id]);
    let error = posted_for(posted, &format!("bank-manage-{}", b.id))
        .and_then(|p| p.errors.first().map(|(_, k)| k.clone()));
    let allowed = |c| bank_change_refusal(c, b.retired, in_use).is_none();
    let toggle = if b.retired {
        allowed(BankChange::Restore).then(|| action_button(lang, &path, "restore", "bank.restore"))
    } else {
        allowed(BankChange::Retire).then(|| action_button(lang, &path, "retire", "bank.retire"))
    };
    let delete = if allowed(BankChange::Delete) {
        asked_twice(
            lang,
            &path,
            "delete",
            [
                "bank.delete_open",
                "bank.delete_confirm",
                "bank.delete_really",
            ],
            true,
        )
    } else {
        view! { <p class="hint">{tr(lang, "bank.in_use_hint")}</p> }.into_any()
    };
    view! {
        <div class="theme-manage" data-bank-manage=b.code.clone()>
            {error.map(|k| view! { <p class="field-error" role="alert">{tr(lang, &k)}</p> })}
            {toggle}
            {delete}
        </div>
    }
    .into_any()
}

/// The dialogues list's search (a GET form: the view lives in the URL).
fn dialogues_search(lang: Lang, q: &DialogueQuery) -> AnyView {
    let views = [
        ("", "dialogue.view_current"),
        ("kommande", "dialogue.view_upcoming"),
        ("oppna", "dialogue.view_open"),
        ("avslutade", "dialogue.view_closed"),
        ("arkiverade", "dialogue.view_archived"),
    ]
    .into_iter()
    .map(|(code, key)| {
        let selected = q.view_code() == code;
        view! { <option value=code selected=selected>{tr(lang, key)}</option> }
    })
    .collect_view();
    view! {
        <form method="get" action=paths::DIALOGUES class="filters" role="search" aria-label=tr(lang, "dialogue.search")>
            <div class="field">
                <label class="q-label" for="d-sok">{tr(lang, "dialogue.search_text")}</label>
                <input id="d-sok" name="sok" type="search" maxlength="100" value=q.text.clone() />
            </div>
            <div class="field">
                <label class="q-label" for="d-visa">{tr(lang, "dialogue.view")}</label>
                <select id="d-visa" name="visa">{views}</select>
            </div>
            <button type="submit" class="button">{tr(lang, "users.search_button")}</button>
            " "<a href=paths::DIALOGUES>{tr(lang, "audit.clear")}</a>
        </form>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// One dialogue.

#[component]
pub fn DialoguePage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    let id = use_params_map()
        .read_untracked()
        .get("dialogue")
        .and_then(|s| s.parse::<i64>().ok());
    let query = use_query_map();
    let saved = query.read_untracked().get("sparad").is_some();
    view! {
        <Page>
            <Title text=tr(lang, "builder.dialogue_title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let who = access(domain::Permission::BuildDialogues).await;
                    let data = match (&who, id) {
                        (Ok(_), Some(id)) => load_dialogue(id).await,
                        (Ok(_), None) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(404);
                            Err(AppError::NotFound)
                        }
                        (Err(e), _) => Err(e.clone()),
                    };
                    guarded(lang, paths::DIALOGUES, who, move |_| match data {
                        Ok(d) => dialogue_body(d, posted, saved, lang).into_any(),
                        Err(e) => view! {
                            <h1>{tr(lang, "builder.dialogue_title")}</h1>
                            <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                            <p><a href=paths::DIALOGUES>{tr(lang, "builder.back")}</a></p>
                        }
                        .into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn condition_text(lang: Lang, q: &BuilderQuestion, all: &[BuilderQuestion]) -> Option<String> {
    let c = q.condition.as_ref()?;
    let target = all.iter().find(|x| x.id == c.question_id)?;
    Some(tr_with(
        lang,
        "builder.shown_if",
        &[
            ("n", &target.position.to_string()),
            ("codes", &c.any_of.join(", ")),
        ],
    ))
}

fn codes_text(lang: Lang, kind: &QuestionKind) -> Option<String> {
    match answer_codes(kind) {
        Some(codes) if !codes.is_empty() => Some(tr_with(
            lang,
            "builder.codes",
            &[("codes", &codes.join(", "))],
        )),
        Some(_) => None,
        None => Some(tr(lang, "builder.codes_area")),
    }
}

fn question_item(
    d: &DialogueDetail,
    q: &BuilderQuestion,
    posted: &Option<PostedBuilderForm>,
    lang: Lang,
) -> impl IntoView + use<> {
    let base = paths::fill(paths::QUESTION, &[&d.id, &q.id]);
    let key = format!("question-{}", q.id);
    let mine = posted_for(posted, &key);
    let open = mine.is_some();
    let input = mine
        .as_ref()
        .map(|p| QuestionInput::from_fields(&p.values))
        .unwrap_or_else(|| {
            QuestionInput::from_question(&q.text, &q.kind, q.required, q.condition.as_ref())
        });
    let e = Errs::new(&key, &mine, lang);
    let earlier: Vec<BuilderQuestion> = d
        .questions
        .iter()
        .filter(|x| x.position < q.position)
        .cloned()
        .collect();
    let mode = if d.frozen {
        QuestionMode::Frozen
    } else {
        QuestionMode::Open
    };
    let text = q.text.get(lang).to_owned();
    let form = question_form(
        &e,
        base.clone(),
        input,
        mode,
        &earlier,
        tr(
            lang,
            if d.frozen {
                "builder.save_wording"
            } else {
                "form.save"
            },
        ),
    );
    let action_error = [format!("move-{}", q.id), format!("remove-{}", q.id)]
        .iter()
        .find_map(|k| posted_for(posted, k))
        .map(|p| {
            let keys = p
                .errors
                .into_iter()
                .map(|(_, k)| tr(lang, &k))
                .collect::<Vec<_>>()
                .join(" ");
            view! { <p class="field-error" role="alert">{keys}</p> }
        });
    let actions = (!d.frozen).then(|| {
        let up = tr_with(lang, "builder.move_up", &[("q", &text)]);
        let down = tr_with(lang, "builder.move_down", &[("q", &text)]);
        let remove = tr_with(lang, "builder.remove", &[("q", &text)]);
        view! {
            <div class="question-actions">
                <form method="post" action=paths::fill(paths::MOVE_QUESTION, &[&d.id, &q.id]) class="inline-form">
                    <input type="hidden" name="direction" value="up" />
                    <button type="submit" class="button small" aria-label=up>{tr(lang, "builder.up")}</button>
                </form>
                <form method="post" action=paths::fill(paths::MOVE_QUESTION, &[&d.id, &q.id]) class="inline-form">
                    <input type="hidden" name="direction" value="down" />
                    <button type="submit" class="button small" aria-label=down>{tr(lang, "builder.down")}</button>
                </form>
                <form method="post" action=paths::fill(paths::REMOVE_QUESTION, &[&d.id, &q.id]) class="inline-form">
                    <button type="submit" class="button small" aria-label=remove>{tr(lang, "builder.remove_short")}</button>
                </form>
            </div>
        }
    });
    let history = (!q.history.is_empty()).then(|| {
        let items = q
            .history
            .iter()
            .map(|(rev, t)| {
                view! { <li>{tr_with(lang, "builder.revision_n", &[("n", &rev.to_string())])}": "{t.get(lang).to_owned()}</li> }
            })
            .collect_view();
        view! {
            <details class="history">
                <summary>{tr(lang, "builder.history")}</summary>
                <ul>{items}</ul>
            </details>
        }
    });
    let options = match &q.kind {
        QuestionKind::Single { options } | QuestionKind::Multi { options } => Some(
            options
                .iter()
                .map(|o| view! { <li>{o.label.get(lang).to_owned()}" "<code>{o.code.clone()}</code></li> })
                .collect_view(),
        ),
        _ => None,
    };
    let mut meta = vec![kind_label(lang, &q.kind)];
    meta.push(tr(
        lang,
        if q.required {
            "builder.is_required"
        } else {
            "builder.is_optional"
        },
    ));
    if q.bank_item_id.is_some() {
        meta.push(tr(lang, "builder.from_bank"));
    }
    if q.revision > 1 {
        meta.push(tr_with(
            lang,
            "builder.revision_n",
            &[("n", &q.revision.to_string())],
        ));
    }
    view! {
        <li class="question-item" data-question=q.id.to_string()>
            <p class="question-text"><strong>{text.clone()}</strong></p>
            <p class="muted">{meta.join(" · ")}</p>
            {condition_text(lang, q, &d.questions).map(|c| view! { <p class="muted">{c}</p> })}
            {options.map(|o| view! { <ul class="option-list">{o}</ul> })}
            {codes_text(lang, &q.kind).map(|c| view! { <p class="hint">{c}</p> })}
            {action_error}
            {actions}
            {history}
            <details class="edit" open=open>
                <summary>{tr_with(lang, "builder.edit_q", &[("q", &text)])}</summary>
                {summary(lang, &mine)}
                {form}
            </details>
        </li>
    }
}

fn dialogue_body(
    data: DialogueData,
    posted: Option<PostedBuilderForm>,
    saved: bool,
    lang: Lang,
) -> impl IntoView {
    let d = data.detail;
    let site = data.site_url;
    let questions = d
        .questions
        .iter()
        .map(|q| question_item(&d, q, &posted, lang))
        .collect_view();
    let no_questions = d.questions.is_empty();
    let period = tr_with(
        lang,
        "builder.period_text",
        &[
            ("opens", &day(d.opens_at)),
            ("closes", &last_day(d.closes_at)),
        ],
    );
    let adders = (!d.frozen).then(|| {
        let bank_post = posted_for(&posted, "bank-questions");
        let be = Errs::new("bank-questions", &bank_post, lang);
        let items = d
            .bank
            .iter()
            .map(|b| {
                let id = format!("bq-{}", b.id);
                let used = d.questions.iter().any(|q| q.bank_item_id == Some(b.id));
                view! {
                    <div class="field check">
                        <input type="checkbox" id=id.clone() name="bank_item" value=b.id.to_string() />
                        <label for=id>
                            {b.text.get(lang).to_owned()}
                            <span class="muted">{format!(" ({})", kind_label(lang, &b.kind))}</span>
                            {used.then(|| view! { <span class="muted">{format!(" – {}", tr(lang, "builder.already_used"))}</span> })}
                        </label>
                    </div>
                }
            })
            .collect_view();
        let own_post = posted_for(&posted, "question-new");
        let oe = Errs::new("question-new", &own_post, lang);
        let own_input = own_post
            .as_ref()
            .map(|p| QuestionInput::from_fields(&p.values))
            .unwrap_or_else(|| QuestionInput {
                max_len: "500".to_owned(),
                ..Default::default()
            });
        let own_form = question_form(
            &oe,
            paths::fill(paths::QUESTIONS, &[&d.id]),
            own_input,
            QuestionMode::Open,
            &d.questions,
            tr(lang, "builder.add_question"),
        );
        view! {
            <section class="card" aria-labelledby="from-bank-title">
                <h3 id="from-bank-title">{tr(lang, "builder.from_bank_title")}</h3>
                {summary(lang, &bank_post)}
                <form method="post" action=paths::fill(paths::BANK_QUESTIONS, &[&d.id]) class="stack-form" id="bank-questions-form">
                    <fieldset class="builder-fieldset" aria-describedby=be.described("bank_items", false)>
                        <legend>{tr(lang, "builder.bank_legend")}</legend>
                        {be.error("bank_items")}
                        {items}
                    </fieldset>
                    <button type="submit" class="button primary">{tr(lang, "builder.add_from_bank")}</button>
                </form>
            </section>
            <section class="card" aria-labelledby="own-title">
                <h3 id="own-title">{tr(lang, "builder.own_title")}</h3>
                {summary(lang, &own_post)}
                {own_form}
            </section>
        }
    });
    let groups = d
        .groups
        .iter()
        .map(|g| {
            let path = paths::survey(&g.link_code);
            let full = format!("{site}{path}");
            let name = g.name.get(lang).to_owned();
            let qr_alt = tr_with(lang, "builder.qr_alt", &[("group", &name)]);
            let poster_label = tr_with(lang, "builder.poster_for", &[("group", &name)]);
            view! {
                <tr data-link=g.link_code.clone()>
                    <th scope="row">{name.clone()}</th>
                    <td>{g.target_count}</td>
                    <td><a href=path.clone() class="link-code">{full}</a></td>
                    <td>
                        <img src=paths::qr(&g.link_code) alt=qr_alt width="96" height="96" class="qr-thumb" />
                        <br />
                        <a href=paths::qr(&g.link_code) download=format!("qr-{}.svg", g.link_code)>{tr(lang, "builder.qr_download")}</a>
                    </td>
                    <td><a href=paths::poster(&g.link_code) aria-label=poster_label>{tr(lang, "builder.poster")}</a></td>
                    <td>{tr(lang, if g.has_invite { "builder.invite_yes" } else { "builder.invite_no" })}</td>
                </tr>
            }
        })
        .collect_view();
    let kiosk_flash = data.kiosk_token.map(|(token, display)| {
        if display {
            let url = format!("{site}{}", paths::display(&token));
            return view! {
                <div class="notice" role="status" id="kiosk-issued">
                    <p class="notice-title">{tr(lang, "builder.display_issued")}</p>
                    <p>{tr(lang, "builder.kiosk_once")}</p>
                    <p><code class="kiosk-url">{url}</code></p>
                </div>
            }
            .into_any();
        }
        let urls = d
            .groups
            .iter()
            .map(|g| {
                let url = format!("{site}{}?kiosk={token}", paths::survey(&g.link_code));
                view! { <li>{g.name.get(lang).to_owned()}": "<code class="kiosk-url">{url}</code></li> }
            })
            .collect_view();
        view! {
            <div class="notice" role="status" id="kiosk-issued">
                <p class="notice-title">{tr(lang, "builder.kiosk_issued")}</p>
                <p>{tr(lang, "builder.kiosk_once")}</p>
                <ul>{urls}</ul>
            </div>
        }
        .into_any()
    });
    let kiosks = d
        .kiosks
        .iter()
        .map(|k| {
            let revoke = (!k.revoked).then(|| {
                let label = tr_with(lang, "builder.kiosk_revoke_for", &[("label", &k.label)]);
                view! {
                    <form method="post" action=paths::fill(paths::REVOKE_KIOSK, &[&d.id, &k.id]) class="inline-form">
                        <button type="submit" class="button small" aria-label=label>{tr(lang, "builder.kiosk_revoke")}</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{k.label.clone()}</td>
                    <td>{tr(lang, if k.display { "builder.purpose_display" } else { "builder.purpose_kiosk" })}</td>
                    <td>{domain::time::format_stockholm(k.created_at)}</td>
                    <td>{tr(lang, if k.revoked { "builder.kiosk_revoked" } else { "builder.kiosk_active" })}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    let has_kiosks = !d.kiosks.is_empty();
    let kiosk_post = posted_for(&posted, "kiosk");
    let ke = Errs::new("kiosk", &kiosk_post, lang);
    let title = d.title.get(lang).to_owned();
    let head = view! {
        <p><a href=paths::DIALOGUES>{tr(lang, "builder.back")}</a></p>
        <h1>{title}</h1>
        {banner(lang, &posted)}
        {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "builder.saved")}</p> })}
        <p class="lead">{d.intro.get(lang).to_owned()}</p>
        <dl class="facts">
            <dt>{tr(lang, "builder.lpo")}</dt><dd>{d.lpo_name.clone()}</dd>
            <dt>{tr(lang, "builder.period")}</dt><dd>{period}</dd>
            <dt>{tr(lang, "builder.municipalities")}</dt><dd>{d.municipalities.join(", ")}</dd>
        </dl>
        {d.frozen.then(|| view! { <p class="notice" id="frozen-notice">{tr(lang, "builder.frozen_notice")}</p> })}
    }
    .into_any();
    let question_section = view! {
        <section aria-labelledby="questions-title">
            <h2 id="questions-title">{tr(lang, "builder.questions")}</h2>
            {no_questions.then(|| view! { <p>{tr(lang, "builder.no_questions")}</p> })}
            <ol class="question-list">{questions}</ol>
            {adders.map(IntoAny::into_any)}
        </section>
    }
    .into_any();
    let distribution = view! {
        <section aria-labelledby="distribution-title">
            <h2 id="distribution-title">{tr(lang, "builder.distribution")}</h2>
            <p>{tr(lang, "builder.distribution_lead")}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "builder.distribution")>
                <table class="distribution">
                    <caption class="visually-hidden">{tr(lang, "builder.distribution")}</caption>
                    <thead><tr>
                        <th scope="col">{tr(lang, "builder.group")}</th>
                        <th scope="col">{tr(lang, "builder.target")}</th>
                        <th scope="col">{tr(lang, "builder.link")}</th>
                        <th scope="col">{tr(lang, "builder.qr")}</th>
                        <th scope="col">{tr(lang, "builder.poster")}</th>
                        <th scope="col">{tr(lang, "builder.invite")}</th>
                    </tr></thead>
                    <tbody>{groups}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any();
    let kiosk_section = view! {
        <section aria-labelledby="kiosk-title">
            <h2 id="kiosk-title">{tr(lang, "builder.kiosks")}</h2>
            <p>{tr(lang, "builder.kiosk_lead")}</p>
            {kiosk_flash}
            {has_kiosks.then(|| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "builder.kiosks")>
                    <table>
                        <caption class="visually-hidden">{tr(lang, "builder.kiosks")}</caption>
                        <thead><tr>
                            <th scope="col">{tr(lang, "builder.kiosk_label")}</th>
                            <th scope="col">{tr(lang, "builder.kiosk_purpose")}</th>
                            <th scope="col">{tr(lang, "builder.kiosk_created")}</th>
                            <th scope="col">{tr(lang, "builder.kiosk_status")}</th>
                            <th scope="col">{tr(lang, "builder.kiosk_actions")}</th>
                        </tr></thead>
                        <tbody>{kiosks}</tbody>
                    </table>
                </div>
            })}
            {summary(lang, &kiosk_post)}
            <form method="post" action=paths::fill(paths::KIOSKS, &[&d.id]) class="filters" id="kiosk-form" novalidate=true>
                <div class="field">
                    {text_input(&ke, "label", tr(lang, "builder.kiosk_label"), String::new())}
                </div>
                <fieldset class="field">
                    <legend class="q-label">{tr(lang, "builder.kiosk_purpose")}</legend>
                    <label class="choice"><input type="radio" name="purpose" value="kiosk" checked=true />" "{tr(lang, "builder.purpose_kiosk")}</label>
                    <label class="choice"><input type="radio" name="purpose" value="display" />" "{tr(lang, "builder.purpose_display")}</label>
                </fieldset>
                <button type="submit" class="button">{tr(lang, "builder.kiosk_issue")}</button>
            </form>
        </section>
    }
    .into_any();
    let settings = settings_section(&d, &posted, lang);
    let manage = manage_section(&d, &posted, lang);
    view! { {head} {settings} {question_section} {distribution} {kiosk_section} {manage} }
}

/// The dialogue's settings: title, introduction, period and targets, in a form that opens on
/// demand (and comes back open, with the values typed, when refused). The version is the
/// stored one, so saving again after a conflict replaces what is stored, on purpose; the
/// page above the form shows what is stored.
fn settings_section(d: &DialogueDetail, posted: &Option<PostedBuilderForm>, lang: Lang) -> AnyView {
    let post = posted_for(posted, "settings");
    let e = Errs::new("settings", &post, lang);
    let open = post.is_some();
    let typed = post
        .as_ref()
        .map(|p| domain::dialogue::SettingsInput::from_fields(&p.values));
    let stored = domain::dialogue::SettingsInput {
        title_sv: d.title.get(domain::Lang::Sv).to_owned(),
        title_en: d.title.get(domain::Lang::En).to_owned(),
        intro_sv: d.intro.get(domain::Lang::Sv).to_owned(),
        intro_en: d.intro.get(domain::Lang::En).to_owned(),
        opens_on: day(d.opens_at),
        closes_on: last_day(d.closes_at),
        targets: d
            .groups
            .iter()
            .map(|g| (g.id, g.target_count.to_string()))
            .collect(),
    };
    let conflict = post
        .as_ref()
        .is_some_and(|p| p.message.as_deref() == Some("form.conflict"));
    let input = typed.unwrap_or_else(|| stored.clone());
    let opens_fixed = d.phase != Phase::Upcoming;
    let closes_fixed = d.phase == Phase::Closed;
    let period_hint = tr(
        lang,
        match d.phase {
            Phase::Upcoming => "dialogue.period_hint_upcoming",
            Phase::Open => "dialogue.period_hint_open",
            Phase::Closed => "dialogue.period_hint_closed",
        },
    );
    let targets = d
        .groups
        .iter()
        .map(|g| {
            let field = format!("target_{}", g.id);
            let id = e.id(&field);
            let value = input.target(g.id).unwrap_or_default().to_owned();
            view! {
                <div class="field">
                    <label for=id.clone()>{tr_with(lang, "dialogue.target_of", &[("group", g.name.get(lang))])}</label>
                    {e.error(&field)}
                    <input id=id.clone() name=field.clone() type="number" min="1" max="1000000" class="narrow"
                        value=value aria-describedby=e.described(&field, false) aria-invalid=e.invalid(&field) />
                </div>
            }
        })
        .collect_view();
    let stored_view = conflict.then(|| {
        let targets = d
            .groups
            .iter()
            .map(|g| format!("{}: {}", g.name.get(lang), g.target_count))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <div class="notice" id="settings-stored">
                <p class="notice-title">{tr(lang, "dialogue.stored_now")}</p>
                <dl class="facts">
                    <dt>{tr(lang, "builder.title_sv")}</dt><dd>{stored.title_sv.clone()}</dd>
                    <dt>{tr(lang, "builder.title_en")}</dt><dd>{stored.title_en.clone()}</dd>
                    <dt>{tr(lang, "builder.period")}</dt><dd>{format!("{} – {}", stored.opens_on, stored.closes_on)}</dd>
                    <dt>{tr(lang, "builder.target")}</dt><dd>{targets}</dd>
                </dl>
                <p>{tr(lang, "dialogue.conflict_yours")}</p>
            </div>
        }
    });
    view! {
        <section aria-labelledby="settings-title">
            <h2 id="settings-title">{tr(lang, "dialogue.settings")}</h2>
            <details class="inline-form" open=open>
                <summary>{tr(lang, "dialogue.edit_settings")}</summary>
                {summary(lang, &post)}
                {stored_view}
                <form method="post" action=paths::fill(paths::DIALOGUE_SETTINGS, &[&d.id]) class="stack-form" id="settings-form" novalidate=true>
                    <input type="hidden" name="version" value=d.version.to_string() />
                    {keeps_draft("settings", &paths::dialogue(d.id))}
                    {text_input(&e, "title_sv", tr(lang, "builder.title_sv"), input.title_sv.clone())}
                    {text_input(&e, "title_en", tr(lang, "builder.title_en"), input.title_en.clone())}
                    {text_area(&e, "intro_sv", tr(lang, "builder.intro_sv"), input.intro_sv.clone(), None)}
                    {text_area(&e, "intro_en", tr(lang, "builder.intro_en"), input.intro_en.clone(), None)}
                    <fieldset class="builder-fieldset">
                        <legend>{tr(lang, "builder.period")}</legend>
                        <p class="hint">{period_hint}</p>
                        {period_inputs(&e, lang, (input.opens_on.clone(), input.closes_on.clone()), (opens_fixed, closes_fixed))}
                    </fieldset>
                    <fieldset class="builder-fieldset">
                        <legend>{tr(lang, "builder.target")}</legend>
                        {targets}
                    </fieldset>
                    <button type="submit" class="button primary">{tr(lang, "dialogue.save_settings")}</button>
                </form>
            </details>
        </section>
    }
    .into_any()
}

/// What may be done with the whole dialogue: close it early (open ones, asked twice),
/// archive or restore it (closed ones), delete it (only without history, asked twice). Each
/// button is shown only when the rule allows it, and the rule is said in words.
fn manage_section(d: &DialogueDetail, posted: &Option<PostedBuilderForm>, lang: Lang) -> AnyView {
    use domain::dialogue::{Change, change_refusal};
    let post = posted_for(posted, "manage");
    let error = post
        .as_ref()
        .and_then(|p| p.errors.first().map(|(_, k)| k.clone()));
    let action = paths::fill(paths::DIALOGUE_CHANGE, &[&d.id]);
    let allowed = |c: Change| change_refusal(c, d.phase, d.archived, d.history).is_none();
    let twice = |what, open, confirm, really, danger| {
        asked_twice(lang, &action, what, [open, confirm, really], danger)
    };
    let once = |what, label| action_button(lang, &action, what, label);
    let close = allowed(Change::CloseEarly).then(|| {
        twice(
            "close",
            "dialogue.close_open",
            "dialogue.close_confirm",
            "dialogue.close_really",
            false,
        )
    });
    let archive = allowed(Change::Archive).then(|| once("archive", "dialogue.archive"));
    let restore = allowed(Change::Restore).then(|| once("restore", "dialogue.restore"));
    let delete = allowed(Change::Delete).then(|| {
        twice(
            "delete",
            "dialogue.delete_open",
            "dialogue.delete_confirm",
            "dialogue.delete_really",
            true,
        )
    });
    let rule = tr(
        lang,
        match (d.archived, d.phase, d.history) {
            (true, _, _) => "dialogue.rule_archived",
            (false, Phase::Closed, _) => "dialogue.rule_closed",
            (false, _, true) => "dialogue.rule_history",
            (false, _, false) => "dialogue.rule_no_history",
        },
    );
    view! {
        <section aria-labelledby="manage-title">
            <h2 id="manage-title">{tr(lang, "dialogue.manage")}</h2>
            {d.archived.then(|| view! { <p class="notice" id="archived-notice">{tr(lang, "dialogue.archived_notice")}</p> })}
            <p class="hint">{rule}</p>
            {error.map(|k| view! { <p class="field-error" role="alert">{tr(lang, &k)}</p> })}
            <div class="theme-manage">{close}{archive}{restore}{delete}</div>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// The shared question bank (admins).

#[component]
pub fn BankPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    let saved = use_query_map().read_untracked().get("sparad").is_some();
    view! {
        <Page>
            <Title text=tr(lang, "bank.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Administer, load_bank).await;
                    guarded(lang, paths::BANK, who, move |_| match data {
                        Ok(data) => bank_body(data, posted, saved, lang).into_any(),
                        Err(e) => view! {
                            <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                        }
                        .into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn bank_body(
    data: BankData,
    posted: Option<PostedBuilderForm>,
    saved: bool,
    lang: Lang,
) -> impl IntoView {
    let item = |b: &BankItem| {
        let key = format!("bank-{}", b.id);
        let mine = posted_for(&posted, &key);
        let open = mine.is_some();
        let input = mine
            .as_ref()
            .map(|p| QuestionInput::from_fields(&p.values))
            .unwrap_or_else(|| QuestionInput::from_question(&b.text, &b.kind, false, None));
        let e = Errs::new(&key, &mine, lang);
        let text = b.text.get(lang).to_owned();
        let form = question_form(
            &e,
            paths::fill(paths::BANK_ITEM, &[&b.id]),
            input,
            QuestionMode::BankEdit,
            &[],
            tr(lang, "form.save"),
        );
        let manage = bank_item_manage(lang, b, data.in_use.contains(&b.id), &posted);
        view! {
            <li class="question-item" data-bank=b.code.clone()>
                <p class="question-text"><strong>{text.clone()}</strong></p>
                <p class="muted">
                    {format!("{} · ", kind_label(lang, &b.kind))}<code>{b.code.clone()}</code>
                    {format!(" · {}", tr_with(lang, "builder.revision_n", &[("n", &b.revision.to_string())]))}
                </p>
                {codes_text(lang, &b.kind).map(|c| view! { <p class="hint">{c}</p> })}
                <details class="edit" open=open>
                    <summary>{tr_with(lang, "builder.edit_q", &[("q", &text)])}</summary>
                    {summary(lang, &mine)}
                    {form}
                </details>
                {manage}
            </li>
        }
    };
    let list = data
        .items
        .iter()
        .filter(|b| !b.retired)
        .map(item)
        .collect_view();
    let retired: Vec<&BankItem> = data.items.iter().filter(|b| b.retired).collect();
    let retired_count = retired.len();
    let retired_open = posted.as_ref().is_some_and(|p| {
        retired
            .iter()
            .any(|b| p.form == format!("bank-manage-{}", b.id))
    });
    let retired_list = retired.into_iter().map(item).collect_view();
    let new_post = posted_for(&posted, "bank-new");
    let ne = Errs::new("bank-new", &new_post, lang);
    let new_input = new_post
        .as_ref()
        .map(|p| QuestionInput::from_fields(&p.values))
        .unwrap_or_else(|| QuestionInput {
            max_len: "500".to_owned(),
            ..Default::default()
        });
    let new_form = question_form(
        &ne,
        paths::BANK.to_owned(),
        new_input,
        QuestionMode::BankNew,
        &[],
        tr(lang, "bank.add"),
    );
    view! {
        <h1>{tr(lang, "bank.title")}</h1>
        <p class="lead">{tr(lang, "bank.lead")}</p>
        {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "bank.saved")}</p> })}
        <ol class="question-list">{list}</ol>
        {(retired_count > 0).then(|| view! {
            <details class="retired-items" open=retired_open>
                <summary>{tr_with(lang, "bank.retired_n", &[("n", &retired_count.to_string())])}</summary>
                <p class="hint">{tr(lang, "bank.retired_hint")}</p>
                <ol class="question-list">{retired_list}</ol>
            </details>
        })}
        <section class="card" aria-labelledby="bank-new-title">
            <h2 id="bank-new-title">{tr(lang, "bank.add_title")}</h2>
            {summary(lang, &new_post)}
            {new_form}
        </section>
    }
}
