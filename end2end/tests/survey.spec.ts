// The respondent's path through the survey, on a phone, with and without JavaScript.

import { expect, test } from '@playwright/test';
import {
  EN,
  KIOSK_PATH,
  PHONE,
  SURVEY_PATH,
  SV,
  answerStepByStep,
  answerSurvey,
  backButton,
  currentQuestion,
  isFormPost,
  isServerFnCall,
  nextButton,
  pastMinimumTime,
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

  test('a resident answers one question at a time and the staff count goes up by one', async ({
    page,
    context,
  }) => {
    const before = await readStaffCounts(context);
    const requests = recordRequests(page);

    await page.goto(SURVEY_PATH);
    await expect(page.getByLabel(SV.q1Label)).toBeVisible();
    await waitForHydration(page);

    // One question at a time, with a progress bar.
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q1-group');
    await expect(page.locator('.progress-label')).toHaveText(/^Fråga 1 av \d+$/);
    await expect(page.locator('textarea#q2')).toBeHidden();
    await expect(submitButton(page)).toBeHidden();

    const seen = await answerStepByStep(page, {
      q1: 'Att polisen syns i centrum och svarar när man ringer.',
      q2: 'Trafiken vid skolorna och narkotika bland unga.',
      q3: '4',
      q5: ['trafik', 'narkotika'],
    });
    expect(seen.slice(0, 4)).toEqual(['q1', 'q2', 'q3', 'q5']);
    // Back and forward keep the answers.
    await backButton(page).click();
    await expect(currentQuestion(page)).not.toHaveAttribute('id', seen[seen.length - 1] + '-group');
    await nextButton(page).click();
    await expect(submitButton(page)).toBeVisible();
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

  test('a missing required answer is shown inline without a page load', async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { __e2eMarker: number }).__e2eMarker = 42));

    await nextButton(page).click();
    const q1Error = page.locator('#q1-error');
    await expect(q1Error).toBeVisible();
    await expect(q1Error).toHaveText(SV.required);
    await expect(page.locator('textarea#q1')).toHaveAttribute('aria-invalid', 'true');
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q1-group');

    await page.locator('textarea#q1').fill('Mer närvaro på kvällarna.');
    await nextButton(page).click();
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q2-group');
    await backButton(page).click();
    await expect(q1Error).toBeHidden();
    await expect(page.locator('textarea#q1')).toHaveValue('Mer närvaro på kvällarna.');

    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: number }).__e2eMarker)).toBe(42);
    expect(requests.some((r) => isFormPost(r)), 'no form POST for an invalid answer').toBe(false);
    expect(requests.some(isServerFnCall), 'no server call for an invalid answer').toBe(false);
  });

  test('a conditional question appears and disappears', async ({ page }) => {
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    const total = async () =>
      Number(((await page.locator('.progress-label').textContent()) ?? '').replace(/.* av /, ''));
    await page.locator('textarea#q1').fill('Synlig polis.');
    await nextButton(page).click();
    await nextButton(page).click();
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q3-group');
    const without = await total();

    // Feeling unsafe (2) brings the follow-up question.
    await page.locator('input[name=q3][value="2"]').check();
    await expect.poll(total).toBe(without + 1);
    await nextButton(page).click();
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q4-group');
    await expect(page.getByLabel(SV.q4Label)).toBeVisible();

    // Changing the answer to 4 removes it again.
    await backButton(page).click();
    await page.locator('input[name=q3][value="4"]').check();
    await expect.poll(total).toBe(without);
    await nextButton(page).click();
    await expect(currentQuestion(page)).toHaveAttribute('id', 'q5-group');
  });

  test('the survey works in English', async ({ page, context }) => {
    const before = await readStaffCounts(context);

    await page.goto(`${SURVEY_PATH}?lang=en`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByLabel(EN.q1Label)).toBeVisible();
    await waitForHydration(page);
    await expect(page.locator('.progress-label')).toHaveText(/^Question 1 of \d+$/);

    await answerStepByStep(page, { q1: 'That the police are visible and easy to reach.', q3: '3' });
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
    const activeText = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    const tabTo = async (want: () => Promise<boolean>, what: string) => {
      for (let i = 0; i < 25; i++) {
        if (await want()) return;
        await page.keyboard.press('Tab');
      }
      expect(await want(), `Tab should reach ${what}`).toBe(true);
    };

    await tabTo(async () => (await activeId()) === 'q1', 'the first question (#q1)');
    await page.keyboard.type('Att polisen finns nära och lyssnar.');
    await tabTo(async () => (await activeText()) === 'Nästa', 'the Next button');
    await page.keyboard.press('Enter');
    // The next question's label takes focus; Tab goes into its field.
    await expect(page.locator('#q2-label')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.locator('textarea#q2')).toBeFocused();
    await page.keyboard.type('Trygghet i centrum på helgerna.');
    await tabTo(async () => (await activeText()) === 'Nästa', 'the Next button');
    await page.keyboard.press('Enter');

    // Into the radio group (first option), then arrow keys pick 4.
    await expect(page.locator('#q3-label')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.locator('input[name=q3][value="1"]')).toBeFocused();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await expect(page.locator('input[name=q3][value="4"]')).toBeChecked();

    // The remaining questions are optional: Next through them to the submit button.
    for (let i = 0; i < 10 && !(await submitButton(page).isVisible()); i++) {
      await tabTo(async () => (await activeText()) === 'Nästa', 'the Next button');
      await page.keyboard.press('Enter');
    }
    await tabTo(async () => (await activeText()) === SV.submit, 'the submit button');
    await pastMinimumTime(page);
    await page.keyboard.press('Enter');

    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);
    expect(requests.some(isServerFnCall), 'submitted by the island').toBe(true);

    const after = await readStaffCounts(context);
    expect(after.count).toBe(before.count + 1);
  });

  test('offline mid-answer: the answer is queued, then sent once back online', async ({ page, context }) => {
    const before = await readStaffCounts(context);
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await answerStepByStep(page, { q1: 'Fler poliser i centrum.', q3: '5' });

    await context.setOffline(true);
    await submitButton(page).click();
    const queued = page.locator('p.queued[role=status]');
    await expect(queued).toBeVisible();
    await expect(queued).toContainText('sparat i webbläsaren');
    await expect(page).toHaveURL(surveyUrl());
    expect(await page.evaluate(() => localStorage.getItem('mbl_queue'))).toContain('Fler poliser i centrum.');
    const meanwhile = await readStaffCounts(context);
    expect(meanwhile.count, 'nothing arrived while offline').toBe(before.count);

    await context.setOffline(false);
    await expect(page).toHaveURL(thanksUrl(), { timeout: 15_000 });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(SV.thanks);
    expect(await page.evaluate(() => localStorage.getItem('mbl_queue'))).toBeNull();

    const after = await readStaffCounts(context);
    expect(after.count, 'counted exactly once').toBe(before.count + 1);
  });

  test('a second answer from the same browser is refused with a clear message', async ({ page }) => {
    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await answerStepByStep(page, { q1: 'Första svaret.', q3: '3' });
    await submitButton(page).click();
    await expect(page).toHaveURL(thanksUrl());

    await page.goto(SURVEY_PATH);
    await waitForHydration(page);
    await answerStepByStep(page, { q1: 'Andra svaret.', q3: '3' });
    const [res] = await Promise.all([
      page.waitForResponse((r) => isServerFnCall(r.request())),
      submitButton(page).click(),
    ]);
    expect(res.status()).toBe(409);
    await expect(page.locator('div.error-summary[role=alert]')).toContainText('redan svarat');
  });

  test('kiosk mode resets for the next person, and takes every answer', async ({ page, context }) => {
    const before = await readStaffCounts(context, 'politiker', 'kh-politiker');
    for (const round of [1, 2]) {
      await page.goto(KIOSK_PATH);
      await expect(page.locator('.kiosk-badge')).toBeVisible();
      await waitForHydration(page);
      // A fresh, empty form for each person.
      await expect(page.locator('textarea#q1')).toHaveValue('');
      await answerStepByStep(page, { q1: `Svar ${round} från mötet.`, q3: '4' });
      await submitButton(page).click();
      await expect(page).toHaveURL(/\/s\/kh-politiker\/tack\?kiosk=/);
      const next = page.getByRole('link', { name: 'Nästa person' });
      await expect(next).toBeVisible();
      await next.click();
      await expect(page).toHaveURL(/\/s\/kh-politiker\?kiosk=/);
      await expect(page.locator('textarea#q1')).toHaveValue('');
    }
    const after = await readStaffCounts(context, 'politiker', 'kh-politiker');
    expect(after.count, 'both answers from one tablet count').toBe(before.count + 2);
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
    await pastMinimumTime(page);

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
    await pastMinimumTime(page);

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
    await pastMinimumTime(page);
    await page.getByRole('button', { name: EN.submit }).click();
    await expect(page).toHaveURL(thanksUrl());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(EN.thanks);
  });
});
