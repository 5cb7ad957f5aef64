// Shared helpers for the end-to-end tests.
//
// The server runs on a fresh demo database per `playwright test` run, but counts
// accumulate between tests in one run: always read a count before and compare after.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page, type Request, type Response } from '@playwright/test';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** The residents' link of the demo dialogue "Medborgardialog Kristinehamn 2027". */
export const SURVEY_CODE = 'kh-invanare';
export const SURVEY_PATH = `/s/${SURVEY_CODE}`;
export const THANKS_PATH = `/s/${SURVEY_CODE}/tack`;

/** Phone viewport (iPhone 12-ish), still on the configured Chromium. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
} as const;

export const DESKTOP = {
  viewport: { width: 1280, height: 800 },
  isMobile: false,
  hasTouch: false,
} as const;

export const SV = {
  q1Label: 'Vad förväntar du dig av polisen?',
  q2Label: 'Vad önskar du att polisen ska jobba mer med?',
  q3Legend: 'Hur trygg känner du dig när du går ut ensam en sen kväll i ditt område?',
  q4Label: 'Vad är det som gör att du känner dig otrygg?',
  submit: 'Skicka svar',
  required: 'Svara på frågan.',
  errorSummary: 'Svaret kunde inte skickas. Rätta det som är markerat.',
  thanks: 'Tack för ditt svar!',
};

export const EN = {
  q1Label: 'What do you expect of the police?',
  submit: 'Send answers',
  required: 'Please answer the question.',
  thanks: 'Thank you for your answer!',
};

/** Matches the thank-you page URL (optionally with `?lang=…`). */
export function thanksUrl(code = SURVEY_CODE): RegExp {
  return new RegExp(`/s/${code}/tack(\\?.*)?$`);
}

/** Matches the survey page URL itself (not the thank-you page). */
export function surveyUrl(code = SURVEY_CODE): RegExp {
  return new RegExp(`/s/${code}(\\?.*)?$`);
}

export interface StaffCounts {
  /** Answers for the target group. */
  count: number;
  /** Answers for the whole dialogue. */
  total: number;
}

function toNumber(text: string | null, what: string): number {
  const digits = (text ?? '').replace(/[^0-9]/g, '');
  const n = Number.parseInt(digits, 10);
  expect(Number.isFinite(n), `${what} should be a number, got ${JSON.stringify(text)}`).toBe(true);
  return n;
}

/**
 * Reads the staff overview (/personal) in a separate tab of the same browser context,
 * so the caller's page keeps its state. The row is found by group code and by its
 * survey link, so it is the demo dialogue's row even if several dialogues exist.
 */
export async function readStaffCounts(
  context: BrowserContext,
  group = 'invanare',
  linkCode = SURVEY_CODE,
): Promise<StaffCounts> {
  // Staff read in a context of their own: the resident's context never gets a staff cookie.
  const browser = context.browser();
  expect(browser, 'a browser behind the context').not.toBeNull();
  const staffContext = await browser!.newContext({ baseURL: BASE_URL });
  const staff = await staffContext.newPage();
  try {
    const res = await openAsStaff(staff, DEMO.officerKristinehamn, '/personal');
    expect(res?.status(), 'GET /personal status').toBe(200);
    const row = staff
      .locator(`tr[data-group="${group}"]`)
      .filter({ has: staff.locator(`a[href="/s/${linkCode}"]`) });
    await expect(row, `one row for group ${group} with link /s/${linkCode}`).toHaveCount(1);
    const section = staff.locator('section[data-dialogue]').filter({ has: row });
    await expect(section).toHaveCount(1);
    const count = toNumber(await row.locator('td.count').textContent(), `count for ${group}`);
    const total = toNumber(await section.locator('td.total').textContent(), 'dialogue total');
    return { count, total };
  } finally {
    await staffContext.close();
  }
}

export const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? '3300'}`;

/** Demo logins (DEMO_DATA=true); the README lists them. */
export const DEMO = {
  password: 'demo-losenord-2027',
  admin: 'admin@demo.polisen.se',
  region: 'region@demo.polisen.se',
  managerKristinehamn: 'chef.kristinehamn@demo.polisen.se',
  officerKristinehamn: 'kommunpolis.kristinehamn@demo.polisen.se',
  officerTorsby: 'kommunpolis.torsby@demo.polisen.se',
  partnerKristinehamn: 'socialtjansten@demo.kristinehamn.se',
} as const;

/** Signs in through the real form and waits for the page after it. */
export async function signIn(page: Page, email: string, next = '/personal'): Promise<void> {
  await page.goto(`/logga-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord').fill(DEMO.password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logga-in'),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
  if (res.status() !== 303) {
    // Fail with the page's own message (e.g. the sign-in rate limit) instead of a timeout.
    const alert = await page.getByRole('alert').allTextContents().catch(() => []);
    throw new Error(`sign-in as ${email} answered ${res.status()}, not 303: ${alert.join(' ').trim()}`);
  }
  await page.waitForURL((u) => u.pathname === next);
}

/** The staff session cookie (server/src/routes.rs). */
export const SESSION_COOKIE = 'mbl_session';

// Sessions of the demo logins, kept for the run: sign-in is rate limited per account
// (5 a minute by default), so tests that only need to *be* signed in reuse one session
// instead of signing in again. Tests of sign-in and sign-out themselves use signIn().
// The sessions are also kept in a file in the run's output directory (emptied by Playwright
// at the start of every run), so a worker restarted after a failing test reuses them too.
type Cookies = Awaited<ReturnType<BrowserContext['storageState']>>['cookies'];
const sessions = new Map<string, Cookies>();

function sessionsFile(): string {
  return nodePath.join(test.info().project.outputDir, '.staff-sessions.json');
}

function readSessionsFile(): Record<string, Cookies> {
  try {
    return JSON.parse(fs.readFileSync(sessionsFile(), 'utf8')) as Record<string, Cookies>;
  } catch {
    return {}; // no file yet (or a half-written one): sign in
  }
}

function loadSession(email: string): Cookies | undefined {
  if (!sessions.has(email)) {
    const saved = readSessionsFile()[email];
    if (saved) sessions.set(email, saved);
  }
  return sessions.get(email);
}

function storeSession(email: string, cookies: Cookies | undefined): void {
  const all = readSessionsFile();
  if (cookies) {
    sessions.set(email, cookies);
    all[email] = cookies;
  } else {
    sessions.delete(email);
    delete all[email];
  }
  const file = sessionsFile();
  fs.mkdirSync(nodePath.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(all));
  fs.renameSync(tmp, file);
}

/**
 * Opens `path` as `email` in the page's own context (viewport etc. unchanged): reuses the
 * run's session of that login if it still works, else signs in through the form once.
 * Returns the response of the final GET of `path` (status 200, 403, …).
 */
export async function openAsStaff(page: Page, email: string, path: string): Promise<Response | null> {
  const cookies = loadSession(email);
  if (cookies) {
    await page.context().addCookies(cookies);
    const res = await page.goto(path);
    if (new URL(page.url()).pathname !== '/logga-in') return res;
    storeSession(email, undefined); // the session ended (e.g. signed out): sign in again below
    await page.context().clearCookies({ name: SESSION_COOKIE });
  }
  await signIn(page, email, path);
  const session = (await page.context().storageState()).cookies.filter((c) => c.name === SESSION_COOKIE);
  expect(session, `a ${SESSION_COOKIE} cookie after signing in as ${email}`).toHaveLength(1);
  storeSession(email, session);
  return page.goto(path);
}

/**
 * Waits until the survey island has hydrated (WASM loaded and the submit handler attached).
 *
 * `networkidle` alone is not proof: if the test clicked before hydration the browser would
 * do a plain form POST, which also works, so a JS test would silently test the no-JS path.
 * Chromium's DevTools protocol tells whether the form has a `submit` listener.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  const cdp = await page.context().newCDPSession(page);
  try {
    await expect
      .poll(
        async () => {
          const { result } = await cdp.send('Runtime.evaluate', {
            expression: "document.getElementById('survey-form')",
          });
          if (!result.objectId) return false;
          const { listeners } = await cdp.send('DOMDebugger.getEventListeners', {
            objectId: result.objectId,
          });
          return listeners.some((l) => l.type === 'submit');
        },
        { message: 'survey island should hydrate (submit listener on #survey-form)', timeout: 30_000 },
      )
      .toBe(true);
  } finally {
    await cdp.detach();
  }
}

export interface Answers {
  q1?: string;
  q2?: string;
  /** "1".."5" or "vet_ej"; undefined leaves the radio group unanswered. */
  q3?: string;
  /** Shown only for 1 or 2 on q3. */
  q4?: string;
  /** Problem codes (checkboxes). */
  q5?: string[];
}

/** Fills the survey form with pointer actions (every question is on the page: no JS). */
export async function answerSurvey(page: Page, answers: Answers): Promise<void> {
  if (answers.q1 !== undefined) await page.locator('textarea#q1').fill(answers.q1);
  if (answers.q2 !== undefined) await page.locator('textarea#q2').fill(answers.q2);
  if (answers.q3 !== undefined) await page.check(`input[name=q3][value="${answers.q3}"]`);
  if (answers.q4 !== undefined) await page.locator('textarea#q4').fill(answers.q4);
  for (const code of answers.q5 ?? []) await page.check(`input[name=q5][value="${code}"]`);
}

/** The question shown now (one at a time, with JS). */
export function currentQuestion(page: Page) {
  return page.locator('#survey-form .question:not([hidden])').filter({ has: page.locator('[id$="-label"]') });
}

export function nextButton(page: Page) {
  return page.locator('#survey-form .form-nav button[type=button]').filter({ hasText: /^(Nästa|Next)$/ });
}

export function backButton(page: Page) {
  return page.locator('#survey-form .form-nav button[type=button]').filter({ hasText: /^(Föregående|Previous)$/ });
}

/**
 * Walks the one-question-at-a-time form (JS on): answers each question shown, if `answers`
 * has a value for it, then "Next", until the submit button shows.
 */
export async function answerStepByStep(page: Page, answers: Answers): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    const q = currentQuestion(page);
    await expect(q).toHaveCount(1);
    const id = ((await q.getAttribute('id')) ?? '').replace(/-group$/, '');
    seen.push(id);
    const value = (answers as Record<string, string | string[] | undefined>)[id];
    if (typeof value === 'string') {
      const textarea = q.locator('textarea');
      if ((await textarea.count()) > 0) await textarea.fill(value);
      else await q.locator(`input[value="${value}"]`).check();
    } else if (Array.isArray(value)) {
      for (const code of value) await q.locator(`input[value="${code}"]`).check();
    }
    if (await submitButton(page).isVisible()) break;
    await nextButton(page).click();
    await expect(currentQuestion(page)).not.toHaveAttribute('id', `${id}-group`);
  }
  await expect(submitButton(page)).toBeVisible();
  await pastMinimumTime(page);
  return seen;
}

/**
 * The server refuses a form sent sooner than 1 s after it rendered it (the e2e setting).
 * Waits until 2 s have passed since this page's navigation started (which precedes the
 * render), so the check holds however fast the test typed.
 */
export async function pastMinimumTime(page: Page): Promise<void> {
  const elapsed = await page.evaluate(() => performance.now()).catch(() => 0);
  if (elapsed < 2_000) await page.waitForTimeout(2_000 - elapsed);
}

/** The demo kiosk (db/src/demo.rs): the tablet at the council meeting. */
export const KIOSK_PATH = '/s/kh-politiker?kiosk=demokiosk2027fullmaktige';

export function submitButton(page: Page) {
  return page.locator('#survey-form button[type=submit]');
}

/** Is this the plain (no-JS) form POST to the survey page? */
export function isFormPost(req: Request, code = SURVEY_CODE): boolean {
  return req.method() === 'POST' && new URL(req.url()).pathname === `/s/${code}`;
}

/** Is this a Leptos server-function call (the island's submit)? */
export function isServerFnCall(req: Request): boolean {
  return req.method() === 'POST' && new URL(req.url()).pathname.startsWith('/api/');
}

/** Records the requests a page makes, to tell the JS path from the no-JS path. */
export function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => seen.push(r));
  return seen;
}

/** A random id in the form the server accepts as `submission_id`. */
export function newSubmissionId(): string {
  return crypto.randomUUID();
}

/** Creates an officer in LPO Kristinehamn through the users form (an invitation is mailed);
 * returns its e-mail. */
export async function newOfficer(page: Page, name: string): Promise<string> {
  const USERS = '/personal/anvandare';
  const email = `e2e-${crypto.randomUUID().slice(0, 8)}@demo.polisen.se`;
  const res = await openAsStaff(page, DEMO.admin, USERS);
  expect(res?.status()).toBe(200);
  const form = page.locator(`form[action="${USERS}"][method="post"]`);
  await form.getByLabel('E-postadress', { exact: true }).fill(email);
  await form.getByLabel('Namn', { exact: true }).fill(name);
  await form.getByLabel('Roll', { exact: true }).selectOption('officer');
  await form.getByLabel('Ansvarsområde').selectOption({ label: 'LPO Kristinehamn (lpo)' });
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === USERS),
    form.getByRole('button', { name: 'Skapa användare' }).click(),
  ]);
  expect(post.status()).toBe(303);
  await expect(page.locator('p.notice[role=status]')).toContainText('Inbjudan är skickad');
  await expect(page.locator(`tr[data-user="${email}"]`)).toHaveCount(1);
  return email;
}

/** Where the e2e server's SMTP sink writes each mail it receives (scripts/e2e-server.sh). */
export const MAIL_DIR =
  process.env.E2E_MAIL_DIR ?? nodePath.join(process.env.TMPDIR ?? '/tmp', `medborgarloften-e2e-mail-${process.env.E2E_PORT ?? '3300'}`);

/** Every mail to `address` so far, oldest first (raw text, quoted-printable soft breaks undone). */
export function mailsTo(address: string): string[] {
  const files = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')).sort() : [];
  return files
    .map((f) => fs.readFileSync(nodePath.join(MAIL_DIR, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((m) => {
      const to = m.split(/\r?\n/).find((l) => /^to:/i.test(l)) ?? '';
      return to.includes(address);
    });
}

/** Waits for mail number `n` (1-based) to `address` and returns the one-time link in it. */
export async function linkInMail(address: string, n: number): Promise<string> {
  let mails: string[] = [];
  await expect
    .poll(() => {
      mails = mailsTo(address);
      return mails.length;
    }, { message: `mail ${n} to ${address} in ${MAIL_DIR}`, timeout: 15_000 })
    .toBeGreaterThanOrEqual(n);
  const match = mails[n - 1].match(/https?:\/\/[^\s]+\/nytt-losenord\/[a-z0-9]+/);
  expect(match, `a link in mail ${n} to ${address}`).not.toBeNull();
  return new URL((match as RegExpMatchArray)[0]).pathname;
}

/** No serious or critical axe-core violation on the page as it is now; the report names
 * each rule, its help page and the elements that break it. */
export async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    at ${n.target.join(' ')}: ${n.failureSummary ?? ''}`.replace(/\n/g, ' ')).join('\n'),
    )
    .join('\n');
  expect(serious, `axe found serious/critical violations on ${label}:\n${report}`).toEqual([]);
}
