// Automated accessibility checks (axe-core) on every page, at phone size.
// No rules are disabled and nothing is excluded; serious and critical findings fail.

import { expect, test, type Page } from '@playwright/test';
import {
  expectNoSeriousViolations,
  DEMO,
  PHONE,
  SURVEY_PATH,
  SV,
  THANKS_PATH,
  KIOSK_PATH,
  answerStepByStep,
  answerSurvey,
  backButton,
  nextButton,
  openAsStaff,
  pastMinimumTime,
  submitButton,
  waitForHydration,
} from './helpers';

test.use(PHONE);

const staticPages: { label: string; path: string }[] = [
  { label: 'start page /', path: '/' },
  { label: 'empty survey /s/kh-invanare', path: SURVEY_PATH },
  { label: 'English survey /s/kh-invanare?lang=en', path: `${SURVEY_PATH}?lang=en` },
  { label: 'thank-you page', path: THANKS_PATH },
  { label: 'sign-in page /logga-in', path: '/logga-in' },
  { label: 'forgot password /glomt-losenord', path: '/glomt-losenord' },
  { label: 'forgot password in English', path: '/glomt-losenord?lang=en' },
  { label: 'privacy page /integritet', path: '/integritet' },
  { label: 'accessibility statement /tillganglighet', path: '/tillganglighet' },
  { label: 'public follow-up page /lofte/kristinehamn', path: '/lofte/kristinehamn' },
  { label: 'public follow-up page in English', path: '/lofte/kristinehamn?lang=en' },
];

for (const { label, path } of staticPages) {
  test(`a11y: ${label}`, async ({ page }) => {
    const res = await page.goto(path);
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expectNoSeriousViolations(page, label);
  });
}

test('a11y: survey in the error state (inline, with JS)', async ({ page }) => {
  await page.goto(SURVEY_PATH);
  await waitForHydration(page);
  await nextButton(page).click();
  await expect(page.locator('#q1-error')).toHaveText(SV.required);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'survey error state (JS)');
});

test.describe('before the WASM loads', () => {
  // axe needs JavaScript, so the no-JS path is produced by never loading the WASM: the form
  // then posts natively, exactly as without JavaScript.
  test('a11y: survey after a refused (422) form, every question on the page', async ({ page }) => {
    await page.route('**/pkg/*.wasm', (route) => route.abort());
    await page.goto(SURVEY_PATH);
    await answerSurvey(page, { q1: 'Synlig polis.' });
    await pastMinimumTime(page);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      submitButton(page).click(),
    ]);
    expect(res.status()).toBe(422);
    await expect(page.locator('#q3-error')).toHaveText(SV.required);
    await expect(page.locator('div.error-summary[role=alert]')).toBeVisible();
    await expectNoSeriousViolations(page, 'survey error state (no JS)');
  });
});

test('a11y: survey filled in', async ({ page }) => {
  await page.goto(SURVEY_PATH);
  await waitForHydration(page);
  await answerStepByStep(page, { q1: 'Synlig polis.', q2: 'Trafiken.', q3: '3', q5: ['trafik'] });
  await backButton(page).click();
  await expectNoSeriousViolations(page, 'survey filled state');
});

test('a11y: closed group with its invitation-code field, and the kiosk', async ({ page }) => {
  await page.goto('/s/kh-politiker');
  await waitForHydration(page);
  await expect(page.getByLabel('Inbjudningskod')).toBeVisible();
  await expectNoSeriousViolations(page, 'survey with invitation code');
  await page.goto(KIOSK_PATH);
  await waitForHydration(page);
  await expect(page.locator('.kiosk-badge')).toBeVisible();
  await expectNoSeriousViolations(page, 'kiosk survey');
  await page.goto('/s/kh-politiker/tack?kiosk=demokiosk2027fullmaktige');
  await expect(page.getByRole('link', { name: 'Nästa person' })).toBeVisible();
  await expectNoSeriousViolations(page, 'kiosk thank-you page');
});

// Staff pages, as the roles that see them.

test('a11y: sign-in page after a wrong password (401)', async ({ page }) => {
  await page.goto('/logga-in');
  await page.getByLabel('E-postadress').fill(DEMO.region);
  await page.getByLabel('Lösenord').fill('fel-losenord');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logga-in'),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
  expect(res.status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText('Fel e-postadress eller lösenord.');
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'sign-in page after a wrong password');
});

test('a11y: dialogue dashboard /personal/oversikt/1 as the LPO manager', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.managerKristinehamn, '/personal/oversikt/1');
  expect(res?.status()).toBe(200);
  await expect(page.locator('table.coverage tr[data-group]').first()).toBeVisible();
  await expect(page.locator('section.dist').first()).toBeVisible();
  await expectNoSeriousViolations(page, 'dialogue dashboard');
});

// The live pages keep a stream open (never network-idle): they are checked once the first
// frame has been swapped in, i.e. the status reads "Live".

test('a11y: dialogue dashboard once live, with the latest free text and the quarantine form', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.managerKristinehamn, '/personal/oversikt/1');
  expect(res?.status()).toBe(200);
  await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
  await expect(page.locator('#live-texts')).toBeVisible();
  await expect(page.locator('form#quarantine-form')).toBeVisible();
  await expectNoSeriousViolations(page, 'live dialogue dashboard');
});

test('a11y: wall screen /visning/demovisning2027kristinehamn (no sign-in), once live', async ({ page }) => {
  const res = await page.goto('/visning/demovisning2027kristinehamn');
  expect(res?.status()).toBe(200);
  await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
  await expect(page.locator('.big-number')).toBeVisible();
  await expectNoSeriousViolations(page, 'wall screen');
});

test('a11y: regional view /personal/region as the regional manager', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.region, '/personal/region');
  expect(res?.status()).toBe(200);
  await expect(page.locator('table.regional tr[data-dialogue]').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'regional view (regional manager)');
});

test('a11y: theme coding /personal/kodning/1 as the officer', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/kodning/1');
  expect(res?.status()).toBe(200);
  await expect(page.locator('li.coding-item').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'theme coding (officer)');
});

test('a11y: compilation /personal/sammanstallning/1 as the officer', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/sammanstallning/1');
  expect(res?.status()).toBe(200);
  await expect(page.locator('table.themes tr[data-theme]').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'compilation (officer)');
});

test('a11y: staff page /personal as the officer', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal');
  expect(res?.status()).toBe(200);
  await expect(page.locator('section[data-dialogue]').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'staff page /personal (officer)');
});

test('a11y: register /personal/overenskommelser as the officer, with the form', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/overenskommelser');
  expect(res?.status()).toBe(200);
  await expect(page.locator('table.register tr[data-agreement]').first()).toBeVisible();
  await expect(page.locator('form#agreement-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'register (officer)');
});

test('a11y: register after a refused (422) agreement form', async ({ page }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, '/personal/overenskommelser');
  const form = page.locator('form#agreement-form');
  const [res] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/personal/overenskommelser',
    ),
    form.getByRole('button', { name: 'Spara' }).click(),
  ]);
  expect(res.status()).toBe(422);
  await expect(page.locator('#agreement-form [aria-invalid="true"]').first()).toBeVisible();
  await expect(page.locator('.error-summary[role=alert]')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'register after 422');
});

test('a11y: register /personal/overenskommelser as the municipal partner', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.partnerKristinehamn, '/personal/overenskommelser');
  expect(res?.status()).toBe(200);
  await expect(page.locator('table.register')).toBeVisible();
  await expect(page.locator('form#agreement-form')).toHaveCount(0);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'register (municipal partner)');
});

const adminPages: { label: string; path: string; email: string }[] = [
  { label: 'users admin /personal/anvandare', path: '/personal/anvandare', email: DEMO.admin },
  { label: 'organisation admin /personal/organisation', path: '/personal/organisation', email: DEMO.admin },
  { label: 'audit log /personal/logg', path: '/personal/logg', email: DEMO.managerKristinehamn },
  { label: 'audit log, page 2 oldest first', path: '/personal/logg?order=oldest&page=2', email: DEMO.admin },
  { label: 'change password /byt-losenord', path: '/byt-losenord', email: DEMO.managerKristinehamn },
];

for (const { label, path, email } of adminPages) {
  test(`a11y: ${label}`, async ({ page }) => {
    const res = await openAsStaff(page, email, path);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
    await page.waitForLoadState('networkidle');
    await expectNoSeriousViolations(page, label);
  });
}

test('a11y: promises /personal/lofte as the officer, with the draft form', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/lofte');
  expect(res?.status()).toBe(200);
  await expect(page.locator('form#promise-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'promises (officer)');
});

test('a11y: one promise /personal/lofte/1 as the officer, change form open', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/lofte/1');
  expect(res?.status()).toBe(200);
  await page.locator('#change summary').click();
  await expect(page.locator('#edit-title')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'one promise (officer)');
});

test('a11y: theme keywords open on the coding page', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/kodning/1');
  expect(res?.status()).toBe(200);
  await page.locator('details.theme-edit summary').first().click();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'coding with theme keywords open');
});
