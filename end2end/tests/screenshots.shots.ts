// Full-page pictures for review: `make screenshots` (screenshots.config.ts), not part of
// `make test`. They are only saved (end2end/screenshots/*.png), never compared. The waits
// below make sure the picture shows the finished page; what the pages must do is asserted
// in the *.spec.ts files (a11y.spec.ts visits every page shown here).

import { expect, test, type Page } from '@playwright/test';
import * as path from 'node:path';
import { DEMO, DESKTOP, PHONE, SURVEY_PATH, nextButton, openAsStaff, waitForHydration } from './helpers';

/** The demo wall screen (db/src/demo.rs DEMO_DISPLAY_TOKEN): public, no sign-in. */
const WALL = '/visning/demovisning2027kristinehamn';

function shotPath(name: string): string {
  return path.resolve(test.info().project.testDir, '..', 'screenshots', `${name}.png`);
}

async function save(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: shotPath(name), fullPage: true, animations: 'disabled' });
}

/** Issue #16's staff pages, at the describe block's size. */
function staffShots(width: number): void {
  for (const [name, path] of [
    ['audit', '/personal/logg?object=staff_user'],
    ['user-edit', '/personal/anvandare/3'],
    ['users', '/personal/anvandare?roll=officer'],
    ['coding-coded', '/personal/kodning/1?visa=kodade&sida=2'],
    ['forgot-password', '/glomt-losenord'],
    ['dialogues', '/personal/dialoger?visa=oppna'],
    ['dialogue', '/personal/dialoger/1'],
    ['bank', '/personal/fragebank'],
  ] as const) {
    test(`${name} (issue #16)`, async ({ page }) => {
      // Signed in on the bare path (sign-in returns to a path, not a query), then the page.
      await openAsStaff(page, DEMO.admin, path.split('?')[0]);
      const res = await page.goto(path);
      expect(res?.status()).toBe(200);
      await save(page, `${name}-${width}`);
    });
  }
}

test.describe('phone 390×844', () => {
  test.use(PHONE);

  test('dialogue dashboard', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.managerKristinehamn, '/personal/oversikt/1');
    expect(res?.status()).toBe(200);
    await save(page, 'dashboard-390');
  });

  test('survey', async ({ page }) => {
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await save(page, 'survey-390');
  });

  test('survey with errors', async ({ page }) => {
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await nextButton(page).click();
    await expect(page.locator('#q1-error')).toBeVisible();
    await save(page, 'survey-errors-390');
  });

  test('wall screen', async ({ page }) => {
    const res = await page.goto(WALL);
    expect(res?.status()).toBe(200);
    await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
    await save(page, 'wall-390');
  });

  test('public promise page', async ({ page }) => {
    const res = await page.goto('/lofte/kristinehamn');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('article.commitment').first()).toBeVisible();
    await save(page, 'promise-390');
  });

  test('sign-in page', async ({ page }) => {
    const res = await page.goto('/logga-in');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.getByLabel('E-postadress')).toBeVisible();
    await save(page, 'login-390');
  });

  staffShots(390);
});

test.describe('desktop 1280×800', () => {
  test.use(DESKTOP);

  test('dialogue dashboard', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.managerKristinehamn, '/personal/oversikt/1');
    expect(res?.status()).toBe(200);
    await expect(page.locator('.big-number')).toBeVisible();
    await save(page, 'dashboard-1280');
  });

  test('survey', async ({ page }) => {
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await save(page, 'survey-1280');
  });

  test('dialogue dashboard, live', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.managerKristinehamn, '/personal/oversikt/1');
    expect(res?.status()).toBe(200);
    await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
    await save(page, 'dashboard-live-1280');
  });

  test('wall screen', async ({ page }) => {
    const res = await page.goto(WALL);
    expect(res?.status()).toBe(200);
    await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
    await save(page, 'wall-1280');
  });

  test('public promise page', async ({ page }) => {
    const res = await page.goto('/lofte/kristinehamn');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('article.commitment').first()).toBeVisible();
    await save(page, 'promise-1280');
  });

  test('regional view', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.region, '/personal/region');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('table.regional tr[data-dialogue]').first()).toBeVisible();
    await save(page, 'region-1280');
  });

  test('staff page', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('section[data-dialogue]').first()).toBeVisible();
    await save(page, 'personal-1280');
  });

  test('register of agreements (officer)', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/overenskommelser');
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('table.register tr[data-agreement]').first()).toBeVisible();
    await expect(page.locator('form#agreement-form')).toBeVisible();
    await save(page, 'register-1280');
  });

  staffShots(1280);
});

test.describe('wall screen 1920×1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 }, isMobile: false, hasTouch: false });

  test('wall screen', async ({ page }) => {
    const res = await page.goto(WALL);
    expect(res?.status()).toBe(200);
    await expect(page.locator('#live-status[data-state="live"]')).toBeVisible();
    await save(page, 'wall-1920');
    // What the room sees without scrolling.
    await page.screenshot({ path: shotPath('wall-1920-screen'), animations: 'disabled' });
  });
});
