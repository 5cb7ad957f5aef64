#!/usr/bin/env node
// Finds import loops between the module files of each crate (`make lint` runs it).
//
// A module file (src/a.rs, src/a/mod.rs, src/a/b.rs) depends on another when it names it by a
// `crate::` or `super::` path, in a `use` or inline. A file naming its own ancestors (a child
// using its parent's items) is the tree, not a loop, and is not counted; everything else is.
// Prints each loop and exits 1 when there is one.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const crates = ["domain", "db", "app", "server", "frontend", "bench"];

function rsFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...rsFiles(p));
    else if (e.name.endsWith(".rs")) out.push(p);
  }
  return out;
}

// src/lib.rs -> [], src/a.rs -> [a], src/a/mod.rs -> [a], src/a/b.rs -> [a, b]
function modulePath(src, file) {
  const rel = path.relative(src, file).replace(/\.rs$/, "").split(path.sep);
  const last = rel[rel.length - 1];
  if (last === "mod" || (rel.length === 1 && (last === "lib" || last === "main"))) rel.pop();
  return rel;
}

// Comments and string literals hold no imports.
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .replace(/r#*"[\s\S]*?"#*/g, '""')
    .replace(/"(?:\\.|[^"\\])*"/g, '""');
}

// Every path a file names from `crate::` or `super::`, `use` groups expanded.
function namedPaths(text) {
  const out = [];
  const expand = (prefix, body) => {
    // body is the inside of a `{ ... }` group: split at top-level commas.
    let depth = 0, cur = "";
    const parts = [];
    for (const ch of body) {
      if (ch === "{") depth++;
      if (ch === "}") depth--;
      if (ch === "," && depth === 0) { parts.push(cur); cur = ""; } else cur += ch;
    }
    parts.push(cur);
    for (const part of parts) {
      const t = part.trim();
      if (!t) continue;
      const g = t.match(/^([\w:]*?)(?:::)?\{([\s\S]*)\}$/);
      if (g) expand(prefix.concat(g[1] ? g[1].split("::") : []), g[2]);
      else out.push(prefix.concat(t.split(/\s+as\s+/)[0].split("::")));
    }
  };
  for (const m of text.matchAll(/\buse\s+((?:crate|super)(?:::super)*)::([^;]*);/g)) {
    expand(m[1].split("::"), m[2]);
  }
  for (const m of text.matchAll(/\b((?:crate|super)(?:::super)*(?:::\w+)+)/g)) {
    out.push(m[1].split("::"));
  }
  return out;
}

let loops = 0;
for (const crate of crates) {
  const src = path.join(root, crate, "src");
  if (!fs.existsSync(src)) continue;
  const files = rsFiles(src);
  const mods = new Map(files.map((f) => [modulePath(src, f).join("::"), f]));
  const edges = new Map([...mods.keys()].map((k) => [k, new Set()]));
  for (const [from, file] of mods) {
    const here = from ? from.split("::") : [];
    const text = code(fs.readFileSync(file, "utf8"));
    for (const named of namedPaths(text)) {
      let abs;
      if (named[0] === "crate") abs = named.slice(1);
      else {
        // `super` from a.rs or a/mod.rs is the parent of module a.
        abs = here.slice();
        let i = 0;
        while (named[i] === "super") { abs.pop(); i++; }
        abs = abs.concat(named.slice(i));
      }
      // The deepest module file the path reaches.
      let target = null;
      for (let n = abs.length; n >= 0; n--) {
        const k = abs.slice(0, n).join("::");
        if (mods.has(k)) { target = k; break; }
      }
      if (target === null || target === from) continue;
      const t = target ? target.split("::") : [];
      const ancestor = t.length < here.length && t.every((s, i) => s === here[i]);
      if (!ancestor) edges.get(from).add(target);
    }
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set();
  const connect = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of edges.get(v)) {
      if (!idx.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) {
        loops++;
        const show = (m) => path.relative(root, mods.get(m));
        console.log(`import loop in ${crate}: ${comp.map(show).sort().join(" ⇄ ")}`);
        for (const a of comp.sort()) {
          const inLoop = [...edges.get(a)].filter((b) => comp.includes(b)).map(show);
          console.log(`    ${show(a)} -> ${inLoop.join(", ")}`);
        }
      }
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) connect(v);
}
if (loops > 0) {
  console.log(`${loops} import loop(s)`);
  process.exit(1);
}
console.log("no import loops between module files in " + crates.join(", "));
