// Live dashboards (issue #5): a staff dashboard follows one Server-Sent Events stream and
// swaps its regions in place; it survives a cut connection and catches up; a wall screen
// shows the same regions through a revocable display link, without signing in.
//
// Counts accumulate over the run: every test reads its starting values first and compares
// with them. Each resident answers from a fresh browser context (one answer per browser).

import { expect, test, type Browser, type Page, type Response } from '@playwright/test';
import {
  BASE_URL,
  DEMO,
  DESKTOP,
  PHONE,
  SURVEY_CODE,
  SURVEY_PATH,
  answerStepByStep,
  openAsStaff,
  submitButton,
  thanksUrl,
  waitForHydration,
} from './helpers';

const DASHBOARD = '/personal/oversikt/1';
const WALL = '/visning/demovisning2027kristinehamn';
const BUILDER = '/personal/dialoger/1';
/** The target group behind SURVEY_PATH. */
const GROUP = 'invanare';
const LIVE = '#live-status[data-state="live"]';
/** The longest a figure may take to reach a screen that follows the stream. */
const LIVE_WAIT = 10_000;

test.describe.configure({ timeout: 180_000 });

async function attr(page: Page, selector: string, name: string): Promise<number> {
  const value = await page.locator(selector).getAttribute(name);
  const n = Number.parseInt(value ?? '', 10);
  expect(Number.isFinite(n), `${selector} should carry a number in ${name}, got ${JSON.stringify(value)}`).toBe(true);
  return n;
}

const readTotal = (page: Page) => attr(page, '#live-total [data-total]', 'data-total');
const readPublished = (page: Page) => attr(page, '#live-answers section[data-published]', 'data-published');
const readGroupCount = (page: Page) => attr(page, `#live-coverage tr[data-group="${GROUP}"]`, 'data-count');

/**
 * Marks the window (a reload or navigation would lose the mark) and records, in the page,
 * when each new total was swapped in, so the delay is measured where the screen changes.
 */
async function watchTotal(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __marker: number; __totals: { total: number; at: number }[] };
    w.__marker = 1;
    w.__totals = [];
    const region = document.getElementById('live-total')!;
    new MutationObserver(() => {
      const total = Number(region.querySelector('[data-total]')?.getAttribute('data-total'));
      w.__totals.push({ total, at: Date.now() });
    }).observe(region, { childList: true, subtree: true });
  });
}

async function expectSamePage(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { __marker?: number }).__marker),
    'the dashboard updated in place (no reload, no navigation)',
  ).toBe(1);
}

/** Milliseconds from `since` until the page first showed a total of at least `total`. */
async function shownAfter(page: Page, total: number, since: number): Promise<number> {
  const seen = await page.evaluate(
    (t) =>
      (window as unknown as { __totals: { total: number; at: number }[] }).__totals.find((x) => x.total >= t)?.at,
    total,
  );
  expect(seen, `a swap to a total of ${total} was recorded`).toBeDefined();
  return seen! - since;
}

/**
 * One resident answers on a phone, in a browser of their own. Returns when the submit button
 * was clicked (the server has the answer once the thank-you page shows).
 */
async function answerAsResident(browser: Browser, text: string): Promise<number> {
  const context = await browser.newContext({ ...PHONE, baseURL: BASE_URL });
  try {
    const page = await context.newPage();
    const res = await page.goto(SURVEY_PATH);
    expect(res?.status()).toBe(200);
    await waitForHydration(page);
    await answerStepByStep(page, { q1: text, q3: '4' });
    const clicked = Date.now();
    await submitButton(page).click();
    await expect(page).toHaveURL(thanksUrl(SURVEY_CODE));
    return clicked;
  } finally {
    await context.close();
  }
}

async function openDashboard(browser: Browser) {
  const context = await browser.newContext({ ...DESKTOP, baseURL: BASE_URL });
  const page = await context.newPage();
  const res = await openAsStaff(page, DEMO.managerKristinehamn, DASHBOARD);
  expect(res?.status()).toBe(200);
  await expect(page.locator(LIVE)).toHaveText('Live', { timeout: LIVE_WAIT });
  await watchTotal(page);
  return { context, page };
}

test('answers reach the staff dashboard without a reload, and distributions republish after five', async ({
  browser,
}) => {
  const { context, page } = await openDashboard(browser);
  try {
    const total0 = await readTotal(page);
    const published0 = await readPublished(page);
    const group0 = await readGroupCount(page);
    expect(published0).toBeLessThanOrEqual(total0);

    const delays: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const clicked = await answerAsResident(browser, `Live ${i}: fler poliser i centrum.`);
      await expect
        .poll(() => readTotal(page), { message: `total after answer ${i}`, timeout: LIVE_WAIT })
        .toBeGreaterThanOrEqual(total0 + i);
      const delay = await shownAfter(page, total0 + i, clicked);
      delays.push(delay);
      console.log(`live: answer ${i} submitted → on the staff dashboard after ${delay} ms`);
    }
    console.log(`live: submit-to-screen delays (ms): ${delays.join(', ')}`);

    // Five new answers since the page loaded: the distributions are republished in place.
    await expect
      .poll(() => readPublished(page), { message: 'distributions republished', timeout: LIVE_WAIT })
      .toBeGreaterThan(published0);
    expect(await readPublished(page), 'published at five or more new answers').toBeGreaterThanOrEqual(published0 + 5);
    await expect
      .poll(() => readGroupCount(page), { message: `coverage row ${GROUP}`, timeout: LIVE_WAIT })
      .toBeGreaterThanOrEqual(group0 + 5);
    await expect(page.locator(LIVE)).toBeVisible();
    await expectSamePage(page);
  } finally {
    await context.close();
  }
});

test('a cut connection shows "reconnecting", and the dashboard catches up when it returns', async ({ browser }) => {
  const { context, page } = await openDashboard(browser);
  try {
    const status = page.locator('#live-status');
    const total0 = await readTotal(page);

    await context.setOffline(true);
    await expect(status).toHaveAttribute('data-state', 'reconnecting', { timeout: LIVE_WAIT });
    await expect(status).toHaveText('Återansluter …');

    // An answer arrives while this screen is cut off: it cannot be shown yet.
    await answerAsResident(browser, 'Svar medan skärmen var nerkopplad.');
    expect(await readTotal(page)).toBe(total0);
    await expect(status).toHaveAttribute('data-state', 'reconnecting');

    const restored = Date.now();
    await context.setOffline(false);
    await expect(status).toHaveAttribute('data-state', 'live', { timeout: LIVE_WAIT });
    await expect(status).toHaveText('Live');
    await expect
      .poll(() => readTotal(page), { message: 'total caught up after reconnecting', timeout: LIVE_WAIT })
      .toBeGreaterThanOrEqual(total0 + 1);
    console.log(`live: back online → caught up after ${await shownAfter(page, total0 + 1, restored)} ms`);
    await expectSamePage(page);
  } finally {
    await context.close();
  }
});

function isPost(r: Response, path: RegExp): boolean {
  return r.request().method() === 'POST' && path.test(new URL(r.url()).pathname);
}

test('the wall screen needs no sign-in, and a display link stops working when revoked', async ({
  page,
  browser,
}) => {
  // The demo wall screen, in an anonymous browser.
  const wall = await page.goto(WALL);
  expect(wall?.status()).toBe(200);
  await expect(page.locator('main#main.wall')).toBeVisible();
  await expect(page.locator('.big-number')).toBeVisible();
  await expect(page.locator(LIVE)).toBeVisible({ timeout: LIVE_WAIT });
  await expect(page.locator('#live-total [data-total]')).toHaveCount(1);
  await expect(page.locator('#live-texts')).toHaveCount(0);
  await expect(page.locator('.site-header')).toHaveCount(0);
  await expect(page.locator('nav')).toHaveCount(0);

  // The LPO manager creates a display link on the builder page.
  const staffContext = await browser.newContext({ ...DESKTOP, baseURL: BASE_URL });
  try {
    const staff = await staffContext.newPage();
    const res = await openAsStaff(staff, DEMO.managerKristinehamn, BUILDER);
    expect(res?.status()).toBe(200);
    const label = `Väggskärm e2e ${crypto.randomUUID().slice(0, 8)}`;
    const form = staff.locator('form#kiosk-form');
    await form.getByLabel('Namn på surfplattan').fill(label);
    await form.locator('input[name=purpose][value=display]').check();
    const [created] = await Promise.all([
      staff.waitForResponse((r) => isPost(r, /\/kiosk$/), { timeout: 30_000 }),
      form.getByRole('button', { name: 'Skapa', exact: true }).click(),
    ]);
    expect(created.status()).toBe(303);
    const issued = staff.locator('#kiosk-issued code.kiosk-url');
    await expect(issued).toHaveText(/\/visning\/[0-9a-f]{64}$/);
    const link = new URL((await issued.textContent())!.trim());
    const path = link.pathname;

    // Anyone with the link sees the wall screen.
    const opened = await page.goto(path);
    expect(opened?.status()).toBe(200);
    await expect(page.locator('.big-number')).toBeVisible();
    await expect(page.locator('#live-texts')).toHaveCount(0);

    // Revoked, the same link answers 404.
    await staff.reload();
    const revoke = staff.getByRole('button', { name: `Återkalla ${label}`, exact: true });
    await Promise.all([
      staff.waitForResponse((r) => isPost(r, /\/aterkalla$/), { timeout: 30_000 }),
      revoke.click(),
    ]);
    await expect(staff.locator('tr').filter({ hasText: label })).toContainText('Återkallad');
    const gone = await page.request.get(path);
    expect(gone.status(), `GET ${path} after revoking`).toBe(404);
    const stream = await page.request.get(`${path}/live`, { timeout: 10_000 });
    expect(stream.status(), `GET ${path}/live after revoking`).toBe(404);
    // The demo link still works.
    expect((await page.request.get(WALL)).status()).toBe(200);
  } finally {
    await staffContext.close();
  }
});
