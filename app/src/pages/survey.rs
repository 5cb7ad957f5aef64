//! The respondent's survey page, its island, and the thank-you page.
//!
//! The form is server-rendered and works without JavaScript (plain POST, handled in `server`):
//! every question is on the page. With WASM the island shows one question at a time with a
//! progress bar, validates inline, submits through `submit_survey`, and queues the answer in
//! the browser when the network is gone.
//!
//! The island gets its texts as a prop (`Texts`), already translated on the server, so the
//! catalogue and its machinery stay out of the WASM bundle.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use domain::{
    Choice, FieldError, FieldProblem, Invalid, Openness, Question, QuestionKind, Questionnaire,
    Survey,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SurveyPageData {
    pub survey: Survey,
    pub openness: Openness,
    /// Created at render, so a retry of the same form is recognised (also without JS).
    pub submission_id: String,
    /// When the form was rendered, signed (the minimum-time check).
    pub form_token: String,
    /// A live kiosk token, when the page is opened as a kiosk.
    pub kiosk: Option<String>,
    pub via_qr: bool,
}

/// A plain form POST that was refused: re-rendered with the typed values and the messages.
#[derive(Clone, Debug)]
pub struct PostedForm {
    pub fields: Vec<(String, String)>,
    pub error: AppError,
}

pub fn thanks_href(code: &str, lang: Lang, kiosk: Option<&str>) -> String {
    let mut query = Vec::new();
    if lang != Lang::Sv {
        query.push(format!("lang={}", lang.code()));
    }
    if let Some(k) = kiosk.filter(|k| !k.is_empty()) {
        query.push(format!("kiosk={k}"));
    }
    if query.is_empty() {
        format!("/s/{code}/tack")
    } else {
        format!("/s/{code}/tack?{}", query.join("&"))
    }
}

#[server(endpoint = "public/survey", input = Json)]
pub async fn get_survey(
    code: String,
    kiosk: Option<String>,
    via: Option<String>,
) -> Result<SurveyPageData, AppError> {
    use crate::ssr::{ensure_browser_cookie, internal, state};
    let st = state()?;
    let survey = st
        .writer
        .survey(&code)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?
        .survey
        .clone();
    let kiosk = match kiosk.filter(|k| !k.is_empty()) {
        Some(token) => {
            if !db::kiosk::is_valid(&st.db, survey.dialogue_id, &token)
                .await
                .map_err(internal)?
            {
                return Err(AppError::BadKiosk);
            }
            Some(token)
        }
        None => {
            ensure_browser_cookie();
            None
        }
    };
    let now = st.clock.now();
    let submission_id = uuid::Uuid::new_v4().to_string();
    Ok(SurveyPageData {
        openness: survey.openness(now),
        form_token: st.respondents.form_token(&submission_id, now),
        submission_id,
        kiosk,
        via_qr: via.as_deref() == Some("qr"),
        survey,
    })
}

/// Stores one answer; returns where to go next (the thank-you page). `fields` carries the
/// answers and the hidden fields of the form (submission id, token, kiosk, …).
#[server(endpoint = "public/submit", input = Json)]
pub async fn submit_survey(
    code: String,
    fields: Vec<(String, String)>,
    lang: Lang,
) -> Result<String, AppError> {
    use crate::ssr::{
        FIELD_KIOSK, Sender, ensure_browser_cookie, form_field, set_status, state, submit,
    };
    let st = state()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let address = st.respondents.client_address(&parts.headers, peer);
    // The request's token, or a new one set as a cookie on this response.
    let browser = ensure_browser_cookie();
    let sender = Sender {
        browser: browser.as_deref(),
        address: &address,
        paper: false,
    };
    match submit(&st, &code, &fields, sender).await {
        Ok(_) => Ok(thanks_href(
            &code,
            lang,
            Some(form_field(&fields, FIELD_KIOSK)),
        )),
        Err(e) => {
            set_status(e.status());
            Err(e)
        }
    }
}

/// The catalogue keys the island shows. Sent translated, as [`Texts`].
pub const ISLAND_KEYS: &[&str] = &[
    "survey.required",
    "survey.optional",
    "survey.dont_know",
    "survey.submit",
    "survey.sending",
    "survey.errors_title",
    "survey.chars_max",
    "survey.next",
    "survey.back",
    "survey.progress",
    "survey.queued",
    "survey.queued_sent",
    "survey.invite_label",
    "survey.invite_hint",
    "survey.honeypot",
    "error.required",
    "error.out_of_range",
    "error.unknown_option",
    "error.too_long",
    "error.malformed",
    "survey.not_found",
    "survey.closed",
    "survey.not_yet_open",
    "survey.unknown_question",
    "survey.bad_submission",
    "survey.network_error",
    "survey.server_error",
    "survey.rate_limited",
    "survey.too_fast",
    "survey.rejected",
    "survey.bad_invite",
    "survey.bad_kiosk",
    "survey.already_answered",
];

/// UI texts for an island, translated on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    lang: Lang,
    items: Vec<(String, String)>,
}

impl Texts {
    pub fn new(lang: Lang, keys: &[&str]) -> Texts {
        Texts {
            lang,
            items: keys
                .iter()
                .map(|k| ((*k).to_owned(), tr(lang, k)))
                .collect(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn get(&self, key: &str) -> String {
        self.items
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(key);
        for (name, value) in args {
            s = s.replace(&format!("%{{{name}}}"), value);
        }
        s
    }
}

/// What the island needs of the survey: no dates, nothing server-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormModel {
    pub code: String,
    pub lang: Lang,
    pub questionnaire: Questionnaire,
    pub submission_id: String,
    pub form_token: String,
    pub kiosk: Option<String>,
    pub via_qr: bool,
    pub invite_required: bool,
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let query = use_query_map();
    let kiosk = query.read_untracked().get("kiosk");
    let via = query.read_untracked().get("via");
    let posted = use_context::<PostedForm>();
    view! {
        <Page>
            <Suspense fallback=|| ()>
                {
                    let code = code.clone();
                    let posted = posted.clone();
                    let kiosk = kiosk.clone();
                    let via = via.clone();
                    Suspend::new(async move {
                        match get_survey(code, kiosk, via).await {
                            Ok(data) => survey_body(data, posted, lang).into_any(),
                            Err(e) => {
                                #[cfg(feature = "ssr")]
                                crate::ssr::set_status(e.status());
                                let key = e.message_key().unwrap_or("survey.not_found");
                                view! {
                                    <Title text=tr(lang, "notfound.title") />
                                    <h1>{tr(lang, "notfound.title")}</h1>
                                    <p>{tr(lang, key)}</p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }
            </Suspense>
        </Page>
    }
}

fn survey_body(data: SurveyPageData, posted: Option<PostedForm>, lang: Lang) -> impl IntoView {
    let s = &data.survey;
    let title = s.title.get(lang).to_owned();
    let intro = s.intro.get(lang).to_owned();
    let group = tr_with(
        lang,
        "survey.you_answer_as",
        &[("group", s.group_name.get(lang))],
    );
    let (values, errors, form_error, submission_id, form_token) = match posted {
        Some(p) => {
            let field = |name: &str| {
                p.fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            // A refused form keeps its submission id (so a retry is recognised), but gets a
            // fresh token unless the old one was merely early.
            let sid = field("submission_id")
                .filter(|v| domain::is_valid_submission_id(v))
                .unwrap_or(data.submission_id.clone());
            let token = if sid == data.submission_id {
                data.form_token.clone()
            } else {
                field(crate::form_fields::TOKEN).unwrap_or(data.form_token.clone())
            };
            let errors = match &p.error {
                AppError::Invalid(e) => e.clone(),
                _ => Vec::new(),
            };
            (
                p.fields,
                errors,
                p.error.message_key().map(str::to_owned),
                sid,
                token,
            )
        }
        None => (
            Vec::new(),
            Vec::new(),
            None,
            data.submission_id.clone(),
            data.form_token.clone(),
        ),
    };
    let closed_key = match data.openness {
        Openness::Open => None,
        Openness::Closed => Some("survey.closed"),
        Openness::NotYetOpen => Some("survey.not_yet_open"),
    };
    let kiosk_note = data
        .kiosk
        .is_some()
        .then(|| view! { <p class="badge kiosk-badge">{tr(lang, "survey.kiosk_mode")}</p> });
    let model = FormModel {
        code: s.link_code.clone(),
        lang,
        questionnaire: s.questionnaire.clone(),
        submission_id,
        form_token,
        kiosk: data.kiosk.clone(),
        via_qr: data.via_qr,
        invite_required: s.invite_required,
    };
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <p class="lead">{intro}</p>
        <p class="badge">{group}</p>
        {kiosk_note}
        <aside class="notice" aria-labelledby="privacy-title">
            <h2 id="privacy-title" class="notice-title">{tr(lang, "survey.privacy_title")}</h2>
            <p>{tr(lang, "survey.privacy_text")}</p>
            <p><a href="/integritet">{tr(lang, "survey.privacy_more")}</a></p>
        </aside>
        {match closed_key {
            Some(key) => view! { <p class="form-error" role="status">{tr(lang, key)}</p> }.into_any(),
            None => view! {
                <SurveyForm
                    model=model
                    texts=Texts::new(lang, ISLAND_KEYS)
                    values=values
                    errors=errors
                    form_error=form_error
                />
            }.into_any(),
        }}
    }
}

/// An answer queued in the browser while offline, sent when the connection returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub code: String,
    pub fields: Vec<(String, String)>,
    pub lang: Lang,
}

/// The answer form. Server-rendered in full (all questions, for use without JavaScript);
/// in the browser one question at a time, validated inline, submitted without a reload.
#[island]
pub fn SurveyForm(
    model: FormModel,
    texts: Texts,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
    form_error: Option<String>,
) -> impl IntoView {
    let lang = model.lang;
    let had_errors = !errors.is_empty() || form_error.is_some();
    let first_error = errors.first().map(|e| e.question_id);
    // (question, problem), in question order.
    let errors = RwSignal::new(
        errors
            .into_iter()
            .map(|e| (e.question_id, e.problem))
            .collect::<Vec<(i64, FieldProblem)>>(),
    );
    let form_error = RwSignal::new(form_error);
    let notice = RwSignal::new(None::<String>);
    let attempted = RwSignal::new(had_errors);
    let sending = RwSignal::new(false);
    // Set once the island runs: switches to one question at a time.
    let js = RwSignal::new(false);
    let visible = RwSignal::new(None::<Vec<i64>>);
    let step = RwSignal::new(0usize);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    let texts = StoredValue::new(texts);
    let model = StoredValue::new(model);
    let (code, action, kiosk, via_qr, invite_required) = model.with_value(|m| {
        (
            m.code.clone(),
            format!("/s/{}", m.code),
            m.kiosk.clone(),
            m.via_qr,
            m.invite_required,
        )
    });
    let tx = move |key: &str| texts.with_value(|t| t.get(key));

    let shown = move || -> Vec<i64> {
        visible.get().unwrap_or_else(|| {
            model.with_value(|m| m.questionnaire.questions.iter().map(|q| q.id).collect())
        })
    };
    let current = move || shown().get(step.get()).copied();
    let is_last = move || step.get() + 1 >= shown().len();

    // Re-checks the whole form: conditions, and inline messages once a submit was tried.
    let refresh = move || {
        let form = form_ref.get_untracked()?;
        let fields = model.with_value(|m| browser::collect_fields(&form, &m.questionnaire));
        let result = model.with_value(|m| {
            visible.set(Some(domain::visible_questions(&m.questionnaire, &fields)));
            domain::validate(&m.questionnaire, &fields)
        });
        if attempted.get_untracked() {
            errors.set(match &result {
                Err(Invalid::Fields(errs)) => {
                    errs.iter().map(|e| (e.question_id, e.problem)).collect()
                }
                _ => Vec::new(),
            });
            if result.is_ok() {
                form_error.set(None);
            }
        }
        Some((fields, result))
    };

    let go_to_question = move |qid: i64| {
        if let Some(i) = shown().iter().position(|id| *id == qid) {
            step.set(i);
        }
    };

    Effect::new(move |_| {
        refresh();
        js.set(true);
        if let Some(qid) = first_error {
            go_to_question(qid);
        }
        // Answers queued while offline go out as soon as the page can reach the server.
        browser::flush_queue(move |sent_own| {
            if let Some(href) = sent_own {
                browser::go_to(&href);
            }
        });
    });

    let _online = browser::on_online(move || {
        browser::flush_queue(move |sent_own| {
            if let Some(href) = sent_own {
                browser::go_to(&href);
            } else {
                notice.set(Some(texts.with_value(|t| t.get("survey.queued_sent"))));
            }
        });
    });

    // Focus the new question's label or legend, so a screen reader reads it.
    let focus_current = move || {
        if let Some(qid) = current() {
            browser::focus_question(qid);
        }
    };

    let next = move || {
        let Some(qid) = current() else { return };
        let Some((fields, _)) = refresh() else { return };
        let problem = model.with_value(|m| {
            let q = m.questionnaire.questions.iter().find(|q| q.id == qid)?;
            let raw = domain::values_by_field(&fields);
            let vals = domain::values_of(&raw, &q.field());
            domain::check_answer(q, &m.questionnaire.areas, &vals).err()
        });
        match problem {
            Some(p) => {
                errors.update(|e| {
                    e.retain(|(id, _)| *id != qid);
                    e.push((qid, p));
                });
                focus_current();
            }
            None => {
                errors.update(|e| e.retain(|(id, _)| *id != qid));
                if !is_last() {
                    step.update(|s| *s += 1);
                    focus_current();
                }
            }
        }
    };

    let back = move || {
        if step.get_untracked() > 0 {
            step.update(|s| *s -= 1);
            focus_current();
        }
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        if !is_last() {
            next();
            return;
        }
        attempted.set(true);
        let Some((mut fields, result)) = refresh() else {
            return;
        };
        if let Err(e) = &result {
            form_error.set(Some("survey.errors_title".to_owned()));
            if let Invalid::Fields(errs) = e
                && let Some(first) = errs.first()
            {
                go_to_question(first.question_id);
            }
            browser::focus(summary_ref.get_untracked());
            return;
        }
        if let Some(form) = form_ref.get_untracked() {
            fields.extend(browser::hidden_fields(&form));
        }
        let entry = Queued {
            code: code.clone(),
            fields,
            lang,
        };
        if !browser::online() {
            browser::enqueue(&entry);
            notice.set(Some(tx("survey.queued")));
            sending.set(true);
            return;
        }
        sending.set(true);
        leptos::task::spawn_local(async move {
            match browser::post_answer(&entry).await {
                Ok(href) => browser::go_to(&href),
                Err(AppError::Transport(_)) => {
                    // No network: keep the answer and send it when the connection returns.
                    browser::enqueue(&entry);
                    notice.set(Some(texts.with_value(|t| t.get("survey.queued"))));
                }
                Err(e) => {
                    sending.set(false);
                    if let AppError::Invalid(errs) = &e {
                        errors.set(errs.iter().map(|e| (e.question_id, e.problem)).collect());
                        if let Some(first) = errs.first() {
                            go_to_question(first.question_id);
                        }
                    }
                    form_error.set(e.message_key().map(str::to_owned));
                    browser::focus(summary_ref.get_untracked());
                }
            }
        });
    };

    let (questions, areas) = model.with_value(|m| {
        (
            m.questionnaire.questions.clone(),
            m.questionnaire.areas.clone(),
        )
    });
    let question_views = questions
        .into_iter()
        .map(|q| {
            let qid = q.id;
            let err = Signal::derive(move || {
                errors.with(|m| m.iter().find(|(id, _)| *id == qid).map(|(_, p)| *p))
            });
            let hidden = move || {
                if js.get() {
                    current() != Some(qid)
                } else {
                    visible.with(|v| v.as_ref().is_some_and(|v| !v.contains(&qid)))
                }
            };
            let vals: Vec<String> = values
                .iter()
                .filter(|(k, _)| *k == q.field())
                .map(|(_, v)| v.clone())
                .collect();
            view! {
                <div class="question" id=format!("{}-group", q.field()) hidden=hidden>
                    {texts.with_value(|t| question_input(&q, &areas, &vals, err, t))}
                </div>
            }
        })
        .collect_view();

    let invite_value = values
        .iter()
        .find(|(k, _)| k == FIELD_INVITE)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let invite_error = move || form_error.with(|e| e.as_deref() == Some("survey.bad_invite"));
    let invite = invite_required.then(|| {
        view! {
            <div class="question invite">
                <label class="q-label" for="inbjudan">{tx("survey.invite_label")}</label>
                <p class="hint" id="inbjudan-hint">{tx("survey.invite_hint")}</p>
                <p id="inbjudan-error" class="field-error" hidden=move || !invite_error()>
                    {tx("survey.bad_invite")}
                </p>
                <input
                    type="text"
                    id="inbjudan"
                    name=FIELD_INVITE
                    value=invite_value
                    autocomplete="off"
                    autocapitalize="characters"
                    aria-describedby="inbjudan-hint inbjudan-error"
                    aria-invalid=move || invite_error().to_string()
                    required=true
                />
            </div>
        }
    });
    let progress_text = move || {
        let total = shown().len().to_string();
        let n = (step.get() + 1).to_string();
        texts.with_value(|t| t.with("survey.progress", &[("n", &n), ("total", &total)]))
    };

    view! {
        <form
            id="survey-form"
            class="survey-form"
            method="post"
            action=action
            novalidate=true
            node_ref=form_ref
            on:submit=on_submit
            on:change=move |_| {
                refresh();
            }
        >
            <div
                class="error-summary"
                role="alert"
                tabindex="-1"
                node_ref=summary_ref
                hidden=move || form_error.with(|e| e.is_none())
            >
                <p class="error-summary-title">
                    {move || form_error.get().map(|k| tx(&k)).unwrap_or_default()}
                </p>
                <ul>
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|(qid, problem)| {
                                let text = model
                                    .with_value(|m| {
                                        m.questionnaire
                                            .questions
                                            .iter()
                                            .find(|q| q.id == qid)
                                            .map(|q| q.text.get(lang).to_owned())
                                    })
                                    .unwrap_or_default();
                                view! {
                                    <li>
                                        <a
                                            href=format!("#q{qid}")
                                            on:click=move |_| go_to_question(qid)
                                        >
                                            {format!("{text} – {}", tx(problem.key()))}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
            <p class="queued" role="status" hidden=move || notice.with(|n| n.is_none())>
                {move || notice.get().unwrap_or_default()}
            </p>
            <input type="hidden" name="submission_id" value=model.with_value(|m| m.submission_id.clone()) />
            <input type="hidden" name=FIELD_TOKEN value=model.with_value(|m| m.form_token.clone()) />
            <input type="hidden" name="lang" value=lang.code() />
            {kiosk.map(|k| view! { <input type="hidden" name=FIELD_KIOSK value=k /> })}
            {via_qr.then(|| view! { <input type="hidden" name=FIELD_VIA value="qr" /> })}
            <div class="hp" aria-hidden="true">
                <label for="hemsida">{tx("survey.honeypot")}</label>
                <input type="text" id="hemsida" name=FIELD_HONEYPOT tabindex="-1" autocomplete="off" />
            </div>
            {invite}
            <div class="progress" hidden=move || !js.get()>
                <p id="progress-label" class="progress-label">{progress_text}</p>
                <progress
                    max=move || shown().len().to_string()
                    value=move || (step.get() + 1).to_string()
                    aria-labelledby="progress-label"
                ></progress>
            </div>
            {question_views}
            <div class="form-nav">
                <button
                    type="button"
                    class="button"
                    hidden=move || !js.get() || step.get() == 0
                    on:click=move |_| back()
                >
                    {tx("survey.back")}
                </button>
                <button
                    type="button"
                    class="button primary"
                    hidden=move || !js.get() || is_last()
                    on:click=move |_| next()
                >
                    {tx("survey.next")}
                </button>
                <button
                    type="submit"
                    class="button primary"
                    hidden=move || js.get() && !is_last()
                    disabled=move || sending.get()
                >
                    {move || if sending.get() { tx("survey.sending") } else { tx("survey.submit") }}
                </button>
            </div>
        </form>
    }
}

const FIELD_TOKEN: &str = crate::form_fields::TOKEN;
const FIELD_KIOSK: &str = crate::form_fields::KIOSK;
const FIELD_INVITE: &str = crate::form_fields::INVITE;
const FIELD_VIA: &str = crate::form_fields::VIA;
const FIELD_HONEYPOT: &str = crate::form_fields::HONEYPOT;

fn requirement(q: &Question, t: &Texts) -> impl IntoView + use<> {
    let key = if q.required {
        "survey.required"
    } else {
        "survey.optional"
    };
    view! { <span class="req-mark">{format!(" ({})", t.get(key))}</span> }
}

fn error_line(id: String, err: Signal<Option<FieldProblem>>, t: &Texts) -> impl IntoView + use<> {
    let t = t.clone();
    view! {
        <p id=id class="field-error" hidden=move || err.get().is_none()>
            {move || err.get().map(|p| t.get(p.key())).unwrap_or_default()}
        </p>
    }
}

/// One question's label and input(s). Also used by the staff paper-entry page.
pub fn question_input(
    q: &Question,
    areas: &[Choice],
    vals: &[String],
    err: Signal<Option<FieldProblem>>,
    t: &Texts,
) -> AnyView {
    let lang = t.lang();
    let name = q.field();
    let err_id = format!("{name}-error");
    let invalid = move || err.get().is_some().to_string();
    let text = q.text.get(lang).to_owned();
    let first = vals.first().cloned().unwrap_or_default();
    match &q.kind {
        QuestionKind::Text { max_len } => {
            let hint_id = format!("{name}-hint");
            let described = format!("{hint_id} {err_id}");
            view! {
                <label class="q-label" for=name.clone() id=format!("{name}-label") tabindex="-1">
                    {text}{requirement(q, t)}
                </label>
                <p class="hint" id=hint_id>
                    {t.with("survey.chars_max", &[("n", &max_len.to_string())])}
                </p>
                {error_line(err_id, err, t)}
                <textarea
                    id=name.clone()
                    name=name
                    rows="4"
                    maxlength=max_len.to_string()
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=q.required.to_string()
                >
                    {crate::textarea_text(&first)}
                </textarea>
            }
            .into_any()
        }
        QuestionKind::Scale {
            dont_know,
            low,
            high,
        } => {
            let mut options: Vec<(String, String, String)> = (1..=5)
                .map(|n| {
                    let hint = match n {
                        1 => low.get(lang).to_owned(),
                        5 => high.get(lang).to_owned(),
                        _ => String::new(),
                    };
                    (n.to_string(), n.to_string(), hint)
                })
                .collect();
            if *dont_know {
                options.push((
                    domain::DONT_KNOW.to_owned(),
                    t.get("survey.dont_know"),
                    String::new(),
                ));
            }
            choice_group(
                &name, text, q, options, "radio", "scale", &first, vals, err, err_id, t,
            )
        }
        QuestionKind::Single { options } | QuestionKind::Multi { options } => {
            let input_type = if matches!(q.kind, QuestionKind::Multi { .. }) {
                "checkbox"
            } else {
                "radio"
            };
            let opts = options
                .iter()
                .map(|o| (o.code.clone(), o.label.get(lang).to_owned(), String::new()))
                .collect();
            choice_group(
                &name, text, q, opts, input_type, "choices", &first, vals, err, err_id, t,
            )
        }
        QuestionKind::Area => {
            let described = err_id.clone();
            let area_opts = areas
                .iter()
                .map(|a| {
                    let selected = a.code == first;
                    view! {
                        <option value=a.code.clone() selected=selected>
                            {a.label.get(lang).to_owned()}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <label class="q-label" for=name.clone() id=format!("{name}-label") tabindex="-1">
                    {text}{requirement(q, t)}
                </label>
                {error_line(err_id, err, t)}
                <select
                    id=name.clone()
                    name=name
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=q.required.to_string()
                >
                    <option value="">"–"</option>
                    {area_opts}
                </select>
            }
            .into_any()
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn choice_group(
    name: &str,
    text: String,
    q: &Question,
    options: Vec<(String, String, String)>,
    input_type: &'static str,
    class: &'static str,
    first: &str,
    vals: &[String],
    err: Signal<Option<FieldProblem>>,
    err_id: String,
    t: &Texts,
) -> AnyView {
    let invalid = move || err.get().is_some().to_string();
    let inputs = options
        .into_iter()
        .enumerate()
        .map(|(i, (value, label, hint))| {
            let id = if i == 0 {
                name.to_owned()
            } else {
                format!("{name}-{i}")
            };
            let checked = if input_type == "checkbox" {
                vals.contains(&value)
            } else {
                first == value
            };
            let hint_view =
                (!hint.is_empty()).then(|| view! { <span class="opt-hint">{hint}</span> });
            let for_id = id.clone();
            view! {
                <label class="opt" for=for_id>
                    <input
                        type=input_type
                        id=id
                        name=name.to_owned()
                        value=value
                        checked=checked
                        aria-invalid=invalid
                    />
                    <span class="opt-label">{label}</span>
                    {hint_view}
                </label>
            }
        })
        .collect_view();
    let described = err_id.clone();
    view! {
        <fieldset class=format!("choice-group {class}") aria-describedby=described>
            <legend class="q-label" id=format!("{name}-label") tabindex="-1">
                {text}{requirement(q, t)}
            </legend>
            {error_line(err_id, err, t)}
            <div class="opts">{inputs}</div>
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn ThanksPage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let kiosk = use_query_map()
        .read_untracked()
        .get("kiosk")
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()));
    let kiosk_view = kiosk.map(|k| {
        let next = if lang == Lang::Sv {
            format!("/s/{code}?kiosk={k}")
        } else {
            format!("/s/{code}?kiosk={k}&lang={}", lang.code())
        };
        // No timed refresh (WCAG 2.2.1): the next person starts with one large button.
        view! {
            <p>{tr(lang, "thanks.kiosk_text")}</p>
            <p><a class="button primary kiosk-next" href=next>{tr(lang, "thanks.kiosk_next")}</a></p>
        }
    });
    let plain = kiosk_view.is_none().then(|| {
        view! { <p><a class="button" href="/">{tr(lang, "thanks.back")}</a></p> }
    });
    view! {
        <Page>
            <Title text=tr(lang, "thanks.title") />
            <div class="thanks">
                <h1>{tr(lang, "thanks.title")}</h1>
                <p class="lead">{tr(lang, "thanks.text")}</p>
                {kiosk_view}
                {plain}
            </div>
        </Page>
    }
}

/// Browser-only helpers. They compile on the server too, where islands never run handlers.
mod browser {
    use super::Queued;
    use domain::Questionnaire;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys;

    const QUEUE_KEY: &str = "mbl_queue";
    /// The path of [`super::submit_survey`] (its `endpoint`, under `/api/`).
    const SUBMIT_PATH: &str = "/api/public/submit";

    pub fn collect_fields(
        form: &web_sys::HtmlFormElement,
        questionnaire: &Questionnaire,
    ) -> Vec<(String, String)> {
        let Ok(data) = web_sys::FormData::new_with_form(form) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for q in &questionnaire.questions {
            let name = q.field();
            for v in data.get_all(&name).iter() {
                if let Some(s) = v.as_string() {
                    out.push((name.clone(), s));
                }
            }
        }
        out
    }

    /// The form's fields that are not answers: submission id, token, kiosk, honeypot, …
    pub fn hidden_fields(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
        let Ok(data) = web_sys::FormData::new_with_form(form) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for name in [
            "submission_id",
            super::FIELD_TOKEN,
            "lang",
            super::FIELD_KIOSK,
            super::FIELD_VIA,
            super::FIELD_INVITE,
            super::FIELD_HONEYPOT,
        ] {
            if let Some(v) = data.get(name).as_string() {
                out.push((name.to_owned(), v));
            }
        }
        out
    }

    pub fn go_to(href: &str) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(href);
        }
    }

    pub fn focus(el: Option<web_sys::HtmlDivElement>) {
        if let Some(el) = el {
            let _ = el.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    }

    /// Focuses a question's label or legend once it is shown.
    pub fn focus_question(qid: i64) {
        leptos::prelude::request_animation_frame(move || {
            let el = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("q{qid}-label")));
            if let Some(el) = el {
                let _ = el.unchecked_ref::<web_sys::HtmlElement>().focus();
            }
        });
    }

    pub fn online() -> bool {
        web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true)
    }

    fn read_queue() -> Vec<Queued> {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            gloo_storage::LocalStorage::get(QUEUE_KEY).unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        Vec::new()
    }

    fn write_queue(queue: &[Queued]) {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            if queue.is_empty() {
                gloo_storage::LocalStorage::delete(QUEUE_KEY);
            } else {
                let _ = gloo_storage::LocalStorage::set(QUEUE_KEY, queue);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (queue, QUEUE_KEY);
    }

    /// Posts an answer to the `submit_survey` server function with gloo's `fetch`: the
    /// generic server-fn client would add its own transport code to the bundle for one call.
    /// A failed fetch (no network) is `Transport`, which keeps the answer queued.
    pub async fn post_answer(entry: &Queued) -> Result<String, crate::AppError> {
        use crate::AppError;
        #[cfg(feature = "hydrate")]
        {
            let offline = |_| AppError::Transport("network".to_owned());
            let resp = gloo_net::http::Request::post(SUBMIT_PATH)
                .header("Accept", "application/json")
                .json(entry)
                .map_err(|_| AppError::BadRequest)?
                .send()
                .await
                .map_err(offline)?;
            let text = resp.text().await.map_err(offline)?;
            if resp.ok() {
                serde_json::from_str::<String>(&text).map_err(|_| AppError::Internal)
            } else {
                Err(serde_json::from_str::<AppError>(&text).unwrap_or(AppError::Internal))
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (entry, SUBMIT_PATH);
            Err(AppError::Internal)
        }
    }

    pub fn enqueue(entry: &Queued) {
        let mut queue = read_queue();
        if !queue.contains(entry) {
            queue.push(entry.clone());
        }
        write_queue(&queue);
    }

    /// Sends every queued answer. An answer the server took, or refused for good, leaves
    /// the queue; one that meets no network stays. `done` gets the thank-you address when
    /// an answer from this page went out.
    pub fn flush_queue(done: impl FnOnce(Option<String>) + 'static) {
        let queue = read_queue();
        if queue.is_empty() || !online() {
            return;
        }
        leptos::task::spawn_local(async move {
            let mut keep = Vec::new();
            let mut last = None;
            for entry in queue {
                match post_answer(&entry).await {
                    Ok(href) => last = Some(href),
                    Err(crate::AppError::Transport(_)) => keep.push(entry),
                    // Refused for good (e.g. the dialogue closed): nothing to retry.
                    Err(_) => {}
                }
            }
            write_queue(&keep);
            if last.is_some() || keep.is_empty() {
                done(last);
            }
        });
    }

    /// Calls `f` whenever the browser comes back online (held for the page's lifetime).
    pub fn on_online(f: impl Fn() + 'static) -> Option<leptos::prelude::WindowListenerHandle> {
        #[cfg(feature = "hydrate")]
        {
            Some(leptos::prelude::window_event_listener(
                leptos::ev::online,
                move |_| f(),
            ))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = f;
            None
        }
    }
}
