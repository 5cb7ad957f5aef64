//! The respondent's survey page, its island, and the thank-you page.
//!
//! The form is server-rendered and works without JavaScript (plain POST, handled in `server`):
//! every question is on the page. With WASM the island shows one question at a time with a
//! progress bar, validates inline, submits through `submit_survey`, and queues the answer in
//! the browser when the network is gone.
//!
//! The island has no props: the form is its (server-rendered, never hydrated) children, and
//! the browser code reads the rules and the texts it needs from a JSON data block in the form,
//! translated on the server. So the views, serde and the catalogue stay out of the WASM bundle.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::paths;
use domain::{
    Choice, FieldError, FieldProblem, Openness, Question, QuestionKind, Questionnaire, Survey,
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
        Ok(_) => Ok(paths::survey_thanks(
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

/// The catalogue keys of the question fields (server-rendered, also on the paper page).
pub const ISLAND_KEYS: &[&str] = &[
    "survey.required",
    "survey.optional",
    "survey.dont_know",
    "survey.chars_max",
    "error.required",
    "error.out_of_range",
    "error.unknown_option",
    "error.too_long",
    "error.malformed",
];

/// The catalogue keys the browser code shows when it changes the form. Sent translated, in
/// the page's data block, so the catalogue stays out of the WASM bundle.
pub const CLIENT_KEYS: &[&str] = &[
    "survey.submit",
    "survey.sending",
    "survey.progress",
    "survey.queued",
    "survey.queued_sent",
    "error.required",
    "error.out_of_range",
    "error.unknown_option",
    "error.too_long",
    "error.malformed",
    "survey.errors_title",
    "survey.not_found",
    "survey.closed",
    "survey.not_yet_open",
    "survey.unknown_question",
    "survey.bad_submission",
    "survey.network_error",
    "survey.server_error",
    "survey.rate_limited",
    "survey.too_fast",
    "survey.form_expired",
    "survey.rejected",
    "survey.bad_invite",
    "survey.bad_kiosk",
    "survey.already_answered",
    "auth.sign_in_first",
    "auth.forbidden",
    "auth.rate_limited",
    "auth.must_change",
    "form.errors_title",
];

/// UI texts for the question fields, translated on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

/// What the form needs of the survey: no dates, nothing server-only.
#[derive(Clone, Debug, PartialEq, Eq)]
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
            // fresh token unless the old one was merely early. A form too old comes back
            // with the fresh token the refusal carries, signed for that same id.
            let sid = field("submission_id")
                .filter(|v| domain::is_valid_submission_id(v))
                .unwrap_or(data.submission_id.clone());
            let token = match &p.error {
                _ if sid == data.submission_id => data.form_token.clone(),
                AppError::FormExpired(fresh) => fresh.clone(),
                _ => field(crate::form_fields::TOKEN).unwrap_or(data.form_token.clone()),
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
            <p><a href=paths::PRIVACY>{tr(lang, "survey.privacy_more")}</a></p>
        </aside>
        {match closed_key {
            Some(key) => view! { <p class="form-error" role="status">{tr(lang, key)}</p> }.into_any(),
            None => {
                let form = survey_form(model, Texts::new(lang, ISLAND_KEYS), values, errors, form_error);
                view! { <SurveyForm>{form}</SurveyForm> }.into_any()
            }
        }}
    }
}

/// What the browser code reads from the page (`<script type="application/json">` in the
/// form): the rules of the questionnaire, the state of a refused form, and its texts.
/// Decoded in the browser with the browser's own `JSON.parse`, so no serde code ships.
#[derive(Serialize)]
struct ClientData<'a> {
    code: &'a str,
    lang: &'a str,
    questions: Vec<ClientQuestion<'a>>,
    areas: Vec<&'a str>,
    /// `[question id, problem code]` of a refused form.
    errors: Vec<(i64, &'static str)>,
    form_error: Option<&'a str>,
    texts: std::collections::BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct ClientQuestion<'a> {
    id: i64,
    required: bool,
    text: &'a str,
    /// `scale`, `single`, `multi`, `text` or `area`.
    kind: &'static str,
    max_len: u32,
    dont_know: bool,
    options: Vec<&'a str>,
    /// The condition: shown only if question `if_question` has one of `if_any`.
    if_question: Option<i64>,
    if_any: Vec<&'a str>,
}

fn client_data_json(model: &FormModel, errors: &[FieldError], form_error: Option<&str>) -> String {
    let lang = model.lang;
    let questions = model
        .questionnaire
        .questions
        .iter()
        .map(|q| {
            let (kind, max_len, dont_know, options) = match &q.kind {
                QuestionKind::Scale { dont_know, .. } => ("scale", 0, *dont_know, Vec::new()),
                QuestionKind::Single { options } => (
                    "single",
                    0,
                    false,
                    options.iter().map(|o| o.code.as_str()).collect(),
                ),
                QuestionKind::Multi { options } => (
                    "multi",
                    0,
                    false,
                    options.iter().map(|o| o.code.as_str()).collect(),
                ),
                QuestionKind::Text { max_len } => ("text", *max_len, false, Vec::new()),
                QuestionKind::Area => ("area", 0, false, Vec::new()),
            };
            ClientQuestion {
                id: q.id,
                required: q.required,
                text: q.text.get(lang),
                kind,
                max_len,
                dont_know,
                options,
                if_question: q.condition.as_ref().map(|c| c.question_id),
                if_any: q
                    .condition
                    .as_ref()
                    .map(|c| c.any_of.iter().map(String::as_str).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let data = ClientData {
        code: &model.code,
        lang: lang.code(),
        questions,
        areas: model
            .questionnaire
            .areas
            .iter()
            .map(|a| a.code.as_str())
            .collect(),
        errors: errors
            .iter()
            .map(|e| (e.question_id, e.problem.code()))
            .collect(),
        form_error,
        texts: CLIENT_KEYS.iter().map(|k| (*k, tr(lang, k))).collect(),
    };
    // In a <script> element: `<` may not start `</script>` or `<!--`.
    serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c")
}

/// The answer form, rendered in full on the server: every question is on the page and the
/// form posts without JavaScript. The island around it ([`SurveyForm`]) takes it over in the
/// browser.
fn survey_form(
    model: FormModel,
    texts: Texts,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
    form_error: Option<String>,
) -> impl IntoView {
    let lang = model.lang;
    let data = client_data_json(&model, &errors, form_error.as_deref());
    let problem_of = |qid: i64| {
        errors
            .iter()
            .find(|e| e.question_id == qid)
            .map(|e| e.problem)
    };
    let q = &model.questionnaire;
    let summary_items = errors
        .iter()
        .map(|e| {
            let qid = e.question_id;
            let text = q
                .questions
                .iter()
                .find(|q| q.id == qid)
                .map(|q| q.text.get(lang).to_owned())
                .unwrap_or_default();
            view! {
                <li>
                    <a href=format!("#q{qid}") data-q=qid.to_string()>
                        {format!("{text} – {}", tr(lang, e.problem.key()))}
                    </a>
                </li>
            }
        })
        .collect_view();
    let summary_title = form_error
        .as_deref()
        .map(|k| tr(lang, k))
        .unwrap_or_default();
    let question_views = q
        .questions
        .iter()
        .map(|question| {
            let problem = problem_of(question.id);
            let err = Signal::derive(move || problem);
            let vals: Vec<String> = values
                .iter()
                .filter(|(k, _)| *k == question.field())
                .map(|(_, v)| v.clone())
                .collect();
            view! {
                <div class="question" id=format!("{}-group", question.field())>
                    {question_input(question, &q.areas, &vals, err, &texts)}
                </div>
            }
        })
        .collect_view();
    let invite = model.invite_required.then(|| {
        let invite_value = values
            .iter()
            .find(|(k, _)| k == FIELD_INVITE)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let invite_error = form_error.as_deref() == Some("survey.bad_invite");
        view! {
            <div class="question invite">
                <label class="q-label" for="inbjudan">{tr(lang, "survey.invite_label")}</label>
                <p class="hint" id="inbjudan-hint">{tr(lang, "survey.invite_hint")}</p>
                <p id="inbjudan-error" class="field-error" hidden=!invite_error>
                    {tr(lang, "survey.bad_invite")}
                </p>
                <input
                    type="text"
                    id="inbjudan"
                    name=FIELD_INVITE
                    value=invite_value
                    autocomplete="off"
                    autocapitalize="characters"
                    aria-describedby="inbjudan-hint inbjudan-error"
                    aria-invalid=invite_error.to_string()
                    required=true
                />
            </div>
        }
    });
    let total = q.questions.len().to_string();
    let progress_text = tr_with(lang, "survey.progress", &[("n", "1"), ("total", &total)]);
    view! {
        <form
            id="survey-form"
            class="survey-form"
            method="post"
            action=paths::survey(&model.code)
            novalidate=true
        >
            <div
                id="error-summary"
                class="error-summary"
                role="alert"
                tabindex="-1"
                hidden=form_error.is_none()
            >
                <p class="error-summary-title">{summary_title}</p>
                <ul>{summary_items}</ul>
            </div>
            <p id="survey-notice" class="queued" role="status" hidden=true></p>
            <input type="hidden" name="submission_id" value=model.submission_id />
            <input type="hidden" name=FIELD_TOKEN value=model.form_token />
            <input type="hidden" name="lang" value=lang.code() />
            {model.kiosk.map(|k| view! { <input type="hidden" name=FIELD_KIOSK value=k /> })}
            {model.via_qr.then(|| view! { <input type="hidden" name=FIELD_VIA value="qr" /> })}
            <div class="hp" aria-hidden="true">
                <label for="hemsida">{tr(lang, "survey.honeypot")}</label>
                <input type="text" id="hemsida" name=FIELD_HONEYPOT tabindex="-1" autocomplete="off" />
            </div>
            {invite}
            <div id="survey-progress" class="progress" hidden=true>
                <p id="progress-label" class="progress-label">{progress_text}</p>
                <progress id="progress-bar" max=total value="1" aria-labelledby="progress-label"></progress>
            </div>
            {question_views}
            <div class="form-nav">
                <button type="button" id="survey-back" class="button" data-nav="back" hidden=true>
                    {tr(lang, "survey.back")}
                </button>
                <button type="button" id="survey-next" class="button primary" data-nav="next" hidden=true>
                    {tr(lang, "survey.next")}
                </button>
                <button type="submit" id="survey-submit" class="button primary">
                    {tr(lang, "survey.submit")}
                </button>
            </div>
            <script type="application/json" id="survey-data" inner_html=data></script>
        </form>
    }
}

/// The answer form in the browser: one question at a time with a progress bar, validated
/// inline, submitted without a reload, and queued in the browser when the network is gone.
///
/// The form itself is server-rendered (the children, never hydrated); the island only wakes
/// up [`client`], which drives the form through the DOM. So the WASM carries the rules and
/// the DOM updates, not the views, serde or the catalogue.
#[island]
pub fn SurveyForm(children: Children) -> impl IntoView {
    // Runs in the browser just before the island hydrates: the form is already on the page,
    // and hydrating the children only steps over them. (No `Effect`: it would add the
    // reactive system's effect machinery to the bundle for one call.)
    #[cfg(feature = "hydrate")]
    client::start();
    children()
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
            format!("{}?kiosk={k}", paths::survey(&code))
        } else {
            format!("{}?kiosk={k}&lang={}", paths::survey(&code), lang.code())
        };
        // No timed refresh (WCAG 2.2.1): the next person starts with one large button.
        view! {
            <p>{tr(lang, "thanks.kiosk_text")}</p>
            <p><a class="button primary kiosk-next" href=next>{tr(lang, "thanks.kiosk_next")}</a></p>
        }
    });
    let plain = kiosk_view.is_none().then(|| {
        view! { <p><a class="button" href=paths::HOME>{tr(lang, "thanks.back")}</a></p> }
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

/// The browser side of the answer form. It reads the rules and texts from the page's data
/// block and keeps the server-rendered form in step with the answers through the DOM.
#[cfg(feature = "hydrate")]
mod client {
    use super::{FIELD_HONEYPOT, FIELD_INVITE, FIELD_KIOSK, FIELD_TOKEN, FIELD_VIA};
    use crate::error::AppError;
    use domain::{
        Choice, Condition, FieldError, FieldProblem, Invalid, Lang, LocalizedText, Question,
        QuestionKind, Questionnaire,
    };
    use js_sys::{Array, JSON, Object, Reflect};
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Document, Element, Event, EventTarget, HtmlElement, HtmlFormElement};

    const QUEUE_KEY: &str = "mbl_queue";
    /// The path of [`super::submit_survey`] (its `endpoint`, under `/api/`).
    const SUBMIT_PATH: &str = "/api/public/submit";

    type Fields = Vec<(String, String)>;

    struct Ctl {
        doc: Document,
        form: HtmlFormElement,
        code: String,
        lang: Lang,
        questionnaire: Questionnaire,
        texts: JsValue,
        st: RefCell<State>,
    }

    #[derive(Default)]
    struct State {
        /// (question, problem), in question order.
        errors: Vec<(i64, FieldProblem)>,
        /// Catalogue key of the form-level message.
        form_error: Option<String>,
        notice: Option<String>,
        /// A submit was tried: messages then follow every change.
        attempted: bool,
        sending: bool,
        step: usize,
        visible: Vec<i64>,
    }

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn set(o: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(o, &JsValue::from_str(key), value);
    }

    fn string(v: &JsValue) -> String {
        v.as_string().unwrap_or_default()
    }

    fn int(v: &JsValue) -> i64 {
        v.as_f64().unwrap_or(-1.0) as i64
    }

    fn strings(v: &JsValue) -> Vec<String> {
        if Array::is_array(v) {
            Array::from(v)
                .iter()
                .filter_map(|s| s.as_string())
                .collect()
        } else {
            Vec::new()
        }
    }

    fn list(v: &JsValue) -> Vec<JsValue> {
        if Array::is_array(v) {
            Array::from(v).iter().collect()
        } else {
            Vec::new()
        }
    }

    fn choices(codes: Vec<String>) -> Vec<Choice> {
        codes
            .into_iter()
            .map(|code| Choice {
                code,
                label: LocalizedText::default(),
            })
            .collect()
    }

    fn question(v: &JsValue, lang: Lang) -> Question {
        let kind = match string(&get(v, "kind")).as_str() {
            "scale" => QuestionKind::Scale {
                dont_know: get(v, "dont_know").is_truthy(),
                low: LocalizedText::default(),
                high: LocalizedText::default(),
            },
            "single" => QuestionKind::Single {
                options: choices(strings(&get(v, "options"))),
            },
            "multi" => QuestionKind::Multi {
                options: choices(strings(&get(v, "options"))),
            },
            "area" => QuestionKind::Area,
            _ => QuestionKind::Text {
                max_len: get(v, "max_len").as_f64().unwrap_or(0.0) as u32,
            },
        };
        let if_question = get(v, "if_question");
        Question {
            id: int(&get(v, "id")),
            required: get(v, "required").is_truthy(),
            text: LocalizedText(vec![(lang.code().to_owned(), string(&get(v, "text")))]),
            kind,
            condition: (!if_question.is_null() && !if_question.is_undefined()).then(|| Condition {
                question_id: int(&if_question),
                any_of: strings(&get(v, "if_any")),
            }),
        }
    }

    fn field_errors(v: &JsValue) -> Vec<(i64, FieldProblem)> {
        list(v)
            .iter()
            .filter_map(|e| {
                // `[id, code]` in the page's data; `{question_id, problem}` from the server fn.
                let (id, code) = if Array::is_array(e) {
                    let a = Array::from(e);
                    (a.get(0), a.get(1))
                } else {
                    (get(e, "question_id"), get(e, "problem"))
                };
                Some((int(&id), FieldProblem::from_code(&string(&code))?))
            })
            .collect()
    }

    /// An [`AppError`] as the server fn sends it (serde's externally tagged JSON).
    fn app_error(v: &JsValue) -> AppError {
        if let Some(name) = v.as_string() {
            return AppError::from_unit_name(&name).unwrap_or(AppError::Internal);
        }
        if !v.is_object() {
            return AppError::Internal;
        }
        let name = string(&Object::keys(v.unchecked_ref::<Object>()).get(0));
        match name.as_str() {
            "FormExpired" => AppError::FormExpired(string(&get(v, "FormExpired"))),
            "Invalid" => AppError::Invalid(
                field_errors(&get(v, "Invalid"))
                    .into_iter()
                    .map(|(question_id, problem)| FieldError {
                        question_id,
                        problem,
                    })
                    .collect(),
            ),
            _ => AppError::Internal,
        }
    }

    fn window() -> Option<web_sys::Window> {
        web_sys::window()
    }

    fn online() -> bool {
        window().map(|w| w.navigator().on_line()).unwrap_or(true)
    }

    fn go_to(href: &str) {
        if let Some(w) = window() {
            let _ = w.location().set_href(href);
        }
    }

    fn listen(target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
        let cb = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }

    fn storage() -> Option<web_sys::Storage> {
        window()?.local_storage().ok()?
    }

    fn read_queue() -> Array {
        storage()
            .and_then(|s| s.get_item(QUEUE_KEY).ok()?)
            .and_then(|text| JSON::parse(&text).ok())
            .filter(Array::is_array)
            .map(|v| Array::from(&v))
            .unwrap_or_default()
    }

    fn write_queue(queue: &Array) {
        let Some(s) = storage() else { return };
        if queue.length() == 0 {
            let _ = s.remove_item(QUEUE_KEY);
        } else if let Ok(text) = JSON::stringify(queue) {
            let _ = s.set_item(QUEUE_KEY, &String::from(text));
        }
    }

    fn json(v: &JsValue) -> String {
        JSON::stringify(v).map(String::from).unwrap_or_default()
    }

    /// Replaces the form token among a queued answer's fields (`[name, value]` pairs).
    fn renew_token(entry: &JsValue, token: &str) {
        for pair in list(&get(entry, "fields")) {
            let pair = Array::from(&pair);
            if pair.get(0).as_string().as_deref() == Some(FIELD_TOKEN) {
                pair.set(1, token.into());
            }
        }
    }

    fn enqueue(entry: &JsValue) {
        let queue = read_queue();
        let this = json(entry);
        if !queue.iter().any(|e| json(&e) == this) {
            queue.push(entry);
        }
        write_queue(&queue);
    }

    /// Posts an answer (`{code, fields, lang}`, the arguments of `submit_survey`) with the
    /// browser's `fetch`. A failed fetch (no network) is `Transport`: the answer stays queued.
    async fn post_answer(entry: &JsValue) -> Result<String, AppError> {
        use wasm_bindgen_futures::JsFuture;
        let offline = |_| AppError::Transport(String::new());
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        let headers = Object::new();
        set(&headers, "Content-Type", &"application/json".into());
        set(&headers, "Accept", &"application/json".into());
        init.set_headers(&headers);
        init.set_body(
            &JSON::stringify(entry)
                .map_err(|_| AppError::BadRequest)?
                .into(),
        );
        let w = window().ok_or(AppError::Internal)?;
        let resp: web_sys::Response = JsFuture::from(w.fetch_with_str_and_init(SUBMIT_PATH, &init))
            .await
            .map_err(offline)?
            .unchecked_into();
        let text = JsFuture::from(resp.text().map_err(offline)?)
            .await
            .map_err(offline)?;
        let value = JSON::parse(&string(&text)).unwrap_or(JsValue::UNDEFINED);
        if resp.ok() {
            value.as_string().ok_or(AppError::Internal)
        } else {
            Err(app_error(&value))
        }
    }

    /// Wakes the form up. Runs once, as the island hydrates.
    pub fn start() {
        let Some(ctl) = Ctl::load() else { return };
        let ctl: &'static Ctl = Box::leak(Box::new(ctl));
        let form: &EventTarget = ctl.form.as_ref();
        listen(form, "submit", move |ev| ctl.submit(&ev));
        listen(form, "change", move |_| {
            let _ = ctl.refresh();
            ctl.render();
        });
        listen(form, "click", move |ev| ctl.click(&ev));
        if let Some(w) = window() {
            listen(w.as_ref(), "online", move |_| ctl.flush(true));
        }
        let _ = ctl.refresh();
        let first_error = ctl.st.borrow().errors.first().map(|(id, _)| *id);
        if let Some(qid) = first_error {
            ctl.go_to_question(qid);
        }
        ctl.render();
        // Answers queued while offline go out as soon as the page can reach the server.
        ctl.flush(false);
    }

    impl Ctl {
        fn load() -> Option<Ctl> {
            let doc = window()?.document()?;
            let form = doc.get_element_by_id("survey-form")?.dyn_into().ok()?;
            let data = JSON::parse(&doc.get_element_by_id("survey-data")?.text_content()?).ok()?;
            let lang = Lang::parse(&string(&get(&data, "lang"))).unwrap_or_default();
            let questionnaire = Questionnaire {
                questions: list(&get(&data, "questions"))
                    .iter()
                    .map(|q| question(q, lang))
                    .collect(),
                areas: choices(strings(&get(&data, "areas"))),
            };
            let form_error = get(&data, "form_error").as_string();
            let st = State {
                errors: field_errors(&get(&data, "errors")),
                attempted: form_error.is_some(),
                form_error,
                ..State::default()
            };
            Some(Ctl {
                doc,
                form,
                code: string(&get(&data, "code")),
                lang,
                questionnaire,
                texts: get(&data, "texts"),
                st: RefCell::new(st),
            })
        }

        fn tx(&self, key: &str) -> String {
            get(&self.texts, key)
                .as_string()
                .unwrap_or_else(|| key.to_owned())
        }

        fn by_id(&self, id: &str) -> Option<HtmlElement> {
            self.doc.get_element_by_id(id)?.dyn_into().ok()
        }

        fn current(&self) -> Option<i64> {
            let st = self.st.borrow();
            st.visible.get(st.step).copied()
        }

        fn is_last(&self) -> bool {
            let st = self.st.borrow();
            st.step + 1 >= st.visible.len()
        }

        /// The answers typed so far, as the form would post them.
        fn answers(&self) -> Fields {
            let Ok(data) = web_sys::FormData::new_with_form(&self.form) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for q in &self.questionnaire.questions {
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
        fn hidden_fields(&self) -> Fields {
            let Ok(data) = web_sys::FormData::new_with_form(&self.form) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for name in [
                "submission_id",
                FIELD_TOKEN,
                "lang",
                FIELD_KIOSK,
                FIELD_VIA,
                FIELD_INVITE,
                FIELD_HONEYPOT,
            ] {
                if let Some(v) = data.get(name).as_string() {
                    out.push((name.to_owned(), v));
                }
            }
            out
        }

        /// Re-checks the whole form: conditions, and inline messages once a submit was tried.
        fn refresh(&self) -> (Fields, Result<(), Invalid>) {
            let fields = self.answers();
            let visible = domain::visible_questions(&self.questionnaire, &fields);
            let result = domain::validate(&self.questionnaire, &fields).map(|_| ());
            let mut st = self.st.borrow_mut();
            st.step = st.step.min(visible.len().saturating_sub(1));
            st.visible = visible;
            if st.attempted {
                st.errors = match &result {
                    Err(Invalid::Fields(errs)) => {
                        errs.iter().map(|e| (e.question_id, e.problem)).collect()
                    }
                    _ => Vec::new(),
                };
                if result.is_ok() {
                    st.form_error = None;
                }
            }
            drop(st);
            (fields, result)
        }

        fn go_to_question(&self, qid: i64) {
            let mut st = self.st.borrow_mut();
            if let Some(i) = st.visible.iter().position(|id| *id == qid) {
                st.step = i;
            }
        }

        /// Focuses the shown question's label or legend, so a screen reader reads it.
        fn focus_current(&self) {
            if let Some(qid) = self.current() {
                leptos::prelude::request_animation_frame(move || {
                    let el = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&format!("q{qid}-label")));
                    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                        let _ = el.focus();
                    }
                });
            }
        }

        fn focus_summary(&self) {
            if let Some(el) = self.by_id("error-summary") {
                let _ = el.focus();
            }
        }

        fn next(&self) {
            let Some(qid) = self.current() else { return };
            let (fields, _) = self.refresh();
            let problem = self
                .questionnaire
                .questions
                .iter()
                .find(|q| q.id == qid)
                .and_then(|q| {
                    let raw = domain::values_by_field(&fields);
                    let vals = domain::values_of(&raw, &q.field());
                    domain::check_answer(q, &self.questionnaire.areas, &vals).err()
                });
            {
                let mut st = self.st.borrow_mut();
                st.errors.retain(|(id, _)| *id != qid);
                if let Some(p) = problem {
                    st.errors.push((qid, p));
                }
            }
            let moves = problem.is_none() && !self.is_last();
            if moves {
                self.st.borrow_mut().step += 1;
            }
            self.render();
            if moves || problem.is_some() {
                self.focus_current();
            }
        }

        fn back(&self) {
            let moved = {
                let mut st = self.st.borrow_mut();
                let moved = st.step > 0;
                st.step = st.step.saturating_sub(1);
                moved
            };
            if moved {
                self.render();
                self.focus_current();
            }
        }

        fn click(&self, ev: &Event) {
            let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            if let Ok(Some(button)) = el.closest("[data-nav]") {
                match button.get_attribute("data-nav").as_deref() {
                    Some("next") => self.next(),
                    Some("back") => self.back(),
                    _ => {}
                }
            } else if let Ok(Some(link)) = el.closest("a[data-q]") {
                let qid = link
                    .get_attribute("data-q")
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(-1);
                self.go_to_question(qid);
                self.render();
            }
        }

        /// Puts a fresh form token into the form's hidden field (a hidden input's value is
        /// its attribute).
        fn set_token(&self, token: &str) {
            if let Ok(Some(el)) = self
                .form
                .query_selector(&format!("input[name=\"{FIELD_TOKEN}\"]"))
            {
                let _ = el.set_attribute("value", token);
            }
        }

        fn entry(&self, fields: &Fields) -> JsValue {
            let pairs = Array::new();
            for (k, v) in fields {
                pairs.push(&Array::of2(&k.into(), &v.into()));
            }
            let o = Object::new();
            set(&o, "code", &self.code.as_str().into());
            set(&o, "fields", &pairs);
            // `Lang` as serde names it.
            let lang = match self.lang {
                Lang::Sv => "Sv",
                Lang::En => "En",
            };
            set(&o, "lang", &lang.into());
            o.into()
        }

        fn submit(&'static self, ev: &Event) {
            ev.prevent_default();
            if self.st.borrow().sending {
                return;
            }
            if !self.is_last() {
                self.next();
                return;
            }
            self.st.borrow_mut().attempted = true;
            let (mut fields, result) = self.refresh();
            if let Err(e) = result {
                self.st.borrow_mut().form_error = Some("survey.errors_title".to_owned());
                if let Invalid::Fields(errs) = e
                    && let Some(first) = errs.first()
                {
                    self.go_to_question(first.question_id);
                }
                self.render();
                self.focus_summary();
                return;
            }
            fields.extend(self.hidden_fields());
            let entry = self.entry(&fields);
            self.st.borrow_mut().sending = true;
            if !online() {
                enqueue(&entry);
                self.st.borrow_mut().notice = Some(self.tx("survey.queued"));
                self.render();
                return;
            }
            self.render();
            leptos::task::spawn_local(async move {
                match post_answer(&entry).await {
                    Ok(href) => go_to(&href),
                    Err(AppError::Transport(_)) => {
                        // No network: keep the answer and send it when the connection returns.
                        enqueue(&entry);
                        self.st.borrow_mut().notice = Some(self.tx("survey.queued"));
                        self.render();
                    }
                    Err(e) => {
                        // A form open too long: the next send carries the fresh token; the
                        // answers stay as typed.
                        if let AppError::FormExpired(fresh) = &e {
                            self.set_token(fresh);
                        }
                        {
                            let mut st = self.st.borrow_mut();
                            st.sending = false;
                            if let AppError::Invalid(errs) = &e {
                                st.errors =
                                    errs.iter().map(|e| (e.question_id, e.problem)).collect();
                            }
                            st.form_error = e.message_key().map(str::to_owned);
                        }
                        if let AppError::Invalid(errs) = &e
                            && let Some(first) = errs.first()
                        {
                            self.go_to_question(first.question_id);
                        }
                        self.render();
                        self.focus_summary();
                    }
                }
            });
        }

        /// Sends every queued answer. An answer the server took, or refused for good, leaves
        /// the queue; one that meets no network stays. When an answer went out, the page goes
        /// to its thank-you page.
        fn flush(&'static self, came_online: bool) {
            let queue = read_queue();
            if queue.length() == 0 || !online() {
                return;
            }
            leptos::task::spawn_local(async move {
                let keep = Array::new();
                let mut last = None;
                for entry in queue.iter() {
                    match post_answer(&entry).await {
                        Ok(href) => last = Some(href),
                        Err(AppError::Transport(_)) => {
                            keep.push(&entry);
                        }
                        // Queued longer than a form is accepted: kept with the fresh token,
                        // for the next time the page can send.
                        Err(AppError::FormExpired(fresh)) => {
                            renew_token(&entry, &fresh);
                            keep.push(&entry);
                        }
                        // Refused for good (e.g. the dialogue closed): nothing to retry.
                        Err(_) => {}
                    }
                }
                write_queue(&keep);
                match last {
                    Some(href) => go_to(&href),
                    None if came_online && keep.length() == 0 => {
                        self.st.borrow_mut().notice = Some(self.tx("survey.queued_sent"));
                        self.render();
                    }
                    None => {}
                }
            });
        }

        /// Brings the DOM in step with the state.
        fn render(&self) {
            let current = self.current();
            let last = self.is_last();
            let st = self.st.borrow();
            for q in &self.questionnaire.questions {
                let field = q.field();
                let problem = st
                    .errors
                    .iter()
                    .find(|(id, _)| *id == q.id)
                    .map(|(_, p)| *p);
                if let Some(group) = self.by_id(&format!("{field}-group")) {
                    group.set_hidden(current != Some(q.id));
                    if let Ok(inputs) = group.query_selector_all("[aria-invalid]") {
                        for i in 0..inputs.length() {
                            if let Some(el) =
                                inputs.get(i).and_then(|n| n.dyn_into::<Element>().ok())
                            {
                                let _ =
                                    el.set_attribute("aria-invalid", bool_str(problem.is_some()));
                            }
                        }
                    }
                }
                if let Some(line) = self.by_id(&format!("{field}-error")) {
                    line.set_hidden(problem.is_none());
                    line.set_text_content(problem.map(|p| self.tx(p.key())).as_deref());
                }
            }
            if let Some(progress) = self.by_id("survey-progress") {
                progress.set_hidden(false);
            }
            let total = st.visible.len().to_string();
            let n = (st.step + 1).to_string();
            if let Some(label) = self.by_id("progress-label") {
                let text = self
                    .tx("survey.progress")
                    .replace("%{n}", &n)
                    .replace("%{total}", &total);
                label.set_text_content(Some(&text));
            }
            if let Some(bar) = self.by_id("progress-bar") {
                let _ = bar.set_attribute("max", &total);
                let _ = bar.set_attribute("value", &n);
            }
            if let Some(b) = self.by_id("survey-back") {
                b.set_hidden(st.step == 0);
            }
            if let Some(b) = self.by_id("survey-next") {
                b.set_hidden(last);
            }
            if let Some(b) = self.by_id("survey-submit") {
                b.set_hidden(!last);
                let _ = b.toggle_attribute_with_force("disabled", st.sending);
                let key = if st.sending {
                    "survey.sending"
                } else {
                    "survey.submit"
                };
                b.set_text_content(Some(&self.tx(key)));
            }
            if let Some(summary) = self.by_id("error-summary") {
                summary.set_hidden(st.form_error.is_none());
                if let Ok(Some(title)) = summary.query_selector(".error-summary-title") {
                    title.set_text_content(st.form_error.as_deref().map(|k| self.tx(k)).as_deref());
                }
                if let Ok(Some(ul)) = summary.query_selector("ul") {
                    ul.set_text_content(None);
                    for (qid, problem) in &st.errors {
                        let text = self
                            .questionnaire
                            .questions
                            .iter()
                            .find(|q| q.id == *qid)
                            .map(|q| q.text.get(self.lang).to_owned())
                            .unwrap_or_default();
                        if let (Ok(li), Ok(a)) =
                            (self.doc.create_element("li"), self.doc.create_element("a"))
                        {
                            let _ = a.set_attribute("href", &format!("#q{qid}"));
                            let _ = a.set_attribute("data-q", &qid.to_string());
                            a.set_text_content(Some(&format!(
                                "{text} – {}",
                                self.tx(problem.key())
                            )));
                            let _ = li.append_child(&a);
                            let _ = ul.append_child(&li);
                        }
                    }
                }
            }
            if let Some(notice) = self.by_id("survey-notice") {
                notice.set_hidden(st.notice.is_none());
                notice.set_text_content(st.notice.as_deref());
            }
            let bad_invite = st.form_error.as_deref() == Some("survey.bad_invite");
            if let Some(line) = self.by_id("inbjudan-error") {
                line.set_hidden(!bad_invite);
            }
            if let Some(input) = self.by_id("inbjudan") {
                let _ = input.set_attribute("aria-invalid", bool_str(bad_invite));
            }
        }
    }

    fn bool_str(b: bool) -> &'static str {
        if b { "true" } else { "false" }
    }
}
