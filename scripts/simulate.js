#!/usr/bin/env node
// Submits synthetic answers through the real public HTTP path, so a dashboard visibly moves.
//
//   node scripts/simulate.js [--rate 2] [--seconds 120] [--base http://127.0.0.1:3000]
//                            [--links kh-invanare,kh-foretagare,kh-unga]
//
// Each answer is what a browser without JavaScript sends: it loads the survey page (a fresh
// "browser": no cookie), waits the minimum time on the page, and posts the form. Every
// protection stays on: run the server with a per-address limit that fits the rate, e.g.
//   SUBMIT_PER_ADDRESS_PER_MINUTE=600 SUBMIT_MIN_SECONDS=1 make run
// Loopback only by default; it ends by itself after --seconds.
'use strict';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const base = args.base || 'http://127.0.0.1:3000';
const rate = Number(args.rate || 2);
const seconds = Number(args.seconds || 120);
const links = (args.links || 'kh-invanare,kh-foretagare,kh-unga,kh-pensionarer').split(',');
const waitSeconds = Number(args.wait || 3.2);

const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const hidden = (html, name) => {
  const m = html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`)) ||
    html.match(new RegExp(`value="([^"]*)"[^>]*name="${name}"`));
  return m ? m[1] : '';
};

let sent = 0;
let stored = 0;
let refused = 0;

async function one() {
  const link = pick(links);
  const page = await fetch(`${base}/s/${link}`);
  const html = await page.text();
  const form = new URLSearchParams();
  form.set('submission_id', hidden(html, 'submission_id'));
  form.set('t', hidden(html, 't'));
  form.set('hemsida', '');
  form.set('q1', pick(['Synas mer i centrum', 'Fler trygghetsvandringar', 'Prata med unga', 'Snabbare svar']));
  form.set('q3', pick(['1', '2', '3', '3', '4', '4', '5', 'vet_ej']));
  form.set('q6', pick(['1', '2', '3', '4', '5']));
  form.set('q7', pick(['2', '3', '4', '4', '5']));
  await new Promise((r) => setTimeout(r, waitSeconds * 1000));
  const res = await fetch(`${base}/s/${link}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
  });
  sent += 1;
  if (res.status === 303) stored += 1;
  else {
    refused += 1;
    if (refused <= 3) console.error(`refused: HTTP ${res.status} on ${link}`);
  }
}

const started = Date.now();
const timer = setInterval(() => {
  if (Date.now() - started > seconds * 1000) {
    clearInterval(timer);
    return;
  }
  one().catch((e) => { refused += 1; console.error(String(e)); });
}, 1000 / rate);
const report = setInterval(() => {
  console.log(`sent ${sent}, stored ${stored}, refused ${refused}`);
  if (Date.now() - started > seconds * 1000 + waitSeconds * 1000 + 5000) clearInterval(report);
}, 5000);
