//! The UI and the shared contract: components, routes, DTOs and server functions.
//!
//! Islands mode: pages render on the server; only `#[island]` components ship to the browser.

// The dashboard's nested views exceed the default query depth in the hydrate build.
#![recursion_limit = "256"]

rust_i18n::i18n!("locales", fallback = "sv");

pub mod access;
pub mod components;
pub mod error;
pub mod hydration;
pub mod i18n;
pub mod paths;

/// The hidden fields of the survey form, shared by the island and the server.
pub mod form_fields {
    /// When the form was rendered, signed (minimum time on the page).
    pub const TOKEN: &str = "t";
    /// Left empty by people; bots fill it in.
    pub const HONEYPOT: &str = "hemsida";
    pub const KIOSK: &str = "kiosk";
    pub const INVITE: &str = "inbjudan";
    /// `qr` when the page was opened from a QR code.
    pub const VIA: &str = "via";
}
pub mod layout;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

pub use error::AppError;
use hydration::IslandScripts;
pub use i18n::{Lang, current_lang, tr};

/// The text of a `<textarea>`. Leptos writes a textarea's children without escaping them
/// (tachys marks it `ESCAPE_CHILDREN = false`), so typed `</textarea><script>` would end the
/// element; the server escapes the text here and the browser decodes it (RCDATA). On the
/// client the text is set as it is.
pub fn textarea_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text.to_owned()
    }
}

/// The document. Runs on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::request_lang();
    provide_context(lang);
    leptos::nonce::provide_nonce();
    #[cfg(feature = "ssr")]
    ssr::security_headers();
    // The stylesheet is inlined (10 KB, 2.4 KB brotli): the first paint is styled without
    // waiting for a second request. A `<link>` is the fallback when the file is missing.
    #[cfg(feature = "ssr")]
    let css = ssr::inline_css(&options);
    #[cfg(not(feature = "ssr"))]
    let css: Option<std::sync::Arc<str>> = None;
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    let style = match css {
        Some(css) => view! { <style nonce=nonce inner_html=css.to_string()></style> }.into_any(),
        None => view! { <link rel="stylesheet" href="/pkg/medborgarloften.css" /> }.into_any(),
    };
    view! {
        <!DOCTYPE html>
        <html lang=lang.code() dir=lang.dir()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                {style}
                <link rel="icon" href="data:," />
                <IslandScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=pages::info::NotFoundPage>
                <Route path=path!("/") view=pages::info::HomePage ssr=SsrMode::Async />
                <Route path=path!("/s/:code") view=pages::survey::SurveyPage ssr=SsrMode::Async />
                <Route path=path!("/s/:code/tack") view=pages::survey::ThanksPage />
                <Route path=path!("/s/:code/affisch") view=pages::poster::PosterPage ssr=SsrMode::Async />
                <Route path=path!("/personal") view=pages::staff::StaffPage ssr=SsrMode::Async />
                <Route path=path!("/personal/papper/:code") view=pages::paper::PaperPage ssr=SsrMode::Async />
                <Route path=path!("/personal/oversikt/:dialogue") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/personal/region") view=pages::dashboard::RegionalPage ssr=SsrMode::Async />
                <Route path=path!("/personal/kodning/:dialogue") view=pages::coding::CodingPage ssr=SsrMode::Async />
                <Route path=path!("/personal/sammanstallning/:dialogue") view=pages::compilation::CompilationPage ssr=SsrMode::Async />
                <Route path=path!("/lofte/:municipality") view=pages::promise::PublicPromisePage ssr=SsrMode::Async />
                <Route path=path!("/personal/lofte") view=pages::promises::PromisesPage ssr=SsrMode::Async />
                <Route path=path!("/personal/lofte/:promise") view=pages::promises::PromiseStaffPage ssr=SsrMode::Async />
                <Route path=path!("/visning/:token") view=pages::dashboard::DisplayPage ssr=SsrMode::Async />
                <Route
                    path=path!("/personal/overenskommelser")
                    view=pages::register::RegisterPage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/logga-in") view=pages::auth::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/personal/logg") view=pages::admin::AuditPage ssr=SsrMode::Async />
                <Route path=path!("/personal/anvandare") view=pages::admin::UsersPage ssr=SsrMode::Async />
                <Route path=path!("/personal/anvandare/:id") view=pages::admin::UserPage ssr=SsrMode::Async />
                <Route path=path!("/personal/organisation") view=pages::admin::OrgPage ssr=SsrMode::Async />
                <Route path=path!("/byt-losenord") view=pages::admin::PasswordPage ssr=SsrMode::Async />
                <Route path=path!("/glomt-losenord") view=pages::auth::ForgotPasswordPage />
                <Route path=path!("/nytt-losenord/:token") view=pages::auth::SetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/integritet") view=pages::info::PrivacyPage />
                <Route path=path!("/personal/dialoger") view=pages::dialogues::DialoguesPage ssr=SsrMode::Async />
                <Route
                    path=path!("/personal/dialoger/:dialogue")
                    view=pages::dialogues::DialoguePage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/personal/fragebank") view=pages::dialogues::BankPage ssr=SsrMode::Async />
                <Route path=path!("/tillganglighet") view=pages::info::AccessibilityPage />
            </Routes>
        </Router>
    }
}

#[cfg(test)]
mod textarea_tests {
    /// Every `<textarea>` in the pages writes its text through [`super::textarea_text`]:
    /// Leptos does not escape a textarea's children, so typed `</textarea><script>` would
    /// otherwise end the element (the hostile suite found two that did not).
    #[test]
    fn every_textarea_escapes_its_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for dir in ["pages", "components"] {
            for e in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                files.push(e.path());
            }
        }
        let mut seen = 0;
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "rs"))
        {
            let text = std::fs::read_to_string(f).expect("source");
            for part in text.split("<textarea").skip(1) {
                let Some((inner, _)) = part.split_once("</textarea>") else {
                    panic!("{}: a textarea without its end tag", f.display());
                };
                let Some((_, children)) = inner.split_once('>') else {
                    continue;
                };
                seen += 1;
                assert!(
                    children.trim().is_empty() || children.contains("textarea_text("),
                    "{}: a textarea writes {:?} without textarea_text",
                    f.display(),
                    children.trim()
                );
            }
        }
        assert!(
            seen >= 5,
            "found only {seen} textareas: is the scan reading the pages?"
        );
    }
}
