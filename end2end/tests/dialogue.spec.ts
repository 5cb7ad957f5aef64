// A dialogue after creation (issue #16), at phone and desktop size: an officer fixes a typo
// in the title and changes a target, a save without a title is refused with the typing kept,
// finds the dialogue by searching the list, closes an open one early (asked twice), archives
// and restores it, and deletes one without answers (asked twice). An admin retires a bank
// question (it leaves the create form), brings it back and deletes it. A settings form saved
// after the session ended comes back filled in after signing in. axe on every new state.
// Every form is a plain POST (or GET, for the search): it all works without JavaScript.

import { expect, test, type Page } from '@playwright/test';
import { DEMO, DESKTOP, PHONE, expectNoSeriousViolations, openAsStaff } from './helpers';

const LIST = '/personal/dialoger';

test.describe.configure({ timeout: 120_000 });

function stockholmDay(offsetDays: number): string {
  const t = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(t);
}

/** Creates a dialogue for Kristinehamn's residents and returns its page's path. */
async function createDialogue(page: Page, title: string, opensOn: string): Promise<string> {
  await openAsStaff(page, DEMO.officerKristinehamn, LIST);
  const form = page.locator('form#create-form');
  await form.getByLabel('Rubrik på svenska').fill(title);
  await form.getByLabel('Rubrik på engelska').fill(`${title} (en)`);
  await form.getByLabel('Inledning på svenska').fill('Berätta hur trygg du känner dig.');
  await form.getByLabel('Inledning på engelska').fill('Tell us how safe you feel.');
  await form.getByLabel('Öppnar').fill(opensOn);
  await form.getByRole('checkbox', { name: 'Kommuninvånare', exact: true }).check();
  await form.getByLabel('Mål för antal svar, Kommuninvånare').fill('200');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === LIST),
    form.getByRole('button', { name: 'Skapa dialogen' }).click(),
  ]);
  expect(created.status()).toBe(303);
  await page.waitForURL(/\/personal\/dialoger\/\d+\?sparad=1$/);
  return new URL(page.url()).pathname;
}

async function post(page: Page, click: () => Promise<void>): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), click()]);
  return res.status();
}

for (const [size, device] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  test.describe(size, () => {
    test.use(device);

    test(`${size}: an officer fixes a dialogue's title and target, finds it, and deletes it`, async ({ page }) => {
      const tag = crypto.randomUUID().slice(0, 8);
      const path = await createDialogue(page, `Trygghetsdialgo ${tag}`, stockholmDay(3));
      const settings = page.locator('section[aria-labelledby=settings-title]');
      await settings.getByText('Ändra rubrik, inledning, period eller mål').click();
      const form = page.locator('form#settings-form');
      await expect(form.getByLabel('Öppnar')).not.toHaveAttribute('readonly');
      await expectNoSeriousViolations(page, `dialogue settings, open (${size})`);

      // Without a title: 422, the message at the field, the rest of the typing kept.
      await form.getByLabel('Rubrik på svenska').fill('');
      await form.getByLabel('Mål för Kommuninvånare (antal svar)').fill('260');
      expect(await post(page, () => form.getByRole('button', { name: 'Spara ändringarna' }).click())).toBe(422);
      const again = page.locator('form#settings-form');
      await expect(again.getByLabel('Mål för Kommuninvånare (antal svar)')).toHaveValue('260');
      await expect(page.getByRole('alert').first()).toBeVisible();
      await expectNoSeriousViolations(page, `dialogue settings, refused (${size})`);

      // The typo fixed: saved, the new title on the page and the new target in the table.
      await again.getByLabel('Rubrik på svenska').fill(`Trygghetsdialog ${tag}`);
      expect(await post(page, () => again.getByRole('button', { name: 'Spara ändringarna' }).click())).toBe(303);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Trygghetsdialog ${tag}`);
      await expect(page.locator('table.distribution tbody tr').first()).toContainText('260');

      // Found in the list by searching, among the upcoming ones.
      await page.goto(LIST);
      const search = page.getByRole('search');
      await search.getByLabel('Rubriken innehåller').fill(`dialog ${tag}`.toUpperCase());
      await search.getByLabel('Visa').selectOption('kommande');
      await search.getByRole('button', { name: 'Sök' }).click();
      await expect(page).toHaveURL(/visa=kommande/);
      await expect(page.locator('#dialogues-found')).toContainText('Hittade dialoger: 1');
      await expect(page.getByRole('link', { name: `Trygghetsdialog ${tag}` })).toBeVisible();
      await expectNoSeriousViolations(page, `dialogue list, searched (${size})`);

      // No answers yet: it can be deleted, once confirmed.
      await page.goto(path);
      const manage = page.locator('section[aria-labelledby=manage-title]');
      await expect(manage).toContainText('inga svar än');
      await manage.getByText('Ta bort dialogen', { exact: true }).click();
      await expectNoSeriousViolations(page, `dialogue delete, asked (${size})`);
      expect(await post(page, () => manage.getByRole('button', { name: 'Ja, ta bort dialogen' }).click())).toBe(303);
      await expect(page).toHaveURL(/\/personal\/dialoger\?borttagen=1$/);
      await expect(page.locator('p.notice[role=status]')).toContainText('Dialogen är borttagen.');
      expect((await page.request.get(path)).status()).toBe(404);
    });

    test(`${size}: an officer closes an open dialogue early, archives and restores it`, async ({ page }) => {
      const tag = crypto.randomUUID().slice(0, 8);
      const title = `Öppen dialog ${tag}`;
      const path = await createDialogue(page, title, stockholmDay(0));
      const form = page.locator('form#settings-form');
      await page.getByText('Ändra rubrik, inledning, period eller mål').click();
      // Open: the first day is locked, said in words.
      await expect(form.getByLabel('Öppnar')).toHaveAttribute('readonly', '');
      await expect(form).toContainText('Första dagen är låst');

      const manage = page.locator('section[aria-labelledby=manage-title]');
      await expect(manage.getByRole('button', { name: 'Arkivera dialogen' })).toHaveCount(0);
      await manage.getByText('Stäng dialogen nu', { exact: true }).click();
      await expectNoSeriousViolations(page, `dialogue close, asked (${size})`);
      expect(await post(page, () => manage.getByRole('button', { name: 'Ja, stäng dialogen' }).click())).toBe(303);
      await expect(manage).toContainText('En avslutad dialog kan arkiveras');

      // Closed: archive it; it leaves the list and is in the archived view; restore it.
      expect(await post(page, () => manage.getByRole('button', { name: 'Arkivera dialogen' }).click())).toBe(303);
      await expect(page.locator('#archived-notice')).toBeVisible();
      await expectNoSeriousViolations(page, `dialogue archived (${size})`);
      await page.goto(`${LIST}?sok=${tag}`);
      await expect(page.locator('#dialogues-found')).toContainText('Hittade dialoger: 0');
      await page.goto(`${LIST}?sok=${tag}&visa=arkiverade`);
      const row = page.locator('tbody tr').filter({ hasText: title });
      await expect(row).toContainText('Arkiverad');
      await row.getByRole('link', { name: title }).click();
      await expect(page).toHaveURL(new RegExp(`${path}$`));
      expect(await post(page, () => page.getByRole('button', { name: 'Återställ från arkivet' }).click())).toBe(303);
      await page.goto(`${LIST}?sok=${tag}&visa=avslutade`);
      await expect(page.locator('tbody tr').filter({ hasText: title })).toHaveCount(1);
    });
  });
}

test('an admin retires a bank question, brings it back and deletes it', async ({ page }) => {
  const code = `retire-${crypto.randomUUID().slice(0, 8)}`;
  const text = `Hur ofta ser du polisen? ${code}`;
  await openAsStaff(page, DEMO.admin, '/personal/fragebank');
  const form = page.locator('form#bank-new-form');
  await form.getByLabel('Kod', { exact: true }).fill(code);
  await form.getByLabel('Frågan på svenska').fill(text);
  await form.getByLabel('Frågan på engelska').fill('How often do you see the police?');
  await form.getByLabel('Frågetyp').selectOption('text');
  expect(await post(page, () => form.getByRole('button', { name: 'Lägg till i banken' }).click())).toBe(303);
  const item = page.locator(`li[data-bank="${code}"]`);
  await expect(item).toContainText(text);
  await expect(page.locator('li[data-bank="trygghet-kvall"]')).toContainText('används i minst en dialog');

  // Retired: folded away on the bank page, no longer offered when a dialogue is created.
  expect(await post(page, () => item.getByRole('button', { name: 'Ta ur bruk' }).click())).toBe(303);
  const retired = page.locator('details.retired-items');
  await expect(retired.locator(`li[data-bank="${code}"]`)).toHaveCount(1);
  await retired.locator('> summary').click();
  await expectNoSeriousViolations(page, 'question bank, a retired item shown');
  await page.goto(LIST);
  await expect(page.locator('form#create-form')).not.toContainText(text);
  await page.goto('/personal/fragebank');
  await page.locator('details.retired-items > summary').click();
  expect(await post(page, () => page.locator(`li[data-bank="${code}"]`).getByRole('button', { name: 'Ta i bruk igen' }).click())).toBe(303);
  await page.goto(LIST);
  await expect(page.locator('form#create-form')).toContainText(text);

  // No dialogue uses it: deleted after a second yes.
  await page.goto('/personal/fragebank');
  const back = page.locator(`li[data-bank="${code}"]`);
  await back.getByText('Ta bort frågan', { exact: true }).click();
  expect(await post(page, () => back.getByRole('button', { name: 'Ja, ta bort frågan' }).click())).toBe(303);
  await expect(page.locator(`li[data-bank="${code}"]`)).toHaveCount(0);
});

test('a form saved after the session ended comes back filled in after signing in', async ({ page, context }) => {
  const tag = crypto.randomUUID().slice(0, 8);
  const path = await createDialogue(page, `Utkastdialog ${tag}`, stockholmDay(3));
  await page.getByText('Ändra rubrik, inledning, period eller mål').click();
  const form = page.locator('form#settings-form');
  await form.getByLabel('Inledning på svenska').fill(`Lång text som inte får försvinna ${tag}`);
  // The session ends while the form is open.
  await context.clearCookies();
  await form.getByRole('button', { name: 'Spara ändringarna' }).click();
  await expect(page).toHaveURL(/\/logga-in\?next=.*utkast=1/);
  await expect(page.locator('p.notice[role=status]')).toBeVisible();
  await page.getByLabel('E-postadress').fill(DEMO.officerKristinehamn);
  await page.getByLabel('Lösenord').fill(DEMO.password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((u) => u.pathname === path);
  await expect(page.locator('#refused')).toContainText('Du loggades ut');
  await expect(page.locator('form#settings-form').getByLabel('Inledning på svenska')).toHaveValue(
    `Lång text som inte får försvinna ${tag}`,
  );
  await expectNoSeriousViolations(page, 'dialogue settings, restored after sign-in');
  expect(await post(page, () => page.locator('form#settings-form').getByRole('button', { name: 'Spara ändringarna' }).click())).toBe(303);
  await expect(page.locator('p.lead')).toContainText(`Lång text som inte får försvinna ${tag}`);
});
