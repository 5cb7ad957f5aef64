((js_url, wasm_url) => {
	let MOST_RECENT_CHILDREN_CB = [];

	function idle(c) {
		if ("requestIdleCallback" in window) {
			window.requestIdleCallback(c);
		} else {
			c();
		}
	}
	// Leptos walks every element of the body with an `await` per node, which was the largest
	// part of the hydration task here; the islands are found with one query instead, in
	// document order (an outer island before the islands in its children).
	async function hydrateIslands(rootNode, mod) {
		for (const node of rootNode.querySelectorAll('leptos-island')) {
			const children = node.parentElement && node.parentElement.closest('leptos-children');
			MOST_RECENT_CHILDREN_CB.push(children ? children.$$on_hydrate : undefined);
			await hydrateIsland(node, node.dataset.component || null, mod);
			MOST_RECENT_CHILDREN_CB.pop();
		}
	}
	async function hydrateIsland(el, id, mod) {
		const islandFn = mod[id];
		if (islandFn) {
			const children_cb = MOST_RECENT_CHILDREN_CB[MOST_RECENT_CHILDREN_CB.length - 1];
			if (children_cb) {
				children_cb();
			}
			const res = islandFn(el);
			if (res && res.then) {
				await res;
			}
		} else {
			console.warn(`Could not find WASM function for the island ${id}.`);
		}
	}
	function load() {
		import(js_url)
			.then(mod => {
				mod.default({module_or_path: wasm_url}).then(() => {
					mod.hydrate();
					hydrateIslands(document.body, mod);
				});
				window.__hydrateIsland = (el, id) => hydrateIsland(el, id, mod);
			});
	}
	function start() {
		requestAnimationFrame(() => setTimeout(() => idle(load), 0));
	}
	if (document.readyState === "complete") {
		start();
	} else {
		window.addEventListener("load", start, { once: true });
	}
})
