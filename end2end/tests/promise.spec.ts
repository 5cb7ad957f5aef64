// The public follow-up page, as a resident sees it on a phone: no login, the commitment, how
// many people raised its themes, the progress in percent, and the feed advertised.

import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO, DESKTOP, PHONE, openAsStaff } from './helpers';

test.use(PHONE);

test('a resident follows the promise on a phone without signing in', async ({ page }) => {
  const res = await page.goto('/lofte/kristinehamn');
  expect(res?.status()).toBe(200);
  // The demo's promise, or a later one the loop test signed in this run (loop.spec.ts).
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Medborgarlöfte Kristinehamn 20\d\d/);
  const commitment = page.locator('article.commitment').first();
  await expect(commitment.getByRole('heading', { level: 3 })).not.toBeEmpty();
  await expect(commitment.locator('.progress-value').first()).toHaveText(/^\d+ %$/);
  // "Du sa – vi gjorde": a theme with how many raised it (or "fewer than five").
  await expect(page.locator('.said-theme').first()).toContainText(/personer tog upp det|färre än fem/);
  await expect(page.locator('ul.updates li').first()).toBeVisible();
  await expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).toHaveAttribute(
    'href',
    '/lofte/kristinehamn/flode',
  );
  const feed = await page.request.get('/lofte/kristinehamn/flode');
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
  await page.screenshot({ path: 'screenshots/promise-390.png', fullPage: true });
});

// Corrections, never silent edits (issue #14): staff correct a logged entry with a reason on the
// promise's page; a resident's phone then shows the corrected figure, the correction note with
// the reason, and the replaced entry still in the history. axe runs on both changed pages.
test('staff correct an entry and the public page shows the corrected figure and the note', async ({ browser }) => {
  // The promise the public page shows (the demo's, or the loop test's): its id is in the feed.
  const staffCtx = await browser.newContext({ ...DESKTOP });
  const staff = await staffCtx.newPage();
  const feed = await (await staff.request.get('/lofte/kristinehamn/flode')).text();
  const id = /urn:medborgarloften:promise:(\d+)/.exec(feed)?.[1];
  expect(id, 'the feed names the promise').toBeTruthy();
  const res = await openAsStaff(staff, DEMO.officerKristinehamn, `/personal/lofte/${id}`);
  expect(res?.status()).toBe(200);

  // An entry that counts now, in its activity.
  const entry = staff.locator('li.activity li[data-entry]:not(.superseded)').first();
  await expect(entry).toBeVisible();
  const entryId = await entry.getAttribute('data-entry');
  const activity = staff.locator('li.activity', { has: staff.locator(`li[data-entry="${entryId}"]`) });
  const title = ((await activity.locator('p strong').first().textContent()) ?? '').trim();
  const old = Number(/\(\+([\d.]+) /.exec((await entry.textContent()) ?? '')?.[1]);
  expect(Number.isFinite(old)).toBe(true);
  const fixed = old + 1;

  const resident = await browser.newContext({ ...PHONE });
  const phone = await resident.newPage();
  await phone.goto('/lofte/kristinehamn');
  const shownActivity = phone.locator('li.activity', { hasText: title }).first();
  const before = Number(/([\d.]+) av /.exec((await shownActivity.locator('p').first().textContent()) ?? '')?.[1]);

  await entry.locator('summary', { hasText: 'Rätta' }).click();
  await entry.getByLabel(/^Rättad siffra/).fill(String(fixed));
  await entry.getByLabel('Skäl till rättelsen (krävs)').fill('Fel antal i första rapporten');
  await staff.waitForLoadState('networkidle');
  await expectNoSerious(staff, 'one promise (officer), correction form open');
  const [posted] = await Promise.all([
    staff.waitForResponse((r) => r.request().method() === 'POST'),
    entry.getByRole('button', { name: 'Spara rättelsen' }).click(),
  ]);
  expect(posted.status()).toBe(303);
  await staff.waitForLoadState('domcontentloaded');
  // Staff: the original stays, marked as replaced; the correction carries the reason.
  await expect(staff.locator(`li[data-entry="${entryId}"]`)).toHaveClass(/superseded/);
  await expect(staff.locator('li.correction', { hasText: 'Fel antal i första rapporten' })).toBeVisible();

  await phone.reload();
  await expect(phone.locator('li.activity', { hasText: title }).first().locator('p').first()).toContainText(
    `${before - old + fixed} av `,
  );
  const note = phone.locator('ul.updates li.correction', { hasText: 'Fel antal i första rapporten' });
  await expect(note).toContainText('Rättelse');
  await expect(note).toContainText(`${old} → ${fixed}`);
  await expect(phone.locator(`ul.updates li[data-update="${entryId}"]`)).toContainText('Ersatt av en rättelse');
  await phone.waitForLoadState('networkidle');
  await expectNoSerious(phone, 'public follow-up page with a correction');
  await resident.close();
  await staffCtx.close();
});

async function expectNoSerious(page: import('@playwright/test').Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious.map((v) => `- [${v.impact}] ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe on ${label}:\n${report.join('\n')}`).toEqual([]);
}
