// The respondent's path through the survey, on a phone, with and without JavaScript.

import { expect, test } from '@playwright/test';
import {
  EN,
  PHONE,
  SURVEY_PATH,
  SV,
  answerSurvey,
  isFormPost,
  isServerFnCall,
  readStaffCounts,
  recordRequests,
  submitButton,
  surveyUrl,
  thanksUrl,
  waitForHydration,
} from './helpers';

test.use(PHONE);

test.describe('with JavaScript', () => {
  test('the start page links to the survey', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Medborgarlöften');
    const link = page.getByRole('link', { name: 'Svara på enkäten' });
    await expect(link.first()).toBeVisible();
    await expect(page.locator(`a[href="${SURVEY_PATH}"]`, { hasText: 'Svara på enkäten' })).toHaveCount(1);
  });

  test('a resident answers on a phone and the staff count goes up by one', async ({ page, context }) => {
    const before = await readStaffCounts(context);
    const requests = recordRequests(page);

    await page.goto(SURVEY_PATH);
    await expect(page.getByLabel(SV.q1Label)).toBeVisible();
    await waitForHydration(page);

    await answerSurvey(page, {
      q1: 'Att polisen syns i centrum och svarar när man ringer.',
      q2: 'Trafiken vid skolorna och narkotika bland unga.',
      q3: '4',
    });
    await expect(page.locator('input[name=q3][value="4"]')).toBeChecked();
    await submitButton(page).click();

    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);

    // The island submitted through the server function, not by a plain form POST.
    expect(requests.some(isServerFnCall), 'a server-function POST was made').toBe(true);
    expect(requests.some((r) => isFormPost(r)), 'no plain form POST was made').toBe(false);

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
    expect(after.total).toBe(before.total + 1);
  });

  test('a missing required answer is shown inline without a page load', async ({ page, context }) => {
    const before = await readStaffCounts(context);
    const requests = recordRequests(page);

    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { __e2eMarker: number }).__e2eMarker = 42));

    await answerSurvey(page, {
      q1: 'Mer närvaro på kvällarna.',
      q2: 'Bostadsinbrott.',
    });
    await submitButton(page).click();

    const q3Error = page.locator('#q3-error');
    await expect(q3Error).toBeVisible();
    await expect(q3Error).toHaveText(SV.required);
    await expect(page.locator('#q1-error')).toBeHidden();
    await expect(page.locator('div.error-summary[role=alert]')).toBeVisible();
    await expect(page.locator('div.error-summary[role=alert]')).toContainText(SV.errorSummary);
    await expect(page.locator('input[name=q3]').first()).toHaveAttribute('aria-invalid', 'true');

    await expect(page).toHaveURL(surveyUrl());
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: number }).__e2eMarker)).toBe(42);
    expect(requests.some((r) => isFormPost(r)), 'no form POST for an invalid answer').toBe(false);
    expect(requests.some(isServerFnCall), 'no server call for an invalid answer').toBe(false);
    await expect(page.locator('textarea#q1')).toHaveValue('Mer närvaro på kvällarna.');

    // Answering the question clears its message.
    await page.check('input[name=q3][value="vet_ej"]');
    await expect(q3Error).toBeHidden();

    await submitButton(page).click();
    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
    expect(after.total).toBe(before.total + 1);
  });

  test('the survey works in English', async ({ page, context }) => {
    const before = await readStaffCounts(context);

    await page.goto(`${SURVEY_PATH}?lang=en`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByLabel(EN.q1Label)).toBeVisible();
    await expect(page.getByRole('button', { name: EN.submit })).toBeVisible();
    await waitForHydration(page);

    await page.getByLabel(EN.q1Label).fill('That the police are visible and easy to reach.');
    await page.check('input[name=q3][value="2"]');
    await page.getByRole('button', { name: EN.submit }).click();

    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(EN.thanks);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });

  test('the survey can be completed with the keyboard only', async ({ page, context }) => {
    const before = await readStaffCounts(context);
    const requests = recordRequests(page);

    await page.goto(SURVEY_PATH);
    await waitForHydration(page);

    const activeId = () => page.evaluate(() => document.activeElement?.id ?? '');

    // Tab from the top of the page to the first question.
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await activeId()) === 'q1';
    }
    expect(reached, 'Tab should reach the first question (#q1)').toBe(true);
    await page.keyboard.type('Att polisen finns nära och lyssnar.');

    await page.keyboard.press('Tab');
    await expect(page.locator('textarea#q2')).toBeFocused();
    await page.keyboard.type('Trygghet i centrum på helgerna.');

    // Into the radio group (first option), then arrow keys pick 4.
    await page.keyboard.press('Tab');
    await expect(page.locator('input[name=q3][value="1"]')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('input[name=q3][value="4"]')).toBeChecked();
    await expect(page.locator('input[name=q3][value="4"]')).toBeFocused();

    // Out of the radio group to the submit button.
    await page.keyboard.press('Tab');
    await expect(submitButton(page)).toBeFocused();
    await page.keyboard.press('Enter');

    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);
    expect(requests.some(isServerFnCall), 'submitted by the island').toBe(true);

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a resident answers on a phone and the staff count goes up by one', async ({ page, context }) => {
    const before = await readStaffCounts(context);

    await page.goto(SURVEY_PATH);
    await expect(page.locator('form#survey-form')).toHaveAttribute('method', 'post');
    await answerSurvey(page, {
      q1: 'Att polisen syns och pratar med folk.',
      q2: 'Trafiksäkerhet.',
      q3: '4',
    });

    const [response] = await Promise.all([
      page.waitForResponse((r) => isFormPost(r.request())),
      submitButton(page).click(),
    ]);
    expect(response.status(), 'a successful form POST answers 303').toBe(303);

    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
    expect(after.total).toBe(before.total + 1);
  });

  test('a missing required answer gives 422 with the typed values kept, then a retry counts once', async ({
    page,
    context,
  }) => {
    const before = await readStaffCounts(context);
    const q1 = 'Snabbare hjälp när man ringer 114 14 – och fler poliser på "stan" <kvällstid>.';
    const q2 = 'Narkotika & ungdomar.\nOch trafiken vid skolan.';

    await page.goto(SURVEY_PATH);
    await answerSurvey(page, { q1, q2 });

    const [refused] = await Promise.all([
      page.waitForResponse((r) => isFormPost(r.request())),
      submitButton(page).click(),
    ]);
    expect(refused.status(), 'a missing required answer answers 422').toBe(422);
    await page.waitForLoadState('load');

    await expect(page).toHaveURL(surveyUrl());
    await expect(page.locator('textarea#q1')).toHaveValue(q1);
    await expect(page.locator('textarea#q2')).toHaveValue(q2);
    const q3Error = page.locator('#q3-error');
    await expect(q3Error).toBeVisible();
    await expect(q3Error).toHaveText(SV.required);
    await expect(page.locator('#q1-error')).toBeHidden();
    await expect(page.locator('div.error-summary[role=alert]')).toBeVisible();
    await expect(page.locator('div.error-summary[role=alert]')).toContainText(SV.errorSummary);

    const unchanged = await readStaffCounts(context);
    expect(unchanged, 'a refused answer is not counted').toEqual(before);

    await page.check('input[name=q3][value="5"]');
    const [accepted] = await Promise.all([
      page.waitForResponse((r) => isFormPost(r.request())),
      submitButton(page).click(),
    ]);
    expect(accepted.status()).toBe(303);
    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);

    const after = await readStaffCounts(context);
    expect(after.count, 'counted exactly once').toBe(before.count + 1);
    expect(after.total).toBe(before.total + 1);
  });

  test('the survey works in English', async ({ page }) => {
    await page.goto(`${SURVEY_PATH}?lang=en`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByLabel(EN.q1Label).fill('Visible police.');
    await page.check('input[name=q3][value="3"]');
    await page.getByRole('button', { name: EN.submit }).click();
    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(EN.thanks);
  });
});
