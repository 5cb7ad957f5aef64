// Paper answers typed in by staff (/personal/papper/{code}): channel paper, scope, axe.

import { expect, test, type Page } from '@playwright/test';
import { DEMO, PHONE, expectNoSeriousViolations, openAsStaff, readStaffCounts } from './helpers';

test.describe('paper answers', () => {
  test.use(PHONE);

  test('an officer types in a paper form; it counts once and the form is empty again', async ({ page, context }) => {
    const before = await readStaffCounts(context);
    const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal');
    expect(res?.status()).toBe(200);
    // The demo dialogue's row (the builder tests may have added other dialogues).
    await page
      .locator('tr[data-group="invanare"]')
      .filter({ has: page.locator('a[href="/s/kh-invanare"]') })
      .getByRole('link', { name: /Mata in papper/ })
      .click();
    await expect(page).toHaveURL(/\/personal\/papper\/kh-invanare$/);
    // Every question is on the page at once (no island), for quick typing.
    await expect(page.locator('textarea#q1')).toBeVisible();
    await expect(page.locator('textarea#q4')).toBeVisible();
    await page.locator('textarea#q1').fill('Från papper: mer polis i centrum.');
    await page.locator('input[name=q3][value="2"]').check();
    await page.getByRole('button', { name: 'Spara svaret' }).click();
    await expect(page.getByRole('status')).toHaveText('Svaret är sparat. Fyll i nästa enkät.');
    await expect(page.locator('textarea#q1')).toHaveValue('');
    await expectNoSeriousViolations(page, 'paper entry after saving');

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });

  test('another LPO cannot enter paper answers here', async ({ page }) => {
    const res = await openAsStaff(page, DEMO.officerTorsby, '/personal/papper/kh-invanare');
    expect(res?.status()).toBe(403);
  });
});
