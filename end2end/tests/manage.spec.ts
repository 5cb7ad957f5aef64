// Staff manage what they created (issue #16), at phone and desktop size: an admin changes an
// account's role and scope, a second admin's stale save is a conflict that shows both
// versions, and the change is found in the audit log by searching; bad filters get 422.
// axe on every new page and state. Works without JavaScript: every form is a plain POST/GET.

import { expect, test, type Page } from '@playwright/test';
import { DEMO, DESKTOP, PHONE, expectNoSeriousViolations, newOfficer, openAsStaff } from './helpers';

const USERS = '/personal/anvandare';
const AUDIT = '/personal/logg';

for (const [size, device] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  test.describe(size, () => {
    test.use(device);

    test(`${size}: an admin changes a user's role and scope, and finds the change in the log`, async ({ page }) => {
      const name = `Test Testsson ${size}`;
      const email = await newOfficer(page, name);
      await page.locator(`tr[data-user="${email}"]`).getByRole('link', { name }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Ändra konto');
      await expect(page.getByLabel('Namn')).toHaveValue(name);
      await expectNoSeriousViolations(page, `user edit (${size})`);

      await page.getByLabel('Roll').selectOption('lpo_manager');
      await page.getByLabel('Ansvarsområde').selectOption({ label: 'LPO Torsby (lpo)' });
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Spara ändringarna' }).click(),
      ]);
      expect(saved.status()).toBe(303);
      await expect(page.locator('p.notice[role=status]')).toContainText('Ändringen är sparad.');
      const row = page.locator(`tr[data-user="${email}"]`);
      await expect(row).toContainText('lokalpolisområdeschef');
      await expect(row).toContainText('LPO Torsby');

      // The log: search for the account's e-mail part, then narrow to updates of accounts.
      const id = new URL(await row.getByRole('link', { name }).getAttribute('href') ?? '', 'http://x').pathname
        .split('/')
        .pop();
      expect(id).toMatch(/^\d+$/);
      await page.goto(AUDIT);
      const search = page.getByRole('search');
      await search.getByLabel('Id eller text').fill('lpo_manager');
      await search.getByLabel('Åtgärd').selectOption('update');
      await search.getByLabel('Slags post').selectOption('staff_user');
      await search.getByRole('button', { name: 'Sök' }).click();
      await expect(page).toHaveURL(/action=update/);
      await expect(page).toHaveURL(/object=staff_user/);
      const entry = page.locator('tbody tr').filter({ hasText: `update staff_user` }).filter({ has: page.locator('code', { hasText: new RegExp(`^${id}$`) }) });
      await expect(entry).toHaveCount(1);
      await expect(entry).toContainText('lpo_manager');
      await expect(page.locator('#audit-found')).toContainText('sida 1 av');
      await expectNoSeriousViolations(page, `audit log, filtered (${size})`);

      // The export link keeps the filter.
      const csvHref = await page.getByRole('link', { name: 'Ladda ner det som hittats som CSV' }).getAttribute('href');
      expect(csvHref).toContain('/personal/logg.csv?');
      expect(csvHref).toContain('object=staff_user');
      const csv = await page.request.get(csvHref ?? '');
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect(await csv.text()).toContain(`"${id}"`);
    });

    test(`${size}: a stale save is a 409 that shows what is stored and keeps what was typed`, async ({ page, context }) => {
      const email = await newOfficer(page, `Krock Krocksson ${size}`);
      const href = await page.locator(`tr[data-user="${email}"] a`).getAttribute('href');
      const other = await context.newPage();
      await other.goto(href ?? '');
      await page.goto(href ?? '');
      await other.getByLabel('Namn').fill(`Först ${size}`);
      await other.getByRole('button', { name: 'Spara ändringarna' }).click();
      await expect(other.locator('p.notice[role=status]')).toContainText('Ändringen är sparad.');

      await page.getByLabel('Namn').fill(`Sist ${size}`);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Spara ändringarna' }).click(),
      ]);
      expect(res.status()).toBe(409);
      const conflict = page.locator('#conflict');
      await expect(conflict).toContainText('Någon annan sparade kontot');
      await expect(conflict).toContainText(`Först ${size}`);
      await expect(page.getByLabel('Namn')).toHaveValue(`Sist ${size}`);
      await expectNoSeriousViolations(page, `user edit conflict (${size})`);
      // Saving again replaces the stored version, on purpose.
      await page.getByRole('button', { name: 'Spara ändringarna' }).click();
      await expect(page.locator(`tr[data-user="${email}"]`)).toContainText(`Sist ${size}`);
      await other.close();
    });

    test(`${size}: an officer fixes a typo in an activity`, async ({ page }) => {
      const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/lofte/1');
      expect(res?.status()).toBe(200);
      const activity = page.locator('li.activity').first();
      const id = await activity.getAttribute('data-activity');
      await activity.locator('summary', { hasText: 'Ändra aktiviteten' }).click();
      const before = await page.locator(`#a${id}-edit-title`).inputValue();
      const fixed = `${before.replace(/ \(rättad [a-z]+\)$/, '')} (rättad ${size})`;
      await page.locator(`#a${id}-edit-title`).fill(fixed);
      await expectNoSeriousViolations(page, `activity edit open (${size})`);
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        activity.getByRole('button', { name: 'Spara aktiviteten' }).click(),
      ]);
      expect(saved.status()).toBe(303);
      await expect(page.locator(`#activity-${id} strong`).first()).toHaveText(fixed);
    });

    test(`${size}: an admin finds an account by searching the users list`, async ({ page }) => {
      const email = await newOfficer(page, `Sökbar Person ${size}`);
      await page.getByLabel('Namn eller e-postadress innehåller').fill(email.slice(0, 12).toUpperCase());
      await page.getByLabel('Status', { exact: true }).selectOption('aktiva');
      await page.getByRole('button', { name: 'Sök', exact: true }).click();
      await expect(page).toHaveURL(/sok=/);
      await expect(page.locator('#users-found')).toContainText('Hittade konton: 1 (');
      await expect(page.locator('tr[data-user]')).toHaveCount(1);
      await expect(page.locator(`tr[data-user="${email}"]`)).toHaveCount(1);
      await expectNoSeriousViolations(page, `users search (${size})`);
      await page.getByLabel('Status', { exact: true }).selectOption('avstangda');
      await page.getByRole('button', { name: 'Sök', exact: true }).click();
      await expect(page.locator('tr[data-user]')).toHaveCount(0);
    });

    test(`${size}: an officer corrects a progress entry`, async ({ page }) => {
      const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/lofte/1');
      expect(res?.status()).toBe(200);
      const entry = page.locator('li[data-entry]:not(.superseded)').filter({ has: page.locator('summary', { hasText: 'Rätta' }) }).first();
      const id = await entry.getAttribute('data-entry');
      await entry.locator('summary', { hasText: 'Rätta' }).click();
      const amount = Number(await page.locator(`#e${id}-amount`).inputValue()) + 1;
      await page.locator(`#e${id}-amount`).fill(String(amount));
      await page.locator(`#e${id}-reason`).fill(`Dubbelräknad (${size})`);
      await expectNoSeriousViolations(page, `progress correction open (${size})`);
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        entry.getByRole('button', { name: 'Spara rättelsen' }).click(),
      ]);
      expect(saved.status()).toBe(303);
      // The entry stays, marked as superseded; the correction shows beside it, with the reason.
      await expect(page.locator(`#entry-${id}`)).toHaveClass(/superseded/);
      const correction = page.locator('li.correction').filter({ hasText: `Dubbelräknad (${size})` });
      await expect(correction).toHaveCount(1);
      await expect(correction).toContainText(`+${amount}`);
    });

    test(`${size}: an officer pages through the answers queue and finds coded answers to recode`, async ({ page }) => {
      const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/kodning/1');
      expect(res?.status()).toBe(200);
      const found = page.locator('#coding-found');
      await expect(found).toContainText(/Svar 1–20 av \d+ \(sida 1 av \d+\)/);
      const first = await page.locator('li.coding-item').first().getAttribute('data-answer');
      await page.getByRole('navigation', { name: 'Sidor med svar' }).getByRole('link', { name: 'Nästa sida' }).click();
      await expect(page).toHaveURL(/[?&]sida=2/);
      await expect(found).toContainText(/Svar 21–40 av \d+ \(sida 2 av \d+\)/);
      expect(await page.locator(`li.coding-item[data-answer="${first}"]`).count()).toBe(0);
      await expectNoSeriousViolations(page, `answers queue page 2 (${size})`);
      await page.getByRole('navigation', { name: 'Sidor med svar' }).getByRole('link', { name: 'Föregående sida' }).click();
      await expect(found).toContainText('Svar 1–20');

      // Coded answers with a theme: each shows the theme chosen, ready to recode.
      await page.getByLabel('Visa', { exact: true }).selectOption('kodade');
      await page.getByLabel('Med temat').selectOption({ label: 'Narkotika' });
      await page.getByRole('button', { name: 'Visa svaren' }).click();
      await expect(page).toHaveURL(/visa=kodade/);
      const item = page.locator('li.coding-item').first();
      await expect(item.getByRole('checkbox', { name: /Narkotika/ })).toBeChecked();
      await expect(item.getByRole('button', { name: 'Spara ändrad kodning' })).toBeVisible();
      await expectNoSeriousViolations(page, `coded answers (${size})`);
      // Saving comes back to the same view.
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        item.getByRole('button', { name: 'Spara ändrad kodning' }).click(),
      ]);
      expect(saved.status()).toBe(303);
      await expect(page).toHaveURL(/visa=kodade/);
    });

    test(`${size}: an unreadable filter is a 422 with the message at its field`, async ({ page }) => {
      await openAsStaff(page, DEMO.managerKristinehamn, AUDIT);
      const res = await page.goto(`${AUDIT}?from=1+mars&page=0`);
      expect(res?.status()).toBe(422);
      await expect(page.getByRole('alert')).toContainText('Skriv dagen som ÅÅÅÅ-MM-DD.');
      await expect(page.getByLabel('Från och med dag')).toHaveAttribute('aria-invalid', 'true');
      await expectNoSeriousViolations(page, `audit log, bad filter (${size})`);
      const csv = await page.request.get(`${AUDIT}.csv?to=igår`);
      expect(csv.status()).toBe(422);
    });
  });
}

test('the staff menu leads to changing the password', async ({ page }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, '/personal/lofte');
  await page.getByRole('link', { name: 'Byt lösenord' }).click();
  await expect(page).toHaveURL(/\/byt-losenord$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Byt lösenord');
});

test('an admin renames, retires, brings back and deletes an organisation unit', async ({ page }) => {
  const code = `omr-${crypto.randomUUID().slice(0, 8)}`;
  await openAsStaff(page, DEMO.admin, '/personal/organisation');
  const form = page.locator('form[action="/personal/organisation"]');
  await form.getByLabel('Under').selectOption({ label: '– – – – Kristinehamn' });
  await form.getByLabel('Typ').selectOption('area');
  await form.getByLabel('Namn').fill(`Nytt omrde ${code}`);
  await form.getByLabel('Kod').fill(code);
  const post = async (click: () => Promise<void>) => {
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), click()]);
    return res.status();
  };
  expect(await post(() => form.getByRole('button', { name: 'Spara' }).click())).toBe(303);
  const unit = () => page.locator(`li[data-unit="${code}"]`);
  await unit().getByText(`Ändra Nytt omrde ${code}`).click();
  await expectNoSeriousViolations(page, 'organisation, a unit opened');
  await unit().getByLabel('Namn').fill(`Nytt område ${code}`);
  expect(await post(() => unit().getByRole('button', { name: 'Byt namn' }).click())).toBe(303);
  await expect(unit()).toContainText(`Nytt område ${code}`);

  // Retired: marked, and out of the parent choices; brought back.
  await unit().locator('summary').first().click();
  expect(await post(() => unit().getByRole('button', { name: 'Ta ur bruk' }).click())).toBe(303);
  await expect(unit()).toContainText('Ur bruk');
  await unit().locator('summary').first().click();
  expect(await post(() => unit().getByRole('button', { name: 'Ta i bruk igen' }).click())).toBe(303);
  await expect(unit()).not.toContainText('Ur bruk');

  // A unit with history offers no delete and says why; this one has none: deleted, asked twice.
  const kh = page.locator('li[data-unit="kristinehamn"]');
  await kh.locator('summary').first().click();
  await expect(kh).toContainText('kan inte tas bort');
  await expect(kh.getByText('Ta bort enheten', { exact: true })).toHaveCount(0);
  await unit().locator('summary').first().click();
  await unit().getByText('Ta bort enheten', { exact: true }).click();
  expect(await post(() => unit().getByRole('button', { name: 'Ja, ta bort enheten' }).click())).toBe(303);
  await expect(unit()).toHaveCount(0);
});
