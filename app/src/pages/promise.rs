//! The public follow-up page of a municipality's citizen promise (no login): the promise and
//! its commitments with progress bars, "Du sa – vi gjorde" (theme → commitment → activities →
//! progress), the latest updates, earlier promises, and an Atom feed of the updates.

use crate::components::figures::{cell, hidden};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::paths;
use domain::progress::ActivityStatus;
use domain::promise::{PublicCommitment, PublicPromise, Update};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::use_params_map;

#[server(endpoint = "public/promise")]
pub async fn load_public_promise(municipality: String) -> Result<PublicPromise, AppError> {
    use crate::ssr::{internal, state};
    let st = state()?;
    db::promise::public(&st.db, &municipality, st.clock.now())
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            crate::ssr::set_status(404);
            AppError::NotFound
        })
}

#[component]
pub fn PublicPromisePage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("municipality")
        .unwrap_or_default();
    let feed = paths::promise_feed(&code);
    view! {
        <Page>
            <Title text=tr(lang, "promise.title") />
            <Link rel="alternate" type_="application/atom+xml" href=feed title=tr(lang, "promise.feed") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match load_public_promise(code.clone()).await {
                        Ok(p) => body(p, &code, lang).into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            #[cfg(not(feature = "ssr"))]
                            let _ = e;
                            view! {
                                <h1>{tr(lang, "promise.title")}</h1>
                                <p>{tr(lang, "promise.none")}</p>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn pct(p: f64) -> String {
    format!("{:.0} %", p.floor())
}

fn bar(percent: f64, label: String) -> AnyView {
    let value = percent.floor().clamp(0.0, 100.0) as i64;
    view! {
        <div class="progress-row">
            <progress max="100" value=value aria-label=label></progress>
            <span class="progress-value">{pct(percent)}</span>
        </div>
    }
    .into_any()
}

fn body(p: PublicPromise, code: &str, lang: Lang) -> AnyView {
    let status = tr(lang, &format!("promise.status.{}", p.status.code()));
    let signed = p
        .signed
        .iter()
        .map(|s| {
            let who = tr(lang, s.signer.label_key());
            view! { <li>{who}": "{s.name.clone()}", "<time datetime=s.on.to_string()>{s.on.to_string()}</time></li> }
        })
        .collect_view();
    let commitments = p
        .commitments
        .iter()
        .enumerate()
        .map(|(i, c)| commitment(i, c, lang))
        .collect_view();
    let you_said = p
        .commitments
        .iter()
        .flat_map(|c| c.themes.iter().map(move |t| (t, c)))
        .map(|(t, c)| {
            let people = t
                .people
                .map(|n| tr_with(lang, "promise.people", &[("n", &n.to_string())]))
                .unwrap_or_else(|| tr(lang, "promise.people_few"));
            view! {
                <li class="said">
                    <p class="said-theme"><strong>{t.name.get(lang).to_owned()}</strong>" – "{people}</p>
                    <p class="said-did">{tr(lang, "promise.we_do")}" "{c.text.get(lang).to_owned()}" · "{pct(c.percent)}</p>
                </li>
            }
        })
        .collect_view();
    let updates = p
        .updates
        .iter()
        .map(|u| {
            let gone = u.superseded.is_some();
            view! {
                <li data-update=u.id class:superseded=gone class:correction=u.corrects.is_some()>
                    <time datetime=u.on.to_string()>{u.on.to_string()}</time>" · "
                    <strong>{u.activity.clone()}</strong>": "{u.text.clone()}
                    " (+"{format!("{}", u.amount)}" "{u.unit.clone()}")"
                    {gone.then(|| view! { " "<span class="badge small">{tr(lang, "promise.superseded")}</span> })}
                    {correction_note(u, lang)}
                </li>
            }
        })
        .collect_view();
    let earlier = p
        .earlier
        .iter()
        .map(|e| {
            view! {
                <li>{e.title.get(lang).to_owned()}" ("{e.period_from.to_string()}" – "{e.period_to.to_string()}"): "
                    {tr(lang, &format!("promise.status.{}", e.status.code()))}", "{pct(e.percent)}</li>
            }
        })
        .collect_view();
    let has_earlier = !p.earlier.is_empty();
    let feed = paths::promise_feed(code);
    let follow_up = p.follow_up.as_ref().and_then(|f| before_after(f, lang));
    view! {
        <h1>{p.title.get(lang).to_owned()}</h1>
        <p class="lead">{p.body.get(lang).to_owned()}</p>
        <dl class="facts">
            <dt>{tr(lang, "promise.municipality")}</dt><dd>{p.municipality.clone()}", "{p.lpo_name.clone()}</dd>
            <dt>{tr(lang, "promise.period")}</dt><dd>{p.period_from.to_string()}" – "{p.period_to.to_string()}</dd>
            <dt>{tr(lang, "promise.status")}</dt><dd><span class="badge" id="promise-status" data-status=p.status.code()>{status}</span>" ("{tr(lang, "promise.version")}" "{p.version}")"</dd>
        </dl>
        {p.revising.then(|| view! { <p class="notice" id="revision-note">{tr(lang, "promise.revising")}</p> })}
        <ul class="signed" id="sign-offs">{signed}</ul>
        <section class="card" aria-labelledby="overall-h">
            <h2 id="overall-h">{tr(lang, "promise.overall")}</h2>
            {bar(p.percent, tr(lang, "promise.overall"))}
        </section>
        <section aria-labelledby="commitments-h">
            <h2 id="commitments-h">{tr(lang, "promise.commitments")}</h2>
            {commitments}
        </section>
        <section class="card" aria-labelledby="said-h">
            <h2 id="said-h">{tr(lang, "promise.you_said")}</h2>
            <ul class="said-list">{you_said}</ul>
        </section>
        <section class="card" aria-labelledby="updates-h">
            <h2 id="updates-h">{tr(lang, "promise.updates")}</h2>
            <p><a href=feed>{tr(lang, "promise.feed")}</a></p>
            <ul class="updates">{updates}</ul>
        </section>
        {follow_up}
        {has_earlier.then(|| view! {
            <section aria-labelledby="earlier-h">
                <h2 id="earlier-h">{tr(lang, "promise.earlier")}</h2>
                <ul>{earlier}</ul>
            </section>
        })}
    }
    .into_any()
}

/// Before and after on the shared bank items: mean, share at 4–5 and the answer count, each
/// "< 5" under the threshold.
fn before_after(f: &domain::promise::BeforeAfter, lang: Lang) -> Option<AnyView> {
    if f.items.is_empty() {
        return None;
    }
    let fig = |x: &domain::promise::ItemFigure| {
        let mean = x
            .mean
            .map(|m| format!("{m:.1}"))
            .unwrap_or_else(|| hidden(lang));
        let share = x
            .share_high
            .map(|s| format!("{:.0} %", s * 100.0))
            .unwrap_or_else(|| hidden(lang));
        let n = x
            .answered
            .map(|n| n.to_string())
            .unwrap_or_else(|| hidden(lang));
        view! {
            <td class="num">{mean}</td>
            <td class="num">{share}</td>
            <td class="num">{n}</td>
        }
    };
    let hidden_shown = f.items.iter().any(|i| {
        [&i.before, &i.after]
            .iter()
            .any(|x| x.mean.is_none() || x.share_high.is_none() || x.answered.is_none())
    });
    let rows = f
        .items
        .iter()
        .map(|i| {
            view! {
                <tr>
                    <th scope="row">{i.text.get(lang).to_owned()}</th>
                    {fig(&i.before)}
                    {fig(&i.after)}
                </tr>
            }
        })
        .collect_view();
    let heads = || {
        view! {
            <th scope="col" class="num">{tr(lang, "promise.mean")}</th>
            <th scope="col" class="num">{tr(lang, "promise.share_high")}</th>
            <th scope="col" class="num">{tr(lang, "promise.answered")}</th>
        }
    };
    Some(
        view! {
            <section class="card" aria-labelledby="follow-up-h">
                <h2 id="follow-up-h">{tr(lang, "promise.follow_up")}</h2>
                <p>{tr_with(lang, "promise.follow_up_lead", &[("before", f.before.get(lang)), ("after", f.after.get(lang))])}
                    {f.after_preliminary.then(|| view! { " "<span class="badge">{tr(lang, "dash.preliminary")}</span> })}</p>
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="follow-up-h">
                    <table>
                        <thead>
                            <tr>
                                <td></td>
                                <th scope="colgroup" colspan="3">{tr(lang, "promise.before")}</th>
                                <th scope="colgroup" colspan="3">{tr(lang, "promise.after")}</th>
                            </tr>
                            <tr><th scope="col">{tr(lang, "promise.question")}</th>{heads()}{heads()}</tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {hidden_shown.then(|| view! { <p class="hint">{tr(lang, "figures.hidden_note")}</p> })}
            </section>
        }
        .into_any(),
    )
}

fn commitment(i: usize, c: &PublicCommitment, lang: Lang) -> AnyView {
    let heading = format!("commitment-{i}");
    let labelled_by = heading.clone();
    let activities = c
        .activities
        .iter()
        .map(|a| {
            let of = tr_with(
                lang,
                "promise.of_target",
                &[
                    ("done", &format!("{}", a.achieved)),
                    ("target", &format!("{}", a.target)),
                    ("unit", &a.unit),
                ],
            );
            let label = format!("{}: {}", a.title, of);
            let cancelled = a.status == ActivityStatus::Cancelled;
            view! {
                <li class="activity" class:overdue=a.overdue class:cancelled=cancelled data-activity-status=a.status.code()>
                    <p><strong>{a.title.clone()}</strong>" – "{of}
                        " · "{tr(lang, "promise.due")}" "{a.due_on.to_string()}
                        {(a.weight != 1.0).then(|| view! { " · "{tr_with(lang, "promise.weight_n", &[("w", &format!("{}", a.weight))])} })}
                        " "<span class="badge small">{tr(lang, &format!("promise.activity_status.{}", a.status.code()))}</span>
                        {a.overdue.then(|| view! { " "<span class="behind">{tr(lang, "promise.overdue")}</span> })}
                    </p>
                    {cancelled.then(|| view! {
                        <p class="cancelled-reason">{tr_with(lang, "promise.cancelled_reason", &[("reason", a.status_reason.as_deref().unwrap_or(""))])}</p>
                    })}
                    {bar(a.percent, label)}
                </li>
            }
        })
        .collect_view();
    let themes = c
        .themes
        .iter()
        .map(|t| format!("{} ({})", t.name.get(lang), cell(t.people, lang)))
        .collect::<Vec<_>>()
        .join(", ");
    let label = c.text.get(lang).to_owned();
    view! {
        <article class="card commitment" aria-labelledby=labelled_by>
            <h3 id=heading>{label.clone()}</h3>
            <p class="muted">{tr(lang, "promise.answers")}" "{themes}</p>
            {bar(c.percent, label)}
            <ul class="activities">{activities}</ul>
        </article>
    }
    .into_any()
}

/// On a correcting entry: "Rättelse: corrected on …: old → new. Reason: …" (and the earlier
/// text when it changed). Shared with the staff page.
pub fn correction_note(u: &Update, lang: Lang) -> Option<AnyView> {
    let c = u.corrects.as_ref()?;
    let note = tr_with(
        lang,
        "promise.corrected_note",
        &[
            ("day", &c.on.to_string()),
            ("old", &format!("{}", c.amount)),
            ("new", &format!("{}", u.amount)),
            ("unit", &u.unit),
            ("reason", &c.reason),
        ],
    );
    let earlier =
        (c.text != u.text).then(|| tr_with(lang, "promise.corrected_text", &[("text", &c.text)]));
    Some(
        view! {
            <span class="correction-note">" "<strong>{tr(lang, "promise.correction")}</strong>" – "{note}
                {earlier.map(|t| view! { " "{t} })}</span>
        }
        .into_any(),
    )
}
