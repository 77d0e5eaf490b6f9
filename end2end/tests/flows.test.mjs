// The main flows of the UI in a real browser, against a server started on a fresh database:
// first admin's set-password link, sign-in, profile edit, password change, sign-out, settings;
// then the mails: a welcome mail's link, and "forgot password" through to the new password;
// then email 2FA: the code step with "trust this device", and the next sign-in without a code,
// the trusted devices and networks, recent sign-ins and allowed addresses pages;
// then passkeys in Chromium's virtual authenticators: add, sign in (button, autofill), delete;
// then the admin users page creates a user who fills the profile, generates an M2M token (used
// by a plain HTTP client), ends other sessions and adds a callback (a signed test event to a
// receiver of this test); the admin's user page shows the sign-ins, ends sessions, drops the token;
// the user switches the UI to French, which the next sign-in keeps in any browser, and a French
// browser gets the French login page;
// then single sign-on: the admin adds an OpenID provider (node-oidc-provider, started here) on
// the SSO page, and "Login with Test IdP" signs a new user in through it, onto the profile,
// and, once email 2FA is required of that user, on through the code step;
// then TOTP: set up from the security page, sign in with a code from our own generator;
// then "confirm it is you": a sensitive change after the re-authentication window asks for the
// password and the code mailed on request to an email-2FA user.
// The tests run in order: each builds on the users the earlier ones set up.
//
//   APIO_E2E_URL                 the server's base URL, e.g. http://127.0.0.1:3456
//   APIO_E2E_SET_PASSWORD_LINK   the first admin's one-time link the server printed
//   APIO_E2E_SMTP_PORT           where the server sends mail (this test listens there)
//   APIO_E2E_SHORT_REAUTH_URL    the same database served with tokens.reauth_window = 1s
//   CHROMIUM_PATH                optional; /usr/bin/chromium by default
//
// Every wait is on something visible (a URL, a text, an enabled button), never a fixed delay.
// A failing step leaves a screenshot in end2end/results/ and prints the browser's errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { linkIn, startMailbox } from './mailbox.mjs';

const BASE = (process.env.APIO_E2E_URL ?? '').replace(/\/$/, '');
const LINK = process.env.APIO_E2E_SET_PASSWORD_LINK ?? '';
const SMTP_PORT = Number(process.env.APIO_E2E_SMTP_PORT ?? '');
// A second server on the same database whose re-authentication window is one second.
const SHORT_REAUTH = (process.env.APIO_E2E_SHORT_REAUTH_URL ?? '').replace(/\/$/, '');
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

const FIRST_PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'tulip orbit cascade lantern';
const NINA_PASSWORD = 'harbor quartz tundra ember';
const MAX_PASSWORD = 'meadow copper signal violet';

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

async function openBrowser(base = BASE) {
  // A plain launch: a fresh, temporary profile, so no cookie survives from an earlier run.
  const browser = await chromium.launch(LAUNCH);
  // The M2M token's copy button writes to the clipboard; the test reads it back.
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(30_000);

  // What the browser complained about, printed when a step fails.
  const browserErrors = [];
  page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && browserErrors.push(`console: ${m.text()}`));
  page.on('requestfailed', (r) => browserErrors.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 500 && browserErrors.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`));

  let stepNo = 0;
  const step = async (name, body) => {
    stepNo += 1;
    const label = `${String(stepNo).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    try {
      await body();
      console.log(`ok ${label}`);
    } catch (err) {
      await mkdir(RESULTS, { recursive: true });
      const shot = `${RESULTS}${label}.png`;
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      const errors = browserErrors.length ? `\nbrowser errors:\n  ${browserErrors.join('\n  ')}` : '';
      err.message = `step "${name}" failed at ${page.url()} (screenshot: ${shot}): ${err.message}${errors}`;
      throw err;
    }
  };

  // Buttons are disabled until the page is hydrated: click() waits for them to be enabled.
  const signIn = async (password, username = 'admin') => {
    await page.goto(`${base}/login`);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${base}/profile`);
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/login`);
  };
  const notice = (text) => page.getByRole('status').filter({ hasText: text });

  return { browser, page, step, signIn, signOut, notice };
}

test('first admin: set password, profile, password change, settings', { timeout: 180_000 }, async () => {
  assert.ok(BASE, 'APIO_E2E_URL is not set (the server base URL, e.g. http://127.0.0.1:3456)');
  assert.ok(LINK.includes('#token='), `APIO_E2E_SET_PASSWORD_LINK is not a set-password link: ${JSON.stringify(LINK)}`);

  const { browser, page, step, signIn, signOut, notice } = await openBrowser();

  try {
    await step('set the first password from the link', async () => {
      await page.goto(LINK);
      await page.locator('#password').fill(FIRST_PASSWORD);
      await page.locator('#password_confirm').fill(FIRST_PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await notice('Password set. You can now sign in.').waitFor();
    });

    await step('the link leads to the login page', async () => {
      await page.getByRole('link', { name: 'Go to sign in' }).click();
      await page.waitForURL(`${BASE}/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });

    await step('a wrong password is refused with a message', async () => {
      await page.locator('#username').fill('admin');
      await page.locator('#password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: /\S/ }).first().waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
    });

    await step('sign in as admin', () => signIn(FIRST_PASSWORD));

    await step('edit and save the profile', async () => {
      await page.locator('#firstname').fill('Ada');
      await page.locator('#lastname').fill('Lovelace');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await notice('Profile saved.').waitFor();
    });

    await step('the profile persisted', async () => {
      await page.reload();
      assert.equal(await page.locator('#firstname').inputValue(), 'Ada');
      assert.equal(await page.locator('#lastname').inputValue(), 'Lovelace');
      await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    });

    await step('change the password', async () => {
      await page.locator('#current_password').fill(FIRST_PASSWORD);
      await page.locator('#new_password').fill(NEW_PASSWORD);
      await page.locator('#new_password_confirm').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await notice('Password changed. Your other sessions were signed out.').waitFor();
    });

    await step('sign out', signOut);

    await step('sign in with the new password', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
      assert.equal(await page.locator('#firstname').inputValue(), 'Ada');
    });

    await step('open the settings from the top bar', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
      await page.waitForURL(`${BASE}/admin/settings`);
      await page.locator('input#label').waitFor();
    });

    await step('save a new label', async () => {
      await page.locator('input#label').fill('E2E Label');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await notice('Settings saved.').waitFor();
      assert.equal(await page.locator('input#label').inputValue(), 'E2E Label');
    });

    await step('an invalid lockout threshold shows an error next to the field', async () => {
      await page.locator('input#lockout_threshold').fill('0');
      await page.getByRole('button', { name: 'Save settings' }).click();
      const fieldError = page.locator('#lockout_threshold-error');
      await fieldError.filter({ hasText: /\S/ }).waitFor();
      assert.equal(await page.locator('input#lockout_threshold').getAttribute('aria-invalid'), 'true');
      // Nothing else changed: the typed value stays, and no success is claimed.
      assert.equal(await page.locator('input#lockout_threshold').inputValue(), '0');
      assert.equal(await notice('Settings saved.').count(), 0);
    });

    await step('sign out again', signOut);

    await step('the login page shows the new label', async () => {
      await page.locator('.card').getByText('E2E Label', { exact: true }).waitFor();
    });

    await step('a signed-out visitor is sent from /profile to /login', async () => {
      await page.goto(`${BASE}/profile`);
      await page.waitForURL(`${BASE}/login`);
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    });
  } finally {
    await browser.close();
  }
});

test('mails: welcome link, then forgot password', { timeout: 180_000 }, async () => {
  assert.ok(SMTP_PORT > 0, 'APIO_E2E_SMTP_PORT is not set (the port the server mails to)');
  const mailbox = await startMailbox(SMTP_PORT);
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  const NINA_FIRST = 'meadow copper violin seven';
  const NINA_RESET = NINA_PASSWORD;
  try {
    await step('an admin edits the welcome mail with a live preview', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('navigation').getByRole('link', { name: 'Mail templates' }).click();
      await page.waitForURL(`${BASE}/admin/mail-templates`);
      await page.getByRole('button', { name: 'mails.welcome', exact: true }).click();
      await page.locator('#subject').fill('Welcome aboard, {{ firstname }}');
      await page.locator('.preview').getByText('Welcome aboard, Jane').waitFor();
      await page.getByRole('button', { name: 'Save template' }).click();
      await notice('Template saved.').waitFor();
      await signOut();
    });

    await step('an admin creates a user without a password (REST)', async () => {
      const login = await fetch(`${BASE}/api/v01/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: NEW_PASSWORD }),
      });
      assert.equal(login.status, 200);
      const { access_token } = await login.json();
      const created = await fetch(`${BASE}/api/v01/admin/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ username: 'nina', email: 'nina@example.com', firstname: 'Nina' }),
      });
      assert.equal(created.status, 201, await created.text());
    });

    await step('the welcome mail link sets the password', async () => {
      const mail = await mailbox.next('nina@example.com', 0);
      assert.equal(mail.subject, 'Welcome aboard, Nina');
      await page.goto(linkIn(mail, BASE));
      await page.locator('#password').fill(NINA_FIRST);
      await page.locator('#password_confirm').fill(NINA_FIRST);
      await page.getByRole('button', { name: 'Set password' }).click();
      await notice('Password set. You can now sign in.').waitFor();
    });

    await step('the new user signs in, then out', async () => {
      await signIn(NINA_FIRST, 'nina');
      await signOut();
    });

    await step('forgot password from the login page', async () => {
      const seen = mailbox.count;
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.waitForURL(`${BASE}/forgot-password`);
      await page.locator('#username').fill('nina');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await notice('a link is on its way').waitFor();
      const mail = await mailbox.next('nina@example.com', seen);
      assert.match(mail.subject, /Reset your .* password/);
      await page.goto(linkIn(mail, BASE));
    });

    await step('choose a new password from the reset link', async () => {
      await page.locator('#password').fill(NINA_RESET);
      await page.locator('#password_confirm').fill(NINA_RESET);
      await page.getByRole('button', { name: 'Set password' }).click();
      await notice('Password set. You can now sign in.').waitFor();
    });

    await step('sign in with the password from the reset', () => signIn(NINA_RESET, 'nina'));
  } finally {
    await browser.close();
    await mailbox.close();
  }
});

// The 6-digit code of a 2FA or re-authentication mail.
function codeIn(mail) {
  const match = mail.text.match(/\b(\d{6})\b/);
  assert.ok(match, `no code in:\n${mail.text}`);
  return match[1];
}

// The first admin requires email 2FA of `username` (REST).
async function requireEmail2fa(username) {
  const login = await fetch(`${BASE}/api/v01/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: NEW_PASSWORD }),
  });
  const { access_token } = await login.json();
  const patched = await fetch(`${BASE}/api/v01/admin/users/${username}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ two_factor_forced_email: true }),
  });
  assert.equal(patched.status, 200, await patched.text());
}

test('email 2FA: the code step, trust this device', { timeout: 180_000 }, async () => {
  const mailbox = await startMailbox(SMTP_PORT);
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  try {
    await step('an admin requires email 2FA of nina (REST)', () => requireEmail2fa('nina'));

    let code;
    await step('the password leads to the code step, and a code is mailed', async () => {
      const seen = mailbox.count;
      await page.goto(`${BASE}/login`);
      await page.locator('#username').fill('nina');
      await page.locator('#password').fill(NINA_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
      // The resend button counts down before it can be used.
      assert.equal(await page.getByRole('button', { name: /Send a new code \(\d+ s\)/ }).isDisabled(), true);
      code = codeIn(await mailbox.next('nina@example.com', seen));
    });

    await step('a wrong code is refused with a message', async () => {
      const wrong = code === '000000' ? '111111' : '000000';
      await page.locator('#code').fill(wrong);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').filter({ hasText: /\S/ }).first().waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
    });

    await step('the mailed code with "trust this device" and "trust this network" signs in', async () => {
      await page.locator('#code').fill(code);
      await page.getByLabel('Trust this device for 30 days').check();
      await page.getByLabel('Trust this network').check();
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${BASE}/profile`);
      await signOut();
    });

    await step('on the trusted device, the password alone signs in', async () => {
      const seen = mailbox.count;
      await signIn(NINA_PASSWORD, 'nina');
      assert.equal(mailbox.count, seen, 'no code was mailed');
    });

    await step('the trusted device is listed; a network is added and removed', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Security' }).click();
      await page.getByRole('link', { name: 'Trusted devices and networks' }).click();
      await page.waitForURL(`${BASE}/trusted`);
      await page.locator('.trusted-devices li').first().waitFor();
      // "Trust this network" in the code step added this browser's /24.
      await page.locator('.trusted-locations').getByText('127.0.0.0/24').waitFor();
      await page.locator('#cidr').fill('not a network');
      await page.getByRole('button', { name: 'Add network' }).click();
      await page.locator('#cidr-error').filter({ hasText: /\S/ }).waitFor();
      await page.locator('#cidr').fill('203.0.113.0/24');
      await page.locator('#label').fill('Office');
      await page.getByRole('button', { name: 'Add network' }).click();
      await notice('Network added.').waitFor();
      await page.locator('.trusted-locations').getByText('203.0.113.0/24').waitFor();
      await page.getByRole('button', { name: 'Remove 203.0.113.0/24' }).click();
      await page.getByRole('button', { name: 'Remove 203.0.113.0/24' }).waitFor({ state: 'detached' });
    });

    await step('recent sign-ins show the code step and the trusted sign-in', async () => {
      await page.goto(`${BASE}/login-attempts`);
      const rows = page.locator('table.attempts tbody tr');
      await rows.first().waitFor();
      assert.ok((await rows.count()) >= 3, 'the sign-ins of this test are listed');
      await page.getByRole('cell', { name: 'Password right, second factor asked' }).first().waitFor();
    });

    await step('allowed addresses: one without this address is refused, then cleared', async () => {
      await page.goto(`${BASE}/ip-whitelist`);
      await page.locator('#ip_whitelist').fill('203.0.113.7');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').filter({ hasText: 'lock you out' }).waitFor();
      await page.locator('#ip_whitelist').fill('127.0.0.0/8\n::1');
      await page.getByRole('button', { name: 'Save' }).click();
      await notice('only these addresses may sign in').waitFor();
      await page.reload();
      assert.match(await page.locator('#ip_whitelist').inputValue(), /127\.0\.0\.0\/8/);
      await page.locator('#ip_whitelist').fill('');
      await page.getByRole('button', { name: 'Save' }).click();
      await notice('any address may sign in').waitFor();
    });
  } finally {
    await browser.close();
    await mailbox.close();
  }
});

// RFC 6238 (SHA-1, 6 digits, 30 s) on node:crypto: independent of the server's implementation.
function totp(base32Secret, atMs) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32Secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

test('passkeys: add on the passkeys page, sign in with the button and by autofill, rename, delete', { timeout: 180_000 }, async () => {
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  // Chromium's virtual authenticators (DevTools WebAuthn domain), which verify the user as a
  // fingerprint would. A security key without storage holds no discoverable credential, so
  // the login page's background autofill request finds nothing and the button is what signs
  // in; a platform authenticator's discoverable passkey is picked by that autofill request
  // (the virtual authenticator answers it as a user choosing the suggestion would).
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('WebAuthn.enable');
  const attach = async (hasResidentKey) =>
    (await devtools.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: hasResidentKey ? 'internal' : 'usb',
        hasResidentKey,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })).authenticatorId;
  const addPasskey = async (name) => {
    await page.locator('#name').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await notice('Passkey added.').waitFor();
    await page.locator('.passkey-name').filter({ hasText: name }).waitFor();
  };
  try {
    let securityKey;
    await step('the admin adds a security key on the passkeys page', async () => {
      securityKey = await attach(false);
      await signIn(NEW_PASSWORD);
      // From the profile page's "other ways to sign in" (the top bar has the link too).
      await page.getByRole('main').getByRole('link', { name: 'Passkeys' }).click();
      await page.waitForURL(`${BASE}/passkeys`);
      await page.getByText('You have no passkey yet.').waitFor();
      await addPasskey('Security key');
    });

    await step('the same authenticator again is refused with a message', async () => {
      // Its credential is in the exclusion list: the browser refuses with InvalidStateError.
      await page.locator('#name').fill('Same key');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByRole('alert').filter({ hasText: 'already holds one of your passkeys' }).waitFor();
    });

    await step('a passkey request that runs out of time says so', async () => {
      // Nobody touches the key, and the ceremony's timeout is cut to 2 s on its way to the page.
      await devtools.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: securityKey, enabled: false });
      const start = '**/_sfn/passkey_register_start';
      await page.route(start, async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        json.publicKey.timeout = 2000;
        await route.fulfill({ response, json });
      });
      await page.locator('#name').fill('Slow key');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByRole('alert').filter({ hasText: 'timed out' }).waitFor({ timeout: 60_000 });
      await page.unroute(start);
      await devtools.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: securityKey, enabled: true });
      await signOut();
    });

    await step('"Sign in with a passkey" after the username', async () => {
      await page.locator('#username').fill('admin');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL(`${BASE}/profile`);
    });

    await step('the admin adds a passkey of this device', async () => {
      await devtools.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: securityKey });
      const platform = await attach(true);
      await page.goto(`${BASE}/passkeys`);
      // A user who does not pass the verification: NotAllowedError, well before the timeout.
      await devtools.send('WebAuthn.setUserVerified', { authenticatorId: platform, isUserVerified: false });
      await page.locator('#name').fill('Unverified');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByRole('alert').filter({ hasText: 'was cancelled' }).waitFor();
      await devtools.send('WebAuthn.setUserVerified', { authenticatorId: platform, isUserVerified: true });
      await addPasskey('Test laptop');
      const { credentials } = await devtools.send('WebAuthn.getCredentials', { authenticatorId: platform });
      assert.equal(credentials.length, 1);
      assert.equal(credentials[0].isResidentCredential, true, 'a discoverable credential');
    });

    await step('on the login page, the autofill passkey signs in', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      // The login page shows, then its autofill request is answered.
      await page.waitForURL(`${BASE}/profile`);
    });

    await step('rename a passkey, delete both', async () => {
      await page.goto(`${BASE}/passkeys`);
      await page.getByRole('button', { name: 'Rename' }).nth(1).click();
      await page.getByLabel('New name').fill('Old laptop');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('.passkey-name').filter({ hasText: 'Old laptop' }).waitFor();
      for (const name of ['Security key', 'Old laptop']) {
        await page.getByRole('button', { name: `Delete ${name}` }).click();
        await notice('Passkey deleted.').waitFor();
        await page.getByRole('button', { name: `Delete ${name}` }).waitFor({ state: 'detached' });
      }
      await page.getByText('You have no passkey yet.').waitFor();
    });

    await step('the deleted passkey signs in no more', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${BASE}/login`);
      // The autofill request is answered with the deleted passkey: refused, and said so.
      await page.getByRole('alert').filter({ hasText: /invalid/i }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
    });

    await step('a browser without WebAuthn is told so', async () => {
      const bare = await page.context().newPage();
      await bare.addInitScript(() => { delete window.PublicKeyCredential; });
      await bare.goto(`${BASE}/login`);
      await bare.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await bare.getByRole('alert').filter({ hasText: 'does not support passkeys' }).waitFor();
      await bare.close();
    });
  } finally {
    await browser.close();
  }
});

/** A local HTTP receiver for callbacks: resolves with the first request it gets. */
function startReceiver() {
  let resolveFirst;
  const first = new Promise((resolve) => { resolveFirst = resolve; });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      resolveFirst({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, first, url: `http://127.0.0.1:${server.address().port}/hook` }));
  });
}

test('admin users page; a new user: profile, M2M token, sessions, callbacks', { timeout: 180_000 }, async () => {
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  const receiver = await startReceiver();
  try {
    await step('the admin creates a user on the users page', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
      await page.waitForURL(`${BASE}/admin/users`);
      await page.getByRole('link', { name: 'admin', exact: true }).waitFor();
      await page.locator('#new-username').fill('max');
      await page.locator('#new-firstname').fill('Max');
      await page.locator('#new-password').fill(MAX_PASSWORD);
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByRole('status').filter({ hasText: 'User max created.' }).waitFor();
      await page.getByRole('link', { name: 'max', exact: true }).waitFor();
      await page.locator('#user-search').fill('MAX');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByText('Page 1 of 1 · 1 users').waitFor();
      await signOut();
    });

    let token;
    await step('the user signs in, fills the profile and generates an M2M token', async () => {
      await signIn(MAX_PASSWORD, 'max');
      await page.locator('#lastname').fill('Planck');
      // The time zone picker offers the browser's IANA list.
      await page.waitForFunction(() => document.querySelectorAll('#timezones option').length > 100);
      await page.locator('#timezone').fill('Europe/Berlin');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await notice('Profile saved.').waitFor();
      await page.getByRole('heading', { name: 'Max Planck' }).waitFor();
      await page.getByText('No token.').waitFor();
      await page.getByRole('button', { name: 'Generate token' }).click();
      await notice('New token generated').waitFor();
      token = await page.locator('#m2m-token').inputValue();
      assert.match(token, /^m2m_[A-Za-z0-9_-]{43}$/);
      await page.getByText('A token is set; it does not expire.').waitFor();
    });

    await step('copy it, and a plain HTTP client calls the API with it', async () => {
      await page.getByRole('button', { name: 'Copy' }).click();
      await notice('Copied to the clipboard.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
      const me = await fetch(`${BASE}/api/v01/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      const profile = await me.json();
      assert.deepEqual(
        [profile.username, profile.lastname, profile.timezone],
        ['max', 'Planck', 'Europe/Berlin'],
      );
    });

    await step('the sessions page marks this browser and ends the others', async () => {
      const login = await fetch(`${BASE}/api/v01/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'e2e-script' },
        body: JSON.stringify({ username: 'max', password: MAX_PASSWORD }),
      });
      assert.equal(login.status, 200);
      const tokens = await login.json();
      assert.equal(tokens.token, token, 'the login answer carries the M2M token');
      await page.getByRole('navigation').getByRole('link', { name: 'Sessions' }).click();
      await page.waitForURL(`${BASE}/sessions`);
      await page.getByText('This browser').waitFor();
      await page.getByRole('cell', { name: 'e2e-script' }).waitFor();
      await page.getByRole('button', { name: 'End every other session' }).click();
      await notice('Every other session ended.').waitFor();
      await page.getByRole('cell', { name: 'e2e-script' }).waitFor({ state: 'detached' });
      const refresh = await fetch(`${BASE}/api/v01/auth/access_token`, { headers: { Authorization: `Bearer ${tokens.refresh_token}` } });
      assert.equal(refresh.status, 401);
    });

    await step('add a callback and send it a signed test event', async () => {
      const secret = 'e2e callback signing secret';
      await page.getByRole('navigation').getByRole('link', { name: 'Callbacks' }).click();
      await page.waitForURL(`${BASE}/callbacks`);
      await page.getByText('No callback.').waitFor();
      await page.locator('#callback-url').fill(receiver.url);
      await page.getByLabel('Blocked').uncheck();
      await page.locator('#callback-secret').fill(secret);
      await page.getByRole('button', { name: 'Add callback' }).click();
      await notice('Callback added.').waitFor();
      await page.getByText('completed · signed').waitFor();
      await page.getByRole('button', { name: `Send a test event to ${receiver.url}` }).click();
      await page.locator('#callback-test-result').filter({ hasText: 'answered 200' }).waitFor();
      const call = await receiver.first;
      const expected = `sha256=${createHmac('sha256', secret).update(`${call.headers['x-apio-timestamp']}.${call.body}`).digest('hex')}`;
      assert.equal(call.headers['x-apio-signature'], expected);
      assert.equal(JSON.parse(call.body).event, 'test');
      await signOut();
    });

    await step("the admin sees the user's sign-ins, unlocks, ends the sessions, removes the token", async () => {
      // Five wrong passwords lock the account (the default threshold).
      for (let i = 0; i < 5; i += 1) {
        const wrong = await fetch(`${BASE}/api/v01/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'max', password: 'not the password at all' }),
        });
        assert.equal(wrong.status, 401);
      }
      await signIn(NEW_PASSWORD);
      await page.goto(`${BASE}/admin/users/max`);
      await page.getByRole('heading', { name: 'max', exact: true }).waitFor();
      await page.getByText(/^Locked until /).waitFor();
      await page.getByRole('cell', { name: 'wrong_password' }).first().waitFor();
      await page.getByRole('button', { name: 'Unlock' }).click();
      await notice('Unlocked.').waitFor();
      await page.getByRole('button', { name: 'Unlock' }).waitFor({ state: 'detached' });
      const login = await fetch(`${BASE}/api/v01/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'max', password: MAX_PASSWORD }),
      });
      assert.equal(login.status, 200);
      await page.getByText('A token is set; it does not expire.').waitFor();
      await page.locator('table.attempts tbody tr').nth(1).waitFor();
      await page.getByRole('button', { name: 'End every session' }).click();
      await notice('Every session of the user ended.').waitFor();
      await page.getByRole('button', { name: 'Remove token' }).click();
      await notice('M2M token removed.').waitFor();
      await page.getByText('No token.').waitFor();
      const me = await fetch(`${BASE}/api/v01/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 401);
    });

    await step('the audit events page filters by user and type', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
      await page.waitForURL(`${BASE}/admin/events`);
      await page.locator('#event-user').fill('max');
      await page.locator('#event-type').fill('m2m_token_deleted');
      await page.getByRole('button', { name: 'Filter' }).click();
      // The unfiltered list stays until the filtered one replaces it.
      await page.waitForFunction(() => document.querySelectorAll('table.events tbody tr').length === 1);
      await page.getByRole('cell', { name: 'm2m_token_deleted' }).waitFor();
      await page.getByRole('cell', { name: 'admin', exact: true }).waitFor();
      await signOut();
    });

    const lang = () => page.evaluate(() => document.documentElement.lang);
    await step('the UI switches to French when the user chooses it, and stays French signed out', async () => {
      await signIn(MAX_PASSWORD, 'max');
      assert.equal(await lang(), 'en');
      await page.locator('#language').selectOption('fr');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await notice('Profil enregistré.').waitFor();
      await page.getByRole('heading', { name: 'Modifier le profil' }).waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Sécurité' }).waitFor();
      assert.equal(await lang(), 'fr');
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${BASE}/login`);
      await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
      await page.getByText("Nom d'utilisateur").waitFor();
    });

    await step('a French user gets French pages straight after signing in, in an English browser', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const other = await context.newPage();
      await other.goto(`${BASE}/login`);
      await other.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await other.locator('#username').fill('max');
      await other.locator('#password').fill(MAX_PASSWORD);
      await other.getByRole('button', { name: 'Sign in', exact: true }).click();
      await other.waitForURL(`${BASE}/profile`);
      await other.getByRole('heading', { name: 'Modifier le profil' }).waitFor();
      // The server renders the page in French, not only the browser after hydration.
      const html = await (await other.request.get(`${BASE}/profile`)).text();
      assert.match(html, /<html[^>]* lang="fr"/);
      assert.ok(html.includes('Modifier le profil'));
      await context.close();
    });

    await step('a signed-out visitor gets the browser\'s language', async () => {
      const context = await browser.newContext({ locale: 'fr-FR' });
      const other = await context.newPage();
      await other.goto(`${BASE}/login`);
      await other.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
      await other.getByRole('link', { name: /^Mot de passe oublié/ }).waitFor();
      await context.close();
    });
  } finally {
    receiver.server.close();
    await browser.close();
  }
});

// The test OpenID provider (tools/oidc-idp), on an ephemeral port; resolves once it listens.
function startIdp(clients, users) {
  const script = fileURLToPath(new URL('../../tools/oidc-idp/server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, OIDC_IDP_PORT: '0', OIDC_IDP_CLIENTS: JSON.stringify(clients), OIDC_IDP_USERS: JSON.stringify(users) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the test IdP exited (${code}):\n${log}`)));
    child.stdout.on('data', (d) => {
      const ready = /^READY (\S+)/m.exec(String(d));
      if (ready) resolve({ issuer: ready[1], stop: () => child.kill(), log: () => log });
    });
  });
}

test('SSO: the admin adds an OpenID provider, "Login with Test IdP" signs a new user in', { timeout: 180_000 }, async () => {
  const secret = 'the-e2e-client-secret';
  const idp = await startIdp(
    [{ client_id: 'apio-e2e', client_secret: secret, redirect_uris: [`${BASE}/api/v01/auth/sso/testidp/callback`] }],
    { 'sam-sub': { preferred_username: 'sam', email: 'sam@example.com', email_verified: true, given_name: 'Sam', family_name: 'Sso', locale: 'en' } },
  );
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  try {
    await step('the admin adds the provider on the SSO page', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('navigation').getByRole('link', { name: 'Single sign-on' }).click();
      await page.waitForURL(`${BASE}/admin/sso`);
      await page.getByText('No identity provider yet.').waitFor();
      await page.getByRole('button', { name: 'New provider' }).click();
      await page.locator('#id').fill('testidp');
      await page.locator('#name').fill('Test IdP');
      await page.locator('[id="oidc.issuer"]').fill(idp.issuer);
      await page.locator('[id="oidc.client_id"]').fill('apio-e2e');
      await page.locator('[id="oidc.client_secret"]').fill(secret);
      // The form starts with a rule that makes the user from the usual claims.
      assert.equal(await page.getByLabel('Username from').inputValue(), 'preferred_username');
      await page.getByRole('button', { name: 'Save provider' }).click();
      await notice('Provider saved').waitFor();
      await page.getByRole('cell', { name: 'Test IdP' }).waitFor();
      await page.getByText('A secret is stored').waitFor();
      await signOut();
    });

    await step('the admin sets BroadWorks up on the same page; a wrong endpoint is named', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('navigation').getByRole('link', { name: 'Single sign-on' }).click();
      await page.waitForURL(`${BASE}/admin/sso`);
      await page.getByText('No password stored.').waitFor();
      await page.locator('[id="broadworks.enabled"]').check();
      await page.locator('#ocip_url').fill('ftp://bw.example.com');
      await page.locator('#username').fill('bwadmin');
      await page.locator('#password').fill('the BroadWorks admin secret');
      await page.getByRole('button', { name: 'Save BroadWorks' }).click();
      await page.locator('#ocip_url-error').filter({ hasText: 'tcp://host:port' }).waitFor();
      await page.locator('#ocip_url').fill('tcp://bw.example.com:2208');
      await page.locator('#proxies').fill('east https://bw-east.example.com/webservice/services/ProvisioningService');
      await page.getByRole('button', { name: 'Save BroadWorks' }).click();
      await notice('BroadWorks settings saved').waitFor();
      await page.getByText('A password is stored').waitFor();
      assert.equal(await page.locator('#password').inputValue(), '');
      await page.reload();
      assert.equal(await page.locator('#ocip_url').inputValue(), 'tcp://bw.example.com:2208');
      assert.match(await page.locator('#proxies').inputValue(), /^east https:\/\/bw-east/);
      // Off again: the SSO sign-in below is not about BroadWorks.
      await page.locator('[id="broadworks.enabled"]').uncheck();
      await page.getByRole('button', { name: 'Save BroadWorks' }).click();
      await notice('BroadWorks settings saved').waitFor();
      await signOut();
    });

    await step('"Login with Test IdP": signed in at the IdP, the new user lands on the profile', async () => {
      await page.getByRole('link', { name: 'Login with Test IdP' }).click();
      await page.waitForURL(`${BASE}/profile`);
      await page.locator('.user-menu .username').filter({ hasText: 'sam' }).waitFor();
      assert.equal(await page.locator('#firstname').inputValue(), 'Sam');
      assert.equal(await page.locator('#email').inputValue(), 'sam@example.com');
      await signOut();
    });

    await step('with email 2FA required, the IdP sign-in goes on to the code step', async () => {
      const mailbox = await startMailbox(SMTP_PORT);
      try {
        await requireEmail2fa('sam');
        const seen = mailbox.count;
        await page.getByRole('link', { name: 'Login with Test IdP' }).click();
        await page.waitForURL(/\/login\?sso=2fa/);
        // The step is drawn once the page is hydrated (its code is a chunk of its own).
        await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
        await page.locator('#code').fill(codeIn(await mailbox.next('sam@example.com', seen)));
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.waitForURL(`${BASE}/profile`);
        await page.locator('.user-menu .username').filter({ hasText: 'sam' }).waitFor();
        await signOut();
      } finally {
        await mailbox.close();
      }
    });
  } catch (err) {
    err.message += `\n--- IdP log ---\n${idp.log()}`;
    throw err;
  } finally {
    await browser.close();
    idp.stop();
  }
});

test('TOTP: set up on the security page, then sign in with a code', { timeout: 180_000 }, async () => {
  const { browser, page, step, signIn, signOut, notice } = await openBrowser();
  try {
    let secret;
    await step('the admin opens the security page', async () => {
      await signIn(NEW_PASSWORD);
      await page.getByRole('navigation').getByRole('link', { name: 'Security' }).click();
      await page.waitForURL(`${BASE}/security`);
      await page.getByText('Second factor: None').waitFor();
    });

    await step('set up an authenticator app from the shown secret', async () => {
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.locator('.qr svg').waitFor();
      secret = (await page.locator('code.totp-secret').textContent()).trim();
      assert.match(secret, /^[A-Z2-7]{32}$/);
      await page.locator('#code').fill(totp(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await notice('authenticator app').waitFor();
      await page.getByText('Second factor: Authenticator app').waitFor();
    });

    await step('ten recovery codes are shown once, with a download', async () => {
      await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
      assert.equal(await page.locator('.recovery-codes li').count(), 10);
      assert.match(await page.getByRole('link', { name: 'Download' }).getAttribute('href'), /^data:text\/plain/);
      await signOut();
    });

    await step('sign in with the next code and trust this device', async () => {
      await page.goto(`${BASE}/login`);
      await page.locator('#username').fill('admin');
      await page.locator('#password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
      // The code that confirmed the setup is spent; the next step's is accepted (±1 step).
      await page.locator('#code').fill(totp(secret, Date.now() + 30_000));
      await page.getByLabel('Trust this device for 30 days').check();
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${BASE}/profile`);
      await signOut();
    });

    await step('on the trusted device, the password alone signs in', () => signIn(NEW_PASSWORD));
  } finally {
    await browser.close();
  }
});

test('confirm it is you: an old sign-in asks again, with a mailed code for email 2FA', { timeout: 120_000 }, async () => {
  assert.ok(SHORT_REAUTH, 'APIO_E2E_SHORT_REAUTH_URL is set');
  const mailbox = await startMailbox(SMTP_PORT);
  const { browser, page, step, signIn, notice } = await openBrowser(SHORT_REAUTH);
  const prompt = page.locator('form.reauth');
  try {
    await step('nina signs in (her trusted network skips the code step)', () => signIn(NINA_PASSWORD, 'nina'));

    await step('changing the email after the window asks to confirm, with a code on request', async () => {
      // The one thing a fixed wait is for here: letting this server's one-second window pass.
      await page.waitForTimeout(1_500);
      await page.locator('#email').fill('nina@example.net');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await prompt.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      await prompt.getByText('The code we email you on request').waitFor();
      const seen = mailbox.count;
      await prompt.getByRole('button', { name: 'Email me a code' }).click();
      await notice('We emailed you a code.').waitFor();
      const code = codeIn(await mailbox.next('nina@example.com', seen));

      await prompt.locator('#reauth_password').fill('not her password at all');
      await prompt.locator('#reauth_code').fill(code);
      await prompt.getByRole('button', { name: 'Confirm' }).click();
      await prompt.getByRole('alert').filter({ hasText: /\S/ }).waitFor();

      await prompt.locator('#reauth_password').fill(NINA_PASSWORD);
      await prompt.locator('#reauth_code').fill(code);
      await prompt.getByRole('button', { name: 'Confirm' }).click();
      await prompt.waitFor({ state: 'detached' });
      await notice('Profile saved.').waitFor();
    });

    await step('the new address persisted', async () => {
      await page.reload();
      assert.equal(await page.locator('#email').inputValue(), 'nina@example.net');
    });
  } finally {
    await browser.close();
    await mailbox.close();
  }
});
