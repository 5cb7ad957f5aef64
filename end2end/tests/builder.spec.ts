// The staff side of citizen dialogues: an officer builds a dialogue from the question bank,
// sees each group's short link and QR code, prints the A4 poster, issues a kiosk code; the
// no-JS 422 round trip; the frozen demo dialogue; the admins' question bank.
// axe-core runs on every builder page and the poster (no rules disabled, nothing excluded).

import { expect, test, type Page, type Response } from '@playwright/test';
import { DEMO, expectNoSeriousViolations as axeCheck, openAsStaff } from './helpers';

const LIST = '/personal/dialoger';

/** axe once the page has settled (the builder's pages load their parts). */
async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await axeCheck(page, label);
}

function isPost(r: Response, path: string | RegExp): boolean {
  if (r.request().method() !== 'POST') return false;
  const p = new URL(r.url()).pathname;
  return typeof path === 'string' ? p === path : path.test(p);
}

function unique(what: string): string {
  return `${what} ${crypto.randomUUID().slice(0, 8)}`;
}

test.describe.configure({ timeout: 120_000 });

test('an officer builds a dialogue from the bank and sees its link, QR code and poster', async ({ page }) => {
  const title = unique('Trygghetsdialog');
  const res = await openAsStaff(page, DEMO.officerKristinehamn, LIST);
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'Medborgardialoger' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: /personal/i }).getByRole('link', { name: 'Medborgardialoger' })).toBeVisible();
  await expectNoSeriousViolations(page, 'dialogue list and create form');

  const form = page.locator('form#create-form');
  await form.getByLabel('Rubrik på svenska').fill(title);
  await form.getByLabel('Rubrik på engelska').fill(`${title} (en)`);
  await form.getByLabel('Inledning på svenska').fill('Polisen vill veta hur trygg du känner dig. Det tar två minuter.');
  await form.getByLabel('Inledning på engelska').fill('The police want to know how safe you feel. It takes two minutes.');
  // Kristinehamn is the officer's only municipality: already ticked.
  await expect(form.getByRole('checkbox', { name: 'Kristinehamn', exact: true })).toBeChecked();
  await form.getByRole('checkbox', { name: 'Kommuninvånare', exact: true }).check();
  await form.getByLabel('Mål för antal svar, Kommuninvånare').fill('250');
  await form.getByRole('checkbox', { name: /^Vad förväntar du dig av polisen\?/ }).check();
  await form.getByRole('checkbox', { name: /^Hur trygg känner du dig när du är ute/ }).check();
  const [created] = await Promise.all([
    page.waitForResponse((r) => isPost(r, LIST), { timeout: 30_000 }),
    form.getByRole('button', { name: 'Skapa dialogen' }).click(),
  ]);
  expect(created.status()).toBe(303);
  await page.waitForURL(/\/personal\/dialoger\/\d+\?sparad=1$/, { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Ändringen är sparad.' })).toBeVisible();

  const questions = page.locator('ol.question-list > li.question-item');
  await expect(questions).toHaveCount(2);
  await expect(questions.first()).toContainText('Vad förväntar du dig av polisen?');
  await expect(questions.first()).toContainText('ur frågebanken');

  // Distribution: one group, its short link and QR code.
  const row = page.locator('table.distribution tbody tr');
  await expect(row).toHaveCount(1);
  const code = await row.getAttribute('data-link');
  expect(code).toMatch(/^[a-z0-9]{7}$/);
  await expect(row.getByRole('link', { name: new RegExp(`/s/${code}$`) })).toHaveAttribute('href', `/s/${code}`);
  const qr = row.getByRole('img', { name: 'QR-kod till enkäten för Kommuninvånare' });
  const svg = await page.request.get(`/s/${code}/qr.svg`);
  expect(svg.status()).toBe(200);
  expect(svg.headers()['content-type']).toBe('image/svg+xml');
  expect(svg.headers()['cache-control']).toContain('max-age');
  expect(await svg.text()).toContain('<svg');
  await qr.scrollIntoViewIfNeeded();
  await expect(qr).toBeVisible();
  await expect
    .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 })
    .toBe(true);
  await expectNoSeriousViolations(page, 'dialogue builder page');

  // An own question: single choice, shown only if the safety answer is 1 or 2.
  const safetyId = await questions.nth(1).getAttribute('data-question');
  const own = page.locator('form#question-new-form');
  await own.getByLabel('Frågan på svenska').fill('Var känner du dig mest otrygg?');
  await own.getByLabel('Frågan på engelska').fill('Where do you feel least safe?');
  await own.getByLabel('Frågetyp').selectOption('single');
  await own.getByLabel('Svarsalternativ', { exact: true }).fill('Centrum | Town centre\nStationen | The station');
  await own.getByLabel('Visa bara om svaret på frågan').selectOption(safetyId!);
  await own.getByLabel('är något av').fill('1, 2');
  const [added] = await Promise.all([
    page.waitForResponse((r) => isPost(r, /\/fragor$/), { timeout: 30_000 }),
    own.getByRole('button', { name: 'Lägg till frågan' }).click(),
  ]);
  expect(added.status()).toBe(303);
  await expect(questions).toHaveCount(3);
  await expect(questions.nth(2)).toContainText('Visas bara om svaret på fråga 2 är 1, 2.');

  // A kiosk code is shown once.
  await page.locator('form#kiosk-form').getByLabel('Namn på surfplattan').fill('Surfplatta möteslokalen');
  await Promise.all([
    page.waitForResponse((r) => isPost(r, /\/kiosk$/), { timeout: 30_000 }),
    page.locator('form#kiosk-form').getByRole('button', { name: 'Skapa', exact: true }).click(),
  ]);
  const issued = page.locator('#kiosk-issued');
  await expect(issued).toBeVisible();
  await expect(issued.locator('code.kiosk-url')).toHaveText(new RegExp(`/s/${code}\\?kiosk=[0-9a-f]{64}$`));
  await expectNoSeriousViolations(page, 'builder page with a kiosk code shown');
  await page.reload();
  await expect(page.locator('#kiosk-issued')).toHaveCount(0);
  await expect(page.getByRole('cell', { name: 'Surfplatta möteslokalen', exact: true })).toBeVisible();
  await Promise.all([
    page.waitForResponse((r) => isPost(r, /\/aterkalla$/), { timeout: 30_000 }),
    page.getByRole('button', { name: 'Återkalla Surfplatta möteslokalen' }).click(),
  ]);
  await expect(page.getByRole('cell', { name: 'Återkallad', exact: true })).toBeVisible();

  // The poster: public, no invitation code, the QR and the short link written out.
  const poster = await page.goto(`/s/${code}/affisch`);
  expect(poster?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR-kod till enkäten' })).toBeVisible();
  await expect(page.locator('.poster-link')).toContainText(`/s/${code}`);
  await expectNoSeriousViolations(page, 'poster page');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.locator('.poster-qr')).toBeVisible();
});

test('a refused dialogue form comes back with 422 and messages at the fields', async ({ page }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, LIST);
  const form = page.locator('form#create-form');
  await form.getByLabel('Rubrik på engelska').fill('Only English');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => isPost(r, LIST), { timeout: 30_000 }),
    form.getByRole('button', { name: 'Skapa dialogen' }).click(),
  ]);
  expect(refused.status()).toBe(422);
  await expect(page.locator('#create-title_sv-error')).toHaveText('Fyll i fältet.');
  await expect(page.getByLabel('Rubrik på svenska')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Rubrik på engelska')).toHaveValue('Only English');
  await expect(page.locator('#create-groups-error')).toBeVisible();
  await expect(page.locator('div.error-summary[role=alert]').first()).toBeVisible();
  await expectNoSeriousViolations(page, 'create form in the error state');
});

test('the open demo dialogue is frozen: only wording can be fixed', async ({ page }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, LIST);
  await page.getByRole('link', { name: 'Medborgardialog Kristinehamn 2027' }).click();
  await expect(page.locator('#frozen-notice')).toBeVisible();
  await expect(page.locator('form#question-new-form')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Flytta upp/ })).toHaveCount(0);
  await expectNoSeriousViolations(page, 'frozen dialogue');
  // A structural change posted anyway is refused with 409.
  const url = new URL(page.url());
  const res = await page.request.post(`${url.pathname}/fragor`, {
    form: { text_sv: 'Ny', text_en: 'New', kind: 'text', max_len: '100' },
    headers: { Origin: url.origin },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(409);
  expect(await res.text()).toContain('Dialogen har öppnat och frågorna är låsta.');
});

test('admins keep the shared question bank', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.admin, '/personal/fragebank');
  expect(res?.status()).toBe(200);
  const items = page.locator('li.question-item');
  await expect(items.filter({ hasText: 'Vad önskar du att polisen ska jobba mer med?' })).toHaveCount(1);
  await expect(items.filter({ hasText: 'Vilka problem ser du i ditt område?' })).toContainText('nedskrapning');
  await expectNoSeriousViolations(page, 'question bank');
  const code = `test-${crypto.randomUUID().slice(0, 8)}`;
  const form = page.locator('form#bank-new-form');
  await form.getByLabel('Kod', { exact: true }).fill(code);
  await form.getByLabel('Frågan på svenska').fill('Hur trygg känner du dig på dagen?');
  await form.getByLabel('Frågan på engelska').fill('How safe do you feel in the daytime?');
  await form.getByLabel('Frågetyp').selectOption('scale');
  await form.getByLabel('Med svarsalternativet ”vet ej”').check();
  await Promise.all([
    page.waitForResponse((r) => isPost(r, '/personal/fragebank'), { timeout: 30_000 }),
    form.getByRole('button', { name: 'Lägg till i banken' }).click(),
  ]);
  await expect(page.locator(`li[data-bank="${code}"]`)).toContainText('Hur trygg känner du dig på dagen?');
  // Officers may not edit the bank.
  const officer = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/fragebank');
  expect(officer?.status()).toBe(403);
});
