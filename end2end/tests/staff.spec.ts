// Staff sign-in and the community officers' register of agreements (/personal/overenskommelser):
// sign-in and sign-out, roles (municipal partners), the add form with mouse and with keyboard
// only, the 422 round trip, filters and scope.
//
// Sign-in is rate limited per account (5 a minute): only the tests *about* signing in use
// signIn(); the others reuse a session through openAsStaff().

import { expect, test, type Locator, type Page, type Response } from '@playwright/test';
import { BASE_URL, DEMO, SESSION_COOKIE, openAsStaff, signIn } from './helpers';

const REGISTER = '/personal/overenskommelser';
const UNIT_KH_SOC = 'Kristinehamn kommun, socialtjänsten';
const OFFICER_KH = 'Johan Berg';

const TEXT = {
  signedInOfficer: `Inloggad: ${OFFICER_KH} (kommunpolis)`,
  signedInPartner: 'Inloggad: Maria Ek (kommunen)',
  badCredentials: 'Fel e-postadress eller lösenord.',
  forbidden: 'Du har inte behörighet till den här sidan.',
  saved: 'Överenskommelsen är sparad.',
  due: 'Dags för uppföljning',
  reviewBeforeStart: 'Uppföljningen kan inte ligga före starten.',
  errorsTitle: 'Formuläret kunde inte sparas. Rätta det som är markerat.',
};

/** A purpose text no other test (or earlier run on the same server) has used. */
function uniquePurpose(what: string): string {
  return `${what} ${crypto.randomUUID().slice(0, 8)}: gemensamma trygghetsvandringar kring skolorna.`;
}

function isPost(r: Response, path: string): boolean {
  return r.request().method() === 'POST' && new URL(r.url()).pathname === path;
}

function agreementForm(page: Page): Locator {
  return page.locator('form#agreement-form');
}

function filterForm(page: Page): Locator {
  return page.getByRole('form', { name: 'Filtrera överenskommelser' });
}

function agreementRows(page: Page): Locator {
  return page.locator('table.register tbody tr[data-agreement]');
}

function rowWith(page: Page, text: string): Locator {
  return agreementRows(page).filter({ hasText: text });
}

/** The cells of a row of the register, in column order. */
function expectedCells(a: {
  unit: string;
  area: string;
  purpose: string;
  review: string;
  status: string;
  contact: string;
}): (string | RegExp)[] {
  // The status cell also holds the editors' "change status" form, after the status itself.
  return [`${OFFICER_KH} – ${a.unit}`, a.area, a.purpose, a.review, new RegExp(`^${a.status}`), a.contact];
}

async function expectSignedInAs(page: Page, text: string): Promise<void> {
  await expect(page.locator('.staff-bar')).toContainText(text);
  await expect(page.getByRole('button', { name: 'Logga ut' })).toBeVisible();
}

// --- keyboard helpers: focus is only read, never set -------------------------------------

async function activeMatches(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
}

async function describeActive(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '(nothing)';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  });
}

/** Presses Tab (or Shift+Tab) until `selector` has focus; fails if it never gets there. */
async function tabUntil(page: Page, selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await activeMatches(page, selector)) return;
  }
  throw new Error(`${selector} not reached with ${max}× ${key}; focus is on ${await describeActive(page)}`);
}

/** Presses `key` once and expects focus on `selector` (checks the tab order). */
async function pressAndExpectFocus(page: Page, key: string, selector: string): Promise<void> {
  await page.keyboard.press(key);
  expect(await activeMatches(page, selector), `after ${key}, focus on ${selector}, not ${await describeActive(page)}`).toBe(
    true,
  );
}

async function selectedLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!(el instanceof HTMLSelectElement)) return `(focus is on ${el?.tagName ?? 'nothing'}, not a select)`;
    return (el.selectedOptions[0]?.textContent ?? '').trim();
  });
}

/** In the focused (closed) select: Home, then ArrowDown until `label` is chosen. */
async function arrowToOption(page: Page, label: string, max = 40): Promise<void> {
  await page.keyboard.press('Home');
  for (let i = 0; i < max; i++) {
    if ((await selectedLabel(page)) === label) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`option "${label}" not reached with ArrowDown; chosen: "${await selectedLabel(page)}"`);
}

/** In the focused (closed) select: types the option's first letters (type-ahead). */
async function typeToOption(page: Page, letters: string, label: string): Promise<void> {
  await page.keyboard.type(letters);
  expect(await selectedLabel(page), `typing "${letters}" chooses "${label}"`).toBe(label);
}

// --- tests -----------------------------------------------------------------------------------

test('an officer signs in, adds an agreement, finds it with a filter, and signs out', async ({ page, browser }) => {
  await signIn(page, DEMO.officerKristinehamn, '/personal');
  await expectSignedInAs(page, TEXT.signedInOfficer);
  const staffNav = page.getByRole('navigation', { name: 'Personalmeny' });
  await expect(staffNav.getByRole('link', { name: 'Svar' })).toHaveAttribute('href', '/personal');
  await staffNav.getByRole('link', { name: 'Överenskommelser' }).click();
  await expect(page).toHaveURL(`${BASE_URL}${REGISTER}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Överenskommelser');
  await expect(page.getByRole('heading', { level: 2, name: 'Ny överenskommelse' })).toBeVisible();

  const purpose = uniquePurpose('Musprov');
  const contact = 'Lena Holm, enhetschef';
  const form = agreementForm(page);
  await expect(form.getByLabel('Status', { exact: true }).locator('option:checked')).toHaveText('Gällande');
  await form.getByLabel('Kommunal enhet', { exact: true }).selectOption({ label: UNIT_KH_SOC });
  await form.getByLabel('Specialområde', { exact: true }).selectOption({ label: 'Skolor' });
  await form.getByLabel('Kommunpolis', { exact: true }).selectOption({ label: OFFICER_KH });
  await form.getByLabel('Syfte', { exact: true }).fill(purpose);
  await form.getByLabel('Startdatum', { exact: true }).fill('2027-02-01');
  await form.getByLabel('Uppföljningsdatum', { exact: true }).fill('2027-08-31');
  await form.getByLabel('Kontaktperson', { exact: true }).fill(contact);
  await form.getByLabel('Status', { exact: true }).selectOption({ label: 'Gällande' });

  const [post] = await Promise.all([
    page.waitForResponse((r) => isPost(r, REGISTER)),
    form.getByRole('button', { name: 'Spara' }).click(),
  ]);
  expect(post.status(), 'a valid agreement is answered 303 See Other').toBe(303);
  expect(post.headers()['location']).toBe(`${REGISTER}?sparad=1`);
  await expect(page).toHaveURL(`${BASE_URL}${REGISTER}?sparad=1`);
  await expect(page.getByRole('status')).toHaveText(TEXT.saved);

  const row = rowWith(page, purpose);
  await expect(row).toHaveCount(1);
  const cells = expectedCells({
    unit: UNIT_KH_SOC,
    area: 'Skolor',
    purpose,
    review: '2027-08-31',
    status: 'Gällande',
    contact,
  });
  await expect(row.locator('td')).toHaveText(cells);
  await expect(row, 'review far ahead: not flagged').not.toHaveClass(/\bdue\b/);

  // Filter by special area: the new agreement is still listed, and only school agreements are.
  const filters = filterForm(page);
  await filters.getByLabel('Specialområde', { exact: true }).selectOption({ label: 'Skolor' });
  await filters.getByRole('button', { name: 'Filtrera' }).click();
  await expect(page).toHaveURL(/[?&]omrade=\d+/);
  await expect(filters.getByLabel('Specialområde', { exact: true }).locator('option:checked')).toHaveText('Skolor');
  await expect(rowWith(page, purpose)).toHaveCount(1);
  await expect(rowWith(page, purpose).locator('td')).toHaveText(cells);
  const areas = await agreementRows(page).locator('td:nth-child(2)').allTextContents();
  expect(areas.map((a) => a.trim()), 'the filter lists school agreements only').toEqual(areas.map(() => 'Skolor'));

  // Another area: the new agreement is filtered out.
  await filters.getByLabel('Specialområde', { exact: true }).selectOption({ label: 'Trafik' });
  await filters.getByRole('button', { name: 'Filtrera' }).click();
  await expect(filters.getByLabel('Specialområde', { exact: true }).locator('option:checked')).toHaveText('Trafik');
  await expect(rowWith(page, 'Trafiksäkerhet vid skolor')).toHaveCount(1);
  await expect(rowWith(page, purpose)).toHaveCount(0);

  // Sign out: a form POST answered 303 to the sign-in page.
  const oldSession = (await page.context().cookies()).filter((c) => c.name === SESSION_COOKIE);
  expect(oldSession).toHaveLength(1);
  const [logout] = await Promise.all([
    page.waitForResponse((r) => isPost(r, '/logga-ut')),
    page.getByRole('button', { name: 'Logga ut' }).click(),
  ]);
  expect(logout.status()).toBe(303);
  expect(logout.headers()['location']).toBe('/logga-in');
  await expect(page).toHaveURL(`${BASE_URL}/logga-in`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logga in');

  // /personal wants sign-in again …
  const again = await page.request.get('/personal', { maxRedirects: 0 });
  expect(again.status()).toBe(302);
  expect(again.headers()['location']).toBe('/logga-in?next=/personal');
  await page.goto('/personal');
  await expect(page).toHaveURL(`${BASE_URL}/logga-in?next=/personal`);
  await expect(page.getByLabel('E-postadress')).toBeVisible();

  // … also for whoever still holds the old session cookie: it ended on the server.
  const replay = await browser.newContext({ baseURL: BASE_URL });
  try {
    await replay.addCookies(oldSession);
    const res = await replay.request.get('/personal', { maxRedirects: 0 });
    expect(res.status(), 'the signed-out session cookie no longer works').toBe(302);
    expect(res.headers()['location']).toBe('/logga-in?next=/personal');
  } finally {
    await replay.close();
  }
});

test('signing in and adding an agreement works with the keyboard only', async ({ page }) => {
  await page.goto(`/logga-in?next=${REGISTER}`);
  await tabUntil(page, '#email');
  await page.keyboard.type(DEMO.officerKristinehamn);
  await pressAndExpectFocus(page, 'Tab', '#password');
  await page.keyboard.type(DEMO.password);
  const [login] = await Promise.all([
    page.waitForResponse((r) => isPost(r, '/logga-in')),
    page.keyboard.press('Enter'),
  ]);
  expect(login.status(), 'sign-in answered 303').toBe(303);
  await expect(page).toHaveURL(`${BASE_URL}${REGISTER}`);
  await expectSignedInAs(page, TEXT.signedInOfficer);

  const purpose = uniquePurpose('Tangentbordsprov');
  const contact = 'Per Ahl, rektor';

  await tabUntil(page, '#municipal_unit_id');
  await arrowToOption(page, UNIT_KH_SOC);
  await pressAndExpectFocus(page, 'Tab', '#special_area_id');
  await typeToOption(page, 'Sko', 'Skolor');
  await pressAndExpectFocus(page, 'Tab', '#officer_id');
  await pressAndExpectFocus(page, 'Tab', '#purpose');
  await page.keyboard.type(purpose);
  // Back to the officer with Shift+Tab, then on through the rest of the form.
  await pressAndExpectFocus(page, 'Shift+Tab', '#officer_id');
  await arrowToOption(page, OFFICER_KH);
  await pressAndExpectFocus(page, 'Tab', '#purpose');
  await pressAndExpectFocus(page, 'Tab', '#starts_on');
  await page.keyboard.type('2027-02-01');
  await pressAndExpectFocus(page, 'Tab', '#review_on');
  await page.keyboard.type('2027-08-31');
  await pressAndExpectFocus(page, 'Tab', '#contact_person');
  await page.keyboard.type(contact);
  await pressAndExpectFocus(page, 'Tab', '#status');
  await typeToOption(page, 'Ut', 'Utkast');
  await pressAndExpectFocus(page, 'Tab', '#agreement-form button[type=submit]');

  const form = agreementForm(page);
  await expect(form.locator('#municipal_unit_id option:checked')).toHaveText(UNIT_KH_SOC);
  await expect(form.locator('#officer_id option:checked')).toHaveText(OFFICER_KH);
  await expect(form.locator('#purpose')).toHaveValue(purpose);

  const [post] = await Promise.all([page.waitForResponse((r) => isPost(r, REGISTER)), page.keyboard.press('Enter')]);
  expect(post.status(), 'a valid agreement is answered 303 See Other').toBe(303);
  await expect(page).toHaveURL(`${BASE_URL}${REGISTER}?sparad=1`);
  await expect(page.getByRole('status')).toHaveText(TEXT.saved);
  const row = rowWith(page, purpose);
  await expect(row).toHaveCount(1);
  await expect(row.locator('td')).toHaveText(
    expectedCells({ unit: UNIT_KH_SOC, area: 'Skolor', purpose, review: '2027-08-31', status: 'Utkast', contact }),
  );
});

test('an agreement with the review before the start is refused with 422, values kept', async ({ page }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, REGISTER);
  const purpose = uniquePurpose('Felprov');
  const form = agreementForm(page);
  await form.getByLabel('Kommunal enhet', { exact: true }).selectOption({ label: UNIT_KH_SOC });
  await form.getByLabel('Specialområde', { exact: true }).selectOption({ label: 'Skolor' });
  await form.getByLabel('Syfte', { exact: true }).fill(purpose);
  await form.getByLabel('Startdatum', { exact: true }).fill('2027-08-31');
  await form.getByLabel('Uppföljningsdatum', { exact: true }).fill('2027-02-01');
  await form.getByLabel('Kontaktperson', { exact: true }).fill('Eva Lund');
  const [post] = await Promise.all([
    page.waitForResponse((r) => isPost(r, REGISTER)),
    form.getByRole('button', { name: 'Spara' }).click(),
  ]);
  expect(post.status()).toBe(422);

  await expect(page.locator('.error-summary[role=alert]')).toHaveText(TEXT.errorsTitle);
  await expect(page.locator('#review_on-error')).toHaveText(TEXT.reviewBeforeStart);
  const review = agreementForm(page).getByLabel('Uppföljningsdatum', { exact: true });
  await expect(review).toHaveAttribute('aria-invalid', 'true');
  await expect(review).toHaveAttribute('aria-describedby', /\breview_on-error\b/);
  await expect(review).toHaveValue('2027-02-01');
  await expect(agreementForm(page).getByLabel('Startdatum', { exact: true })).toHaveValue('2027-08-31');
  await expect(agreementForm(page).getByLabel('Syfte', { exact: true })).toHaveValue(purpose);
  await expect(agreementForm(page).getByLabel('Kontaktperson', { exact: true })).toHaveValue('Eva Lund');
  await expect(agreementForm(page).locator('#municipal_unit_id option:checked')).toHaveText(UNIT_KH_SOC);
  await expect(agreementForm(page).locator('#special_area_id option:checked')).toHaveText('Skolor');
  await expect(agreementForm(page).locator('[aria-invalid="true"]'), 'only the review date is marked').toHaveCount(1);
  await expect(rowWith(page, purpose), 'nothing was saved').toHaveCount(0);
});

test('a municipal partner cannot open the officer pages nor add agreements', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.partnerKristinehamn, '/personal');
  expect(res?.status(), 'GET /personal as municipal partner').toBe(403);
  await expect(page).toHaveURL(`${BASE_URL}/personal`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TEXT.forbidden);
  await expect(page.locator('section[data-dialogue]')).toHaveCount(0);

  const reg = await page.goto(REGISTER);
  expect(reg?.status(), `GET ${REGISTER} as municipal partner`).toBe(200);
  await expectSignedInAs(page, TEXT.signedInPartner);
  const staffNav = page.getByRole('navigation', { name: 'Personalmeny' });
  await expect(staffNav.getByRole('link', { name: 'Överenskommelser' })).toBeVisible();
  await expect(staffNav.getByRole('link', { name: 'Svar' }), 'no link to the answers').toHaveCount(0);
  await expect(page.locator('table.register')).toBeVisible();
  await expect(page.locator('#agreement-form')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Ny överenskommelse' })).toHaveCount(0);
  // Their own municipality's agreements only.
  const parties = await agreementRows(page).locator('td:first-child').allTextContents();
  expect(parties.length).toBeGreaterThan(0);
  for (const p of parties) expect(p, 'partner sees Kristinehamn agreements only').toContain('Kristinehamn kommun');

  // The POST itself is refused too, not only hidden.
  const post = await page.request.post(REGISTER, {
    form: {
      municipal_unit_id: '1',
      special_area_id: '1',
      officer_id: '',
      purpose: uniquePurpose('Partnerprov'),
      starts_on: '2027-02-01',
      review_on: '2027-08-31',
      contact_person: 'Maria Ek',
      status: 'active',
    },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(post.status(), 'POST of an agreement by a municipal partner').toBe(403);
});

test('a wrong password gives 401 and a generic message, and keeps the e-mail', async ({ page }) => {
  await page.goto(`/logga-in?next=${REGISTER}`);
  await page.getByLabel('E-postadress').fill(DEMO.managerKristinehamn);
  await page.getByLabel('Lösenord').fill('inte-ratt-losenord');
  const [res] = await Promise.all([
    page.waitForResponse((r) => isPost(r, '/logga-in')),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
  expect(res.status()).toBe(401);
  await expect(page).toHaveURL(/\/logga-in(\?|$)/);
  await expect(page.getByRole('alert')).toHaveText(TEXT.badCredentials);
  await expect(page.getByLabel('E-postadress')).toHaveValue(DEMO.managerKristinehamn);
  await expect(page.getByLabel('Lösenord')).toHaveValue('');
  await expect(page.locator('form input[name=next]')).toHaveValue(REGISTER);
  const staff = await page.request.get('/personal', { maxRedirects: 0 });
  expect(staff.status(), 'no session after a failed sign-in').toBe(302);

  // An unknown address gets the very same answer (no hint which accounts exist).
  await page.getByLabel('E-postadress').fill('finns.inte@demo.polisen.se');
  await page.getByLabel('Lösenord').fill('inte-ratt-losenord');
  const [unknown] = await Promise.all([
    page.waitForResponse((r) => isPost(r, '/logga-in')),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
  expect(unknown.status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText(TEXT.badCredentials);
  await expect(page.getByLabel('E-postadress')).toHaveValue('finns.inte@demo.polisen.se');
});

test('anonymous GET of the register redirects to sign-in', async ({ page, request }) => {
  const res = await request.get(REGISTER, { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  expect(res.headers()['location']).toBe(`/logga-in?next=${REGISTER}`);
  const body = await res.text();
  expect(body, 'the redirect does not carry the register').not.toContain('data-agreement');
  expect(body).not.toContain('Djäkneskolan');

  await page.goto(REGISTER);
  await expect(page).toHaveURL(`${BASE_URL}/logga-in?next=${REGISTER}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logga in');
  await expect(page.locator('form input[name=next]')).toHaveValue(REGISTER);
});

test('officers see their own local police area only; due reviews are flagged', async ({ page, browser }) => {
  await openAsStaff(page, DEMO.officerKristinehamn, REGISTER);
  await expect(rowWith(page, 'Djäkneskolan')).toHaveCount(1);
  await expect(rowWith(page, 'Förebygga droganvändning bland unga i Torsby')).toHaveCount(0);
  for (const p of await agreementRows(page).locator('td:first-child').allTextContents()) {
    expect(p, 'Kristinehamn officer sees Kristinehamn agreements only').toContain('Kristinehamn kommun');
  }
  const due = rowWith(page, 'Djäkneskolan');
  await expect(due).toHaveClass(/\bdue\b/);
  await expect(due).toContainText(TEXT.due);

  // "Bara de som ska följas upp snart" lists flagged rows only.
  const filters = filterForm(page);
  await filters.getByLabel('Bara de som ska följas upp snart').check();
  await filters.getByRole('button', { name: 'Filtrera' }).click();
  await expect(page).toHaveURL(/[?&]granskning=1/);
  await expect(filters.getByLabel('Bara de som ska följas upp snart')).toBeChecked();
  await expect(rowWith(page, 'Djäkneskolan')).toHaveCount(1);
  await expect(rowWith(page, 'Trafiksäkerhet vid skolor'), 'review in 200 days: not listed').toHaveCount(0);
  const rows = agreementRows(page);
  const n = await rows.count();
  for (let i = 0; i < n; i++) await expect(rows.nth(i)).toHaveClass(/\bdue\b/);

  const torsbyContext = await browser.newContext({ baseURL: BASE_URL });
  try {
    const torsby = await torsbyContext.newPage();
    const res = await openAsStaff(torsby, DEMO.officerTorsby, REGISTER);
    expect(res?.status()).toBe(200);
    await expect(rowWith(torsby, 'Förebygga droganvändning bland unga i Torsby')).toHaveCount(1);
    await expect(rowWith(torsby, 'Djäkneskolan')).toHaveCount(0);
    for (const p of await agreementRows(torsby).locator('td:first-child').allTextContents()) {
      expect(p, 'Torsby officer sees Torsby agreements only').toContain('Torsby kommun');
    }
    const units = await agreementForm(torsby).locator('#municipal_unit_id option').allTextContents();
    expect(units.some((u) => u.startsWith('Kristinehamn')), 'no Kristinehamn units in the Torsby form').toBe(false);
  } finally {
    await torsbyContext.close();
  }
});
