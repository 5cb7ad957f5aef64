//! The frame every public page shares: skip link, header with language switch, footer.

use crate::i18n::{current_lang, switch_href, tr};
use crate::paths;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Page(children: Children) -> impl IntoView {
    let lang = current_lang();
    let path = use_location().pathname.get_untracked();
    let other = match lang {
        crate::Lang::Sv => "en",
        crate::Lang::En => "sv",
    };
    view! {
        <a class="skip-link" href="#main">{tr(lang, "nav.skip")}</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href=paths::HOME>
                    <span class="brand-mark" aria-hidden="true"></span>
                    {tr(lang, "app.name")}
                </a>
                <nav aria-label=tr(lang, "nav.language")>
                    <a class="lang-switch" href=switch_href(&path, lang) hreflang=other lang=other>
                        {tr(lang, "nav.switch_to")}
                    </a>
                </nav>
            </div>
        </header>
        <main id="main" class="wrap" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <div class="wrap">
                <ul class="footer-links">
                    <li><a href=paths::ACCESSIBILITY>{tr(lang, "footer.accessibility")}</a></li>
                    <li><a href=paths::PRIVACY>{tr(lang, "footer.privacy")}</a></li>
                    <li><a href=paths::STAFF>{tr(lang, "nav.staff")}</a></li>
                </ul>
                <p>{tr(lang, "footer.org")}</p>
            </div>
        </footer>
    }
}
