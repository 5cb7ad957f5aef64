// The public follow-up page, as a resident sees it on a phone: no login, the commitment, how
// many people raised its themes, the progress in percent, and the feed advertised.

import { expect, test } from '@playwright/test';
import { PHONE } from './helpers';

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
