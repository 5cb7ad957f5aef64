//! The script that wakes up the islands, loaded off the critical path.

use leptos::prelude::*;

/// Leptos's `<HydrationScripts islands=true/>` without its resource hints: that component
/// preloads the JS and the WASM at high priority while the page is still loading, so they
/// compete with the first paint (and Lighthouse counts them into LCP). Here they are fetched
/// once the page has loaded, painted its first frame and gone idle; meanwhile the form works
/// as a plain HTML form. `island_script.js` is leptos 0.8's `hydration/island_script.js`
/// (MIT) with that start and the two URLs as its arguments. Without file hashing (this
/// project does not use it).
#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    // As `HydrationScripts` does in islands mode: the page is not hydrated as a whole.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    let pkg = options.site_pkg_dir.to_string();
    let js = options.output_name.to_string();
    // cargo-leptos names the WASM like the JS when `LEPTOS_OUTPUT_NAME` is set at build time.
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        js.clone()
    } else {
        format!("{js}_bg")
    };
    let script = include_str!("island_script.js").trim_end();
    // Full paths in the page, so tools that look for `/pkg/….js|wasm` in the HTML find them.
    let js_url = format!("/{pkg}/{js}.js");
    let wasm_url = format!("/{pkg}/{wasm}.wasm");
    view! {
        <script type="module" nonce=nonce>
            {format!("{script}({js_url:?}, {wasm_url:?});")}
        </script>
    }
}
