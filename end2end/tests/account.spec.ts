// Staff accounts look after themselves (issue #16), at phone and desktop size: a new
// colleague chooses a password from the invitation mail, and someone who forgot theirs gets a
// one-time link by mail. The mail is read from the real SMTP server the e2e server sends to
// (scripts/smtp-sink.py). axe on every page and state. No JavaScript is needed: plain forms.

import { expect, test, type Page } from '@playwright/test';
import { DESKTOP, PHONE, expectNoSeriousViolations, linkInMail, mailsTo, newOfficer } from './helpers';

/** Fills the two password fields of the page and saves; returns the POST's status. */
async function choosePassword(page: Page, password: string, repeat = password): Promise<number> {
  await page.getByLabel('Nytt lösenord', { exact: true }).fill(password);
  await page.getByLabel('Upprepa det nya lösenordet').fill(repeat);
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Spara lösenordet' }).click(),
  ]);
  return post.status();
}

async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/personal'),
    page.getByRole('button', { name: 'Logga in' }).click(),
  ]);
}

for (const [size, device] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  test.describe(size, () => {
    test.use(device);

    test(`${size}: a new colleague accepts the invitation, forgets the password and resets it from the mail`, async ({
      page,
      browser,
    }) => {
      const email = await newOfficer(page, `Ny Kollega ${size}`);

      // The invitation, in a browser with no session.
      const fresh = await browser.newContext({ ...device });
      const own = await fresh.newPage();
      const invitation = await linkInMail(email, 1);
      expect((await own.goto(invitation))?.status()).toBe(200);
      await expect(own.getByRole('heading', { level: 1 })).toContainText('Välkommen');
      await expectNoSeriousViolations(own, `invitation (${size})`);
      expect(await choosePassword(own, 'kort', 'kort')).toBe(422);
      await expect(own.locator('#password-error')).toContainText('minst 12 tecken');
      await expectNoSeriousViolations(own, `invitation after 422 (${size})`);
      expect(await choosePassword(own, 'mitt-första-lösenord')).toBe(303);
      await expect(own.getByRole('status')).toContainText('Lösenordet är sparat');
      await signInWith(own, email, 'mitt-första-lösenord');
      await own.getByRole('button', { name: 'Logga ut' }).click();

      // Forgot it: the link on the sign-in page, the same answer for any address.
      await own.goto('/logga-in');
      await own.getByRole('link', { name: 'Glömt lösenordet?' }).click();
      await expect(own).toHaveURL(/\/glomt-losenord$/);
      await own.getByLabel('E-postadress').fill(email);
      await own.getByRole('button', { name: 'Skicka länk' }).click();
      await expect(own.getByRole('status')).toContainText('Om adressen hör till ett konto');
      await expectNoSeriousViolations(own, `reset requested (${size})`);
      await own.screenshot({ path: `test-results/reset-sent-${size}.png`, fullPage: true });

      const reset = await linkInMail(email, 2);
      await own.goto(reset);
      await expect(own.getByRole('heading', { level: 1 })).toContainText('Välj ett nytt lösenord');
      await expect(own.getByText(`För kontot ${email}.`)).toBeVisible();
      expect(await choosePassword(own, 'mitt-andra-lösenord-x')).toBe(303);
      await signInWith(own, email, 'mitt-andra-lösenord-x');

      // The link worked once: opened again it says so, and offers a new one.
      const again = await own.goto(reset);
      expect(again?.status()).toBe(410);
      await expect(own.getByRole('heading', { level: 1 })).toContainText('Länken fungerar inte');
      await expect(own.getByRole('link', { name: 'Be om en ny länk' })).toBeVisible();
      await expectNoSeriousViolations(own, `used link (${size})`);
      expect(mailsTo(email)).toHaveLength(2);
      await fresh.close();
    });
  });
}
