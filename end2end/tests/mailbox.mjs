// A real SMTP server (nodemailer's smtp-server) that keeps what the APIO server sends, parsed
// with mailparser. The server under test is started with APIO_SMTP_URL pointing here.

import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export async function startMailbox(port) {
  const mails = [];
  const waiters = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          waiters.splice(0).forEach((wake) => wake());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    // The first mail to `to` after `seen` mails, waiting up to `timeout` ms.
    async next(to, seen, timeout = 15_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const found = mails.slice(seen).find((m) => m.to?.text.includes(to));
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} arrived`);
        await new Promise((wake) => {
          waiters.push(wake);
          setTimeout(wake, left);
        });
      }
    },
    get count() {
      return mails.length;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// The set-password link of a mail's text part, checked to point at `base`.
export function linkIn(mail, base) {
  const match = mail.text.match(/(\S+\/set-password#token=[A-Za-z0-9_-]+)/);
  if (!match || !match[1].startsWith(`${base}/`)) {
    throw new Error(`no set-password link to ${base} in:\n${mail.text}`);
  }
  return match[1];
}
