// Theme coding from the keyboard: the first answer's suggested themes are ticked, the officer
// changes them with Space and saves with Enter, and the queue moves on.

import { expect, test } from '@playwright/test';
import { DEMO, DESKTOP, openAsStaff } from './helpers';

test.use(DESKTOP);

test('an officer codes a free-text answer with the keyboard and the queue moves on', async ({ page }) => {
  const res = await openAsStaff(page, DEMO.officerKristinehamn, '/personal/kodning/1');
  expect(res?.status()).toBe(200);
  const progress = page.locator('#coding-progress');
  const before = (await progress.textContent()) ?? '';
  const coded = (t: string) => Number.parseInt(t.match(/(\d+) kodade/)?.[1] ?? 'NaN', 10);
  const first = page.locator('li.coding-item').first();
  const answerId = await first.getAttribute('data-answer');
  // The first theme box has focus (autofocus): tick it with Space, then save with Enter.
  const box = first.locator('input[name="theme"]').first();
  await expect(box).toBeFocused();
  const wasChecked = await box.isChecked();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked({ checked: !wasChecked });
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/personal\/kodning\/1/);
  await expect(progress).not.toHaveText(before);
  expect(coded((await progress.textContent()) ?? '')).toBe(coded(before) + 1);
  await expect(page.locator(`li.coding-item[data-answer="${answerId}"]`)).toHaveCount(0);
});
