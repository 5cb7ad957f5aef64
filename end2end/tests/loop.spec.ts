// The whole loop in one flow, through the real forms: an officer codes an answer and picks a
// quote, the manager approves the compilation; the officer drafts a promise whose commitment
// answers a theme of that compilation; the manager and the municipal partner sign; the officer
// adds an activity with a measurable target and logs progress; and a resident on a phone sees
// the commitment, how many raised its theme, and the new percentage on the public page.
// Then a change to the signed text becomes a revision: a resident's phone keeps showing the
// signed version, its status and figures, with a line that a revision is under way, until
// the last signatory signs; then the new version shows.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { DEMO, DESKTOP, PHONE, openAsStaff } from './helpers';

/** axe-core on the page as it is (no rules disabled): no serious or critical violation. */
async function axeClean(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
  expect(serious, `axe found serious/critical violations on ${label}:\n${report}`).toEqual([]);
}

async function as(browser: Browser, email: string, path: string): Promise<Page> {
  const ctx = await browser.newContext({ ...DESKTOP });
  const page = await ctx.newPage();
  const res = await openAsStaff(page, email, path);
  expect(res?.status(), `${email} opens ${path}`).toBe(200);
  return page;
}

/** Submits a plain form by its button and waits for the page after the 303. */
async function submit(page: Page, button: ReturnType<Page['locator']>): Promise<void> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    button.click(),
  ]);
  const alert = await page.getByRole('alert').allTextContents().catch(() => []);
  expect(res.status(), `POST ${res.url()} answered ${res.status()}: ${alert.join(' ')}`).toBe(303);
  await page.waitForLoadState('domcontentloaded');
}

function stockholmDay(offsetDays: number): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

test('the loop: coding → approved compilation → signed promise → progress on the public page', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const commitmentText = `Fler trygghetsvandringar vid skolorna ${Date.now()}`;

  // 1. The officer codes the first answer in the queue as drugs, and saves it.
  const officer = await as(browser, DEMO.officerKristinehamn, '/personal/kodning/1');
  const item = officer.locator('li.coding-item').first();
  const drugsBox = item.locator('label.theme-choice', { hasText: 'Narkotika' }).locator('input');
  await drugsBox.check();
  await submit(officer, item.getByRole('button', { name: 'Spara och nästa' }));

  // 2. The compilation: the officer picks a quote, the manager approves.
  await officer.goto('/personal/sammanstallning/1');
  await officer.locator('details', { hasText: 'Välj citat bland kodade svar' }).locator('summary').click();
  await submit(officer, officer.getByRole('button', { name: 'Använd som citat' }).first());
  await expect(officer.locator('section[aria-labelledby="quotes-h"] ul.free-texts blockquote').first()).toBeVisible();
  const manager = await as(browser, DEMO.managerKristinehamn, '/personal/sammanstallning/1');
  await submit(manager, manager.getByRole('button', { name: 'Godkänn och lås som ny version' }));
  await expect(manager.locator('#compilation-status')).toContainText('Godkänd version');
  // How many raised drugs, as the approved version says (a number, or "dolt").
  const drugsRow = manager.locator('table.themes tr[data-theme="narkotika"]');
  const drugsCount = ((await drugsRow.locator('td').first().textContent()) ?? '').trim();
  expect(drugsCount).toMatch(/^(\d+|dolt)$/);

  // 3. The officer drafts a promise for Kristinehamn with one commitment answering drugs.
  await officer.goto('/personal/lofte');
  await axeClean(officer, 'the promise list with the draft form');
  const form = officer.locator('#promise-form');
  await form.getByLabel('Rubrik', { exact: true }).fill('Medborgarlöfte Kristinehamn 2028');
  await form.getByLabel('Inledning', { exact: true }).fill('Polisen och kommunen lovar att arbeta mot narkotikan.');
  await form.locator('#p-from').fill('2028-01-01');
  await form.locator('#p-to').fill('2028-12-31');
  await form.locator('label.choice', { hasText: 'Kristinehamn' }).locator('input[name="municipality"]').check();
  await form.locator('#new-c1-text').fill(commitmentText);
  await form.locator('label.choice', { hasText: 'Narkotika' }).locator('input[name="c1_theme"]').check();
  await submit(officer, form.getByRole('button', { name: 'Spara utkastet' }));
  await expect(officer).toHaveURL(/\/personal\/lofte\/\d+$/);
  const promisePath = new URL(officer.url()).pathname;
  await expect(officer.locator('#promise-status')).toHaveAttribute('data-status', 'draft');

  // 4. The manager and the municipal partner sign: agreed.
  await manager.goto(promisePath);
  await expect(manager.locator('#sign-offs li')).toHaveCount(2);
  await submit(manager, manager.getByRole('button', { name: 'Underteckna som Lokalpolisområdeschefen' }));
  await expect(manager.locator('#sign-offs li[data-state="signed"]')).toHaveCount(1);
  const partner = await as(browser, DEMO.partnerKristinehamn, promisePath);
  await submit(partner, partner.getByRole('button', { name: /^Underteckna som Kommunens företrädare/ }));
  await expect(partner.locator('#promise-status')).toHaveAttribute('data-status', 'agreed');
  await expect(partner.locator('#sign-offs li[data-state="signed"]')).toHaveCount(2);

  // 5. The officer adds an activity (4 walks) and logs one walk: 25 %.
  await officer.goto(promisePath);
  const commitment = officer.locator('article.commitment', { hasText: commitmentText });
  await commitment.locator('summary', { hasText: 'Lägg till aktivitet' }).click();
  await commitment.getByLabel('Aktivitet', { exact: true }).fill('Trygghetsvandringar vid skolorna');
  await commitment.getByLabel('Mål (antal)').fill('4');
  await commitment.getByLabel(/^Enhet/).fill('vandringar');
  await commitment.getByLabel('Klart senast').fill(stockholmDay(90));
  await submit(officer, commitment.locator('form button[type="submit"]', { hasText: 'Lägg till aktivitet' }));
  const activity = officer.locator('article.commitment', { hasText: commitmentText }).locator('li.activity').first();
  await activity.getByLabel('Datum').fill(stockholmDay(0));
  await activity.getByLabel('Antal vandringar').fill('1');
  await activity.getByLabel('Vad gjordes?').fill('Första vandringen med föräldrar');
  await submit(officer, activity.getByRole('button', { name: 'Rapportera' }));
  await expect(officer.locator('article.commitment', { hasText: commitmentText }).locator('li.activity').first()).toContainText('25 %');

  // 6. A resident on a phone: the commitment, the theme count and 25 %, without signing in.
  const resident = await browser.newContext({ ...PHONE });
  const phone = await resident.newPage();
  const res = await phone.goto('/lofte/kristinehamn');
  expect(res?.status()).toBe(200);
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Medborgarlöfte Kristinehamn 2028');
  const shown = phone.locator('article.commitment', { hasText: commitmentText });
  await expect(shown.locator('.progress-value').first()).toHaveText('25 %');
  const said = phone.locator('li.said', { hasText: commitmentText });
  const expected = drugsCount === 'dolt' ? /färre än fem/ : new RegExp(`\\b${drugsCount} personer`);
  await expect(said.locator('.said-theme')).toContainText('Narkotika');
  await expect(said.locator('.said-theme')).toContainText(expected);
  await expect(phone.locator('ul.updates li').first()).toContainText('Första vandringen med föräldrar');

  // 7. A change to the signed text is a revision drafted beside it: the public page keeps the
  //    signed version, its status and its figures, and says a revision is under way, until
  //    everyone named has signed the revision.
  const before = await phone.locator('main').innerText();
  await officer.goto(promisePath);
  await officer.locator('#change summary').click();
  await officer.locator('#edit-title').fill('Medborgarlöfte Kristinehamn 2028, reviderat');
  await officer.locator('#edit-c1-weight').fill('3');
  await submit(officer, officer.getByRole('button', { name: 'Spara ändringen' }));
  await expect(officer.locator('#promise-status')).toHaveAttribute('data-status', 'agreed');
  await expect(officer.locator('#revision-note')).toContainText('Version 2');
  await phone.reload();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Medborgarlöfte Kristinehamn 2028');
  await expect(phone.locator('#promise-status')).toHaveText('Överenskommet');
  await expect(phone.locator('#revision-note')).toHaveText(/^En reviderad version förbereds/);
  // Nothing else moved: the page reads as before, but for the revision line.
  const during = await phone.locator('main').innerText();
  expect(during.replace(/\n+En reviderad version förbereds[^\n]*\n*/, '\n')).toBe(before);
  await expect(phone.locator('article.commitment', { hasText: commitmentText }).locator('.progress-value').first()).toHaveText('25 %');
  await axeClean(phone, 'the public page during a revision');
  await axeClean(officer, 'the staff page of a promise under revision');

  // 8. Everyone named signs the revision: the new version shows, its activity carried over.
  await manager.goto(promisePath);
  await submit(manager, manager.getByRole('button', { name: 'Underteckna som Lokalpolisområdeschefen' }));
  await phone.reload();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Medborgarlöfte Kristinehamn 2028');
  await partner.goto(promisePath);
  await submit(partner, partner.getByRole('button', { name: /^Underteckna som Kommunens företrädare/ }));
  await phone.reload();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Medborgarlöfte Kristinehamn 2028, reviderat');
  await expect(phone.locator('#revision-note')).toHaveCount(0);
  await expect(phone.locator('#promise-status')).toHaveText('Överenskommet');
  await expect(phone.locator('#sign-offs li')).toHaveCount(2);
  await expect(phone.locator('article.commitment', { hasText: commitmentText }).locator('.progress-value').first()).toHaveText('25 %');
  await axeClean(phone, 'the public page after the revision is signed');
  await resident.close();
});
