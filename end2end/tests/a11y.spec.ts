// Automated accessibility checks (axe-core) on every page, at phone size.
// No rules are disabled and nothing is excluded; serious and critical findings fail.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { PHONE, SURVEY_PATH, SV, THANKS_PATH, answerSurvey, submitButton, waitForHydration } from './helpers';

test.use(PHONE);

async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    at ${n.target.join(' ')}: ${n.failureSummary ?? ''}`.replace(/\n/g, ' ')).join('\n'),
    )
    .join('\n');
  expect(serious, `axe found serious/critical violations on ${label}:\n${report}`).toEqual([]);
}

const staticPages: { label: string; path: string }[] = [
  { label: 'start page /', path: '/' },
  { label: 'empty survey /s/kh-invanare', path: SURVEY_PATH },
  { label: 'English survey /s/kh-invanare?lang=en', path: `${SURVEY_PATH}?lang=en` },
  { label: 'thank-you page', path: THANKS_PATH },
  { label: 'staff page /personal', path: '/personal' },
  { label: 'privacy page /integritet', path: '/integritet' },
  { label: 'accessibility statement /tillganglighet', path: '/tillganglighet' },
];

for (const { label, path } of staticPages) {
  test(`a11y: ${label}`, async ({ page }) => {
    const res = await page.goto(path);
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    await expectNoSeriousViolations(page, label);
  });
}

test('a11y: survey in the error state', async ({ page }) => {
  await page.goto(SURVEY_PATH);
  await waitForHydration(page);
  await submitButton(page).click();
  await expect(page.locator('#q1-error')).toBeVisible();
  await expect(page.locator('#q3-error')).toHaveText(SV.required);
  await expect(page.locator('div.error-summary[role=alert]')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page, 'survey error state');
});

test('a11y: survey filled in', async ({ page }) => {
  await page.goto(SURVEY_PATH);
  await waitForHydration(page);
  await answerSurvey(page, { q1: 'Synlig polis.', q2: 'Trafiken.', q3: '3' });
  await expect(page.locator('input[name=q3][value="3"]')).toBeChecked();
  await expectNoSeriousViolations(page, 'survey filled state');
});
