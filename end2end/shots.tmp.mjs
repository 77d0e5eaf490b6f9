import { chromium } from 'playwright-core';
const BASE = process.env.APIO_E2E_URL, LINK = process.env.APIO_E2E_SET_PASSWORD_LINK;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
for (const [name, viewport] of [['desk', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]]) {
  const page = await (await browser.newContext({ viewport })).newPage();
  if (name === 'desk') {
    await page.goto(LINK);
    await page.locator('#password').fill('short');
    await page.locator('#password_confirm').fill('different');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.screenshot({ path: `/tmp/shots/${name}-setpw-error.png`, fullPage: true });
    await page.locator('#password').fill('correct horse battery staple');
    await page.locator('#password_confirm').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Password set').waitFor();
  }
  await page.goto(`${BASE}/login`);
  await page.locator('#username').fill('admin');
  await page.locator('#password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /\S/ }).first().waitFor();
  await page.screenshot({ path: `/tmp/shots/${name}-login-error.png`, fullPage: true });
  await page.locator('#password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${BASE}/profile`);
  await page.locator('#email').fill('not-an-email');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.locator('#email-error').filter({ hasText: /\S/ }).waitFor();
  await page.screenshot({ path: `/tmp/shots/${name}-profile.png`, fullPage: true });
  await page.locator('#email').fill('ada@example.com');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `/tmp/shots/${name}-profile-email.png`, fullPage: true });
  await page.goto(`${BASE}/admin/settings`);
  await page.locator('input#lockout_threshold').fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#lockout_threshold-error').filter({ hasText: /\S/ }).waitFor();
  await page.locator('input#lockout_threshold').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/shots/${name}-settings.png`, fullPage: false });
  await page.screenshot({ path: `/tmp/shots/${name}-settings-full.png`, fullPage: true });
  await page.goto(`${BASE}/nope`);
  await page.screenshot({ path: `/tmp/shots/${name}-404.png` });
}
await browser.close();
