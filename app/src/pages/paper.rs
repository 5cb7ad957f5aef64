//! Staff type in paper answers (channel `paper`): every question on one page, no island, so a
//! stack of paper forms goes in quickly from the keyboard. Each answer is its own submission.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::pages::survey::{PostedForm, Texts, question_input};
use crate::paths;
use domain::Survey;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PaperForm {
    pub survey: Survey,
    pub submission_id: String,
}

/// The survey behind a group link, for a staff member allowed to enter its paper answers.
#[server(endpoint = "staff/paper_form")]
pub async fn load_paper_form(code: String) -> Result<PaperForm, AppError> {
    use crate::ssr::{require, state};
    let p = require(domain::Permission::EnterPaper).await?;
    let st = state()?;
    let survey = crate::ssr::paper_survey(&st, &p, &code)
        .await
        .inspect_err(|e| crate::ssr::set_status(e.status()))?;
    Ok(PaperForm {
        survey,
        submission_id: uuid::Uuid::new_v4().to_string(),
    })
}

#[component]
pub fn PaperPage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let saved = use_query_map().read_untracked().get("sparat").is_some();
    let posted = use_context::<PostedForm>();
    view! {
        <Page>
            <Title text=tr(lang, "paper.title") />
            <Suspense fallback=|| ()>
                {
                    let code = code.clone();
                    let posted = posted.clone();
                    Suspend::new(async move {
                        let (who, form) = access_then(domain::Permission::EnterPaper, || load_paper_form(code)).await;
                        guarded(lang, paths::STAFF, who, move |_| match form {
                            Ok(form) => paper_body(form, posted, saved, lang).into_any(),
                            Err(e) => {
                                #[cfg(feature = "ssr")]
                                crate::ssr::set_status(e.status());
                                view! {
                                    <h1>{tr(lang, "paper.title")}</h1>
                                    <p class="form-error">
                                        {tr(lang, e.message_key().unwrap_or("survey.server_error"))}
                                    </p>
                                }
                                .into_any()
                            }
                        })
                    })
                }
            </Suspense>
        </Page>
    }
}

fn paper_body(
    form: PaperForm,
    posted: Option<PostedForm>,
    saved: bool,
    lang: Lang,
) -> impl IntoView {
    let s = form.survey;
    let texts = Texts::new(lang, crate::pages::survey::ISLAND_KEYS);
    let (values, errors, form_error) = match posted {
        Some(p) => {
            let errors = match &p.error {
                AppError::Invalid(e) => e.clone(),
                _ => Vec::new(),
            };
            (p.fields, errors, p.error.message_key())
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let submission_id = values
        .iter()
        .find(|(k, _)| k == "submission_id")
        .map(|(_, v)| v.clone())
        .filter(|v| domain::is_valid_submission_id(v))
        .unwrap_or(form.submission_id);
    let areas = s.questionnaire.areas.clone();
    let questions = s
        .questionnaire
        .questions
        .iter()
        .map(|q| {
            let problem = errors
                .iter()
                .find(|e| e.question_id == q.id)
                .map(|e| e.problem);
            let vals: Vec<String> = values
                .iter()
                .filter(|(k, _)| *k == q.field())
                .map(|(_, v)| v.clone())
                .collect();
            let err = Signal::derive(move || problem);
            view! {
                <div class="question">{question_input(q, &areas, &vals, err, &texts)}</div>
            }
        })
        .collect_view();
    let title = s.title.get(lang).to_owned();
    let heading = tr_with(
        lang,
        "paper.heading",
        &[("title", &title), ("group", s.group_name.get(lang))],
    );
    let status = saved.then(|| {
        view! { <p class="saved" role="status">{tr(lang, "paper.saved")}</p> }
    });
    let summary = form_error.map(|key| {
        view! {
            <div class="error-summary" role="alert">
                <p class="error-summary-title">{tr(lang, key)}</p>
            </div>
        }
    });
    view! {
        <h1>{heading}</h1>
        <p class="lead">{tr(lang, "paper.lead")}</p>
        {status}
        <form class="survey-form paper-form" method="post" action=paths::paper(&s.link_code)>
            {summary}
            <input type="hidden" name="submission_id" value=submission_id />
            <input type="hidden" name="lang" value=lang.code() />
            {questions}
            <button type="submit" class="button primary">{tr(lang, "paper.save")}</button>
        </form>
    }
}
