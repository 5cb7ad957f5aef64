// Health endpoint, CSRF (Origin) protection on the form POST, and not-found pages.

import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { BASE_URL, DEMO, SURVEY_PATH, THANKS_PATH, openAsStaff, readStaffCounts } from './helpers';

const BASE = BASE_URL;

/** A form as the survey page renders it (submission id and signed token), filled in. */
async function validForm(request: APIRequestContext): Promise<Record<string, string>> {
  const html = await (await request.get(SURVEY_PATH)).text();
  const hidden = (name: string) => {
    const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
    expect(m, `hidden field ${name} on the survey page`).not.toBeNull();
    return m![1];
  };
  const form = {
    submission_id: hidden('submission_id'),
    t: hidden('t'),
    lang: 'sv',
    q1: 'Ett svar som annars skulle godtas.',
    q2: '',
    q3: '4',
  };
  // The server refuses forms sent sooner than 1 s after rendering (the e2e setting).
  await new Promise((r) => setTimeout(r, 2_000));
  return form;
}

test('GET /healthz answers 200 with status ok', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/json');
  const body = await res.json();
  expect(body.status).toBe('ok');
});

test.describe('form POST from another site', () => {
  const forged: { name: string; headers: Record<string, string> }[] = [
    { name: 'Origin: https://evil.example', headers: { Origin: 'https://evil.example' } },
    { name: 'Origin: null', headers: { Origin: 'null' } },
    { name: 'Sec-Fetch-Site: cross-site (no Origin)', headers: { 'Sec-Fetch-Site': 'cross-site' } },
  ];

  for (const { name, headers } of forged) {
    test(`is refused with 403 and not counted (${name})`, async ({ request, context }) => {
      const before = await readStaffCounts(context);
      const res = await request.post(SURVEY_PATH, { form: await validForm(request), headers, maxRedirects: 0 });
      expect(res.status()).toBe(403);
      const after = await readStaffCounts(context);
      expect(after, 'a refused cross-origin POST is not counted').toEqual(before);
    });
  }

  // Control: the same request from the site's own origin is accepted, so the 403s above
  // are the Origin check and not a malformed request.
  test('the same POST from the own origin is accepted (303) and counted', async ({ request, context }) => {
    const before = await readStaffCounts(context);
    const res = await request.post(SURVEY_PATH, {
      form: await validForm(request),
      headers: { Origin: BASE },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    expect(res.headers()['location']).toBe(THANKS_PATH);
    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });

  test('a retried POST with the same submission id is counted once', async ({ request, context }) => {
    const before = await readStaffCounts(context);
    const form = await validForm(request);
    for (let i = 0; i < 2; i++) {
      const res = await request.post(SURVEY_PATH, { form, headers: { Origin: BASE }, maxRedirects: 0 });
      expect(res.status(), `attempt ${i + 1}`).toBe(303);
    }
    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });
});

test('an unknown page answers 404', async ({ page }) => {
  const res = await page.goto('/finns-inte');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sidan finns inte');
});

test('an unknown survey link answers 404', async ({ page }) => {
  const res = await page.goto('/s/finns-inte');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sidan finns inte');
  await expect(page.locator('form#survey-form')).toHaveCount(0);
});

async function expectFooterLinks(page: Page, path: string): Promise<void> {
  const footer = page.locator('footer');
  await expect(footer.locator('a[href="/integritet"]'), `${path}: footer link to /integritet`).toHaveCount(1);
  await expect(footer.locator('a[href="/tillganglighet"]'), `${path}: footer link to /tillganglighet`).toHaveCount(1);
}

test('every page links to the privacy page and the accessibility statement in its footer', async ({ page }) => {
  for (const path of ['/', SURVEY_PATH, THANKS_PATH, '/logga-in', '/integritet', '/tillganglighet']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    expect(new URL(page.url()).pathname, `${path} is shown, not redirected`).toBe(path);
    await expectFooterLinks(page, path);
  }
  // Staff pages too, signed in.
  for (const path of ['/personal', '/personal/overenskommelser']) {
    const res = await openAsStaff(page, DEMO.officerKristinehamn, path);
    expect(res?.status(), path).toBe(200);
    expect(new URL(page.url()).pathname, `${path} is shown, not redirected`).toBe(path);
    await expectFooterLinks(page, path);
  }
});
