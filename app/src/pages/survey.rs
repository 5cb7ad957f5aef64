//! The respondent's survey page, its island, and the thank-you page.
//!
//! The form is server-rendered and works without JavaScript (plain POST, handled in `server`).
//! With WASM, the island validates inline and submits through `submit_survey`.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use domain::{Choice, FieldError, FieldProblem, Invalid, Openness, Question, QuestionKind, Survey};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SurveyPageData {
    pub survey: Survey,
    pub openness: Openness,
    /// Created at render, so a retry of the same form is recognised (also without JS).
    pub submission_id: String,
}

/// A plain form POST that was refused: re-rendered with the typed values and the messages.
#[derive(Clone, Debug)]
pub struct PostedForm {
    pub fields: Vec<(String, String)>,
    pub error: AppError,
}

pub fn thanks_href(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("/s/{code}/tack"),
        other => format!("/s/{code}/tack?lang={}", other.code()),
    }
}

#[server(endpoint = "public/survey", input = Json)]
pub async fn get_survey(code: String) -> Result<SurveyPageData, AppError> {
    use crate::ssr::{internal, state};
    let st = state()?;
    let survey = db::survey::load_by_link(&st.db, &code)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(SurveyPageData {
        openness: survey.openness(chrono::Utc::now()),
        submission_id: uuid::Uuid::new_v4().to_string(),
        survey,
    })
}

/// Stores one answer; returns where to go next (the thank-you page).
#[server(endpoint = "public/submit", input = Json)]
pub async fn submit_survey(
    code: String,
    submission_id: String,
    fields: Vec<(String, String)>,
    lang: Lang,
) -> Result<String, AppError> {
    use crate::ssr::{set_status, state, submit};
    let st = state()?;
    match submit(&st.db, &code, &submission_id, domain::Channel::Web, &fields).await {
        Ok(_) => Ok(thanks_href(&code, lang)),
        Err(e) => {
            set_status(e.status());
            Err(e)
        }
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let posted = use_context::<PostedForm>();
    view! {
        <Page>
            <Suspense fallback=|| ()>
                {
                    let code = code.clone();
                    let posted = posted.clone();
                    Suspend::new(async move {
                        match get_survey(code).await {
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
    let (values, errors, form_error, submission_id) = match posted {
        Some(p) => {
            let sid = p
                .fields
                .iter()
                .find(|(k, _)| k == "submission_id")
                .map(|(_, v)| v.clone())
                .filter(|v| domain::is_valid_submission_id(v))
                .unwrap_or(data.submission_id.clone());
            let errors = match &p.error {
                AppError::Invalid(e) => e.clone(),
                _ => Vec::new(),
            };
            (
                p.fields,
                errors,
                p.error.message_key().map(str::to_owned),
                sid,
            )
        }
        None => (Vec::new(), Vec::new(), None, data.submission_id.clone()),
    };
    let closed_key = match data.openness {
        Openness::Open => None,
        Openness::Closed => Some("survey.closed"),
        Openness::NotYetOpen => Some("survey.not_yet_open"),
    };
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <p class="lead">{intro}</p>
        <p class="badge">{group}</p>
        <aside class="notice" aria-labelledby="privacy-title">
            <h2 id="privacy-title" class="notice-title">{tr(lang, "survey.privacy_title")}</h2>
            <p>{tr(lang, "survey.privacy_text")}</p>
            <p><a href="/integritet">{tr(lang, "survey.privacy_more")}</a></p>
        </aside>
        {match closed_key {
            Some(key) => view! { <p class="form-error" role="status">{tr(lang, key)}</p> }.into_any(),
            None => view! {
                <SurveyForm
                    survey=data.survey.clone()
                    lang=lang
                    submission_id=submission_id
                    values=values
                    errors=errors
                    form_error=form_error
                />
            }.into_any(),
        }}
    }
}

/// The answer form. Server-rendered in full; in the browser it validates inline and submits
/// without a page reload.
#[island]
pub fn SurveyForm(
    survey: Survey,
    lang: Lang,
    submission_id: String,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
    form_error: Option<String>,
) -> impl IntoView {
    let had_errors = !errors.is_empty() || form_error.is_some();
    let errors = RwSignal::new(
        errors
            .into_iter()
            .map(|e| (e.question_id, e.problem))
            .collect::<BTreeMap<i64, FieldProblem>>(),
    );
    let form_error = RwSignal::new(form_error);
    let attempted = RwSignal::new(had_errors);
    let sending = RwSignal::new(false);
    let visible = RwSignal::new(None::<Vec<i64>>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    let survey = StoredValue::new(survey);
    let code = survey.with_value(|s| s.link_code.clone());
    let action = format!("/s/{code}");
    let sid = submission_id.clone();

    // Re-checks the whole form: inline messages once a submit was tried, and conditions.
    let refresh = move || {
        let form = form_ref.get_untracked()?;
        let fields = browser::collect_fields(&form, &survey.get_value());
        let q = survey.with_value(|s| s.questionnaire.clone());
        visible.set(Some(browser::visible_questions(&q, &fields)));
        let result = domain::validate(&q, &fields);
        if attempted.get_untracked() {
            errors.set(match &result {
                Err(Invalid::Fields(errs)) => {
                    errs.iter().map(|e| (e.question_id, e.problem)).collect()
                }
                _ => BTreeMap::new(),
            });
            if result.is_ok() {
                form_error.set(None);
            }
        }
        Some((fields, result))
    };

    Effect::new(move |_| {
        refresh();
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        attempted.set(true);
        let Some((fields, result)) = refresh() else {
            return;
        };
        match result {
            Ok(_) => {
                sending.set(true);
                let code = code.clone();
                let sid = sid.clone();
                leptos::task::spawn_local(async move {
                    match submit_survey(code, sid, fields, lang).await {
                        Ok(href) => browser::go_to(&href),
                        Err(e) => {
                            sending.set(false);
                            if let AppError::Invalid(errs) = &e {
                                errors
                                    .set(errs.iter().map(|e| (e.question_id, e.problem)).collect());
                            }
                            form_error.set(e.message_key().map(str::to_owned));
                            browser::focus(summary_ref.get_untracked());
                        }
                    }
                });
            }
            Err(_) => {
                form_error.set(Some("survey.errors_title".to_owned()));
                browser::focus(summary_ref.get_untracked());
            }
        }
    };

    let questions = survey.with_value(|s| s.questionnaire.questions.clone());
    let areas = survey.with_value(|s| s.questionnaire.areas.clone());
    let question_views = questions
        .into_iter()
        .map(|q| {
            let qid = q.id;
            let err = Signal::derive(move || errors.with(|m| m.get(&qid).copied()));
            let hidden = move || visible.with(|v| v.as_ref().is_some_and(|v| !v.contains(&qid)));
            let vals: Vec<String> = values
                .iter()
                .filter(|(k, _)| *k == q.field())
                .map(|(_, v)| v.clone())
                .collect();
            view! {
                <div class="question" id=format!("{}-group", q.field()) hidden=hidden>
                    {question_input(&q, &areas, &vals, err, lang)}
                </div>
            }
        })
        .collect_view();

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
                    {move || form_error.get().map(|k| tr(lang, &k)).unwrap_or_default()}
                </p>
                <ul>
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|(qid, problem)| {
                                let text = survey
                                    .with_value(|s| {
                                        s.questionnaire
                                            .questions
                                            .iter()
                                            .find(|q| q.id == qid)
                                            .map(|q| q.text.get(lang).to_owned())
                                    })
                                    .unwrap_or_default();
                                view! {
                                    <li>
                                        <a href=format!("#q{qid}")>
                                            {format!("{text} – {}", tr(lang, problem.key()))}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
            <input type="hidden" name="submission_id" value=submission_id />
            <input type="hidden" name="lang" value=lang.code() />
            {question_views}
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {move || {
                    if sending.get() { tr(lang, "survey.sending") } else { tr(lang, "survey.submit") }
                }}
            </button>
        </form>
    }
}

fn requirement(q: &Question, lang: Lang) -> impl IntoView + use<> {
    let (class, key) = if q.required {
        ("req-mark", "survey.required")
    } else {
        ("req-mark", "survey.optional")
    };
    view! { <span class=class>{format!(" ({})", tr(lang, key))}</span> }
}

fn error_line(id: String, err: Signal<Option<FieldProblem>>, lang: Lang) -> impl IntoView {
    view! {
        <p id=id class="field-error" hidden=move || err.get().is_none()>
            {move || err.get().map(|p| tr(lang, p.key())).unwrap_or_default()}
        </p>
    }
}

fn question_input(
    q: &Question,
    areas: &[Choice],
    vals: &[String],
    err: Signal<Option<FieldProblem>>,
    lang: Lang,
) -> AnyView {
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
                <label class="q-label" for=name.clone()>{text}{requirement(q, lang)}</label>
                <p class="hint" id=hint_id>
                    {tr_with(lang, "survey.chars_max", &[("n", &max_len.to_string())])}
                </p>
                {error_line(err_id, err, lang)}
                <textarea
                    id=name.clone()
                    name=name
                    rows="4"
                    maxlength=max_len.to_string()
                    aria-describedby=described
                    aria-invalid=invalid
                    aria-required=q.required.to_string()
                >
                    {first}
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
                    tr(lang, "survey.dont_know"),
                    String::new(),
                ));
            }
            choice_group(
                &name, text, q, options, "radio", "scale", &first, vals, err, err_id, lang,
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
                &name, text, q, opts, input_type, "choices", &first, vals, err, err_id, lang,
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
                <label class="q-label" for=name.clone()>{text}{requirement(q, lang)}</label>
                {error_line(err_id, err, lang)}
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
    lang: Lang,
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
            <legend class="q-label">{text}{requirement(q, lang)}</legend>
            {error_line(err_id, err, lang)}
            <div class="opts">{inputs}</div>
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn ThanksPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "thanks.title") />
            <div class="thanks">
                <h1>{tr(lang, "thanks.title")}</h1>
                <p class="lead">{tr(lang, "thanks.text")}</p>
                <p><a class="button" href="/">{tr(lang, "thanks.back")}</a></p>
            </div>
        </Page>
    }
}

/// Browser-only helpers. They compile on the server too, where islands never run handlers.
mod browser {
    use domain::{Questionnaire, Survey};
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys;

    pub fn collect_fields(
        form: &web_sys::HtmlFormElement,
        survey: &Survey,
    ) -> Vec<(String, String)> {
        let Ok(data) = web_sys::FormData::new_with_form(form) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for q in &survey.questionnaire.questions {
            let name = q.field();
            for v in data.get_all(&name).iter() {
                if let Some(s) = v.as_string() {
                    out.push((name.clone(), s));
                }
            }
        }
        out
    }

    /// The questions whose condition holds for the values typed so far.
    pub fn visible_questions(q: &Questionnaire, fields: &[(String, String)]) -> Vec<i64> {
        let raw = domain::values_by_field(fields);
        let mut answered = std::collections::BTreeMap::new();
        let mut shown = Vec::new();
        for question in &q.questions {
            if !domain::condition_met(question, &answered) {
                continue;
            }
            shown.push(question.id);
            let values = raw
                .get(question.field().as_str())
                .cloned()
                .unwrap_or_default();
            if let Ok(Some(v)) = domain::check_answer(question, &q.areas, &values) {
                answered.insert(question.id, v);
            }
        }
        shown
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
}
