import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { startSmtp } from '../test/smtp.ts';

const API = '/api/xai-qc';
const PUBLIC_URL = 'https://qc.example.test';
const OLD_PASSWORD = 'old-password-of-ada-1';
const NEW_PASSWORD = 'new-password-of-ada-2';

async function until<T>(what: string, f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('mail over a real SMTP server: password reset and report notifications', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { username, password } });
  const resetRequest = (payload: Record<string, string>) => t.app.inject({ method: 'POST', url: `${API}/auth/password-reset`, payload });
  const confirm = (token: string, newPassword: string) => t.app.inject({ method: 'POST', url: `${API}/auth/password-reset/confirm`, payload: { token, newPassword } });

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp('sqlite', { jobConcurrency: 1 }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, XQC_MAIL_FROM: 'qc@example.test', XQC_PUBLIC_URL: PUBLIC_URL });
    const admin = { kind: 'user' as const, subject: 'setup', accountId: 'acct-mail', role: 'admin' as const };
    await t.app.authServices.users.create(admin, { username: 'ada', email: 'ada@example.test', role: 'operator', password: OLD_PASSWORD });
    await t.app.authServices.users.create(admin, { username: 'nomail', role: 'operator', password: OLD_PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('mails a single-use link that sets the password end to end and ends the old sessions', async () => {
    const before = (await login('ada', OLD_PASSWORD)).json<{ refreshToken: string }>();
    const res = await resetRequest({ username: 'Ada' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    const mail = await until('the reset mail', () => smtp.received.find((m) => m.to.includes('ada@example.test')));
    expect(mail.from).toBe('qc@example.test');
    expect(mail.text).toMatch(/^Subject: XAI-QC password reset$/m);
    const link = /https:\/\/qc\.example\.test\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail.text);
    expect(link, mail.raw).not.toBeNull();
    const token = (link as RegExpExecArray)[1];

    // A weak password is refused and leaves the token usable.
    const weak = await confirm(token, 'short');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('XQC_PASSWORD_POLICY');

    expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
    expect((await login('ada', NEW_PASSWORD)).statusCode).toBe(200);
    expect((await login('ada', OLD_PASSWORD)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: `${API}/auth/refresh`, payload: { refreshToken: before.refreshToken } })).statusCode).toBe(401);
    const again = await confirm(token, 'another-password-3');
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('XQC_RESET_TOKEN_INVALID');
    const rows = await t.app.db.selectFrom('password_reset_tokens').select(['token_hash', 'used_at']).execute();
    expect(rows.every((r) => r.token_hash !== token && r.used_at !== null)).toBe(true);
  });

  it('answers 202 alike for unknown users and users without an e-mail, mailing nobody; finds users by e-mail; a newer link voids older ones; expired links fail', async () => {
    const count = smtp.received.length;
    for (const body of [{ username: 'nobody' }, { username: 'nomail' }, { email: 'nobody@example.test' }] as Record<string, string>[]) {
      const res = await resetRequest(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(202);
      expect(res.json()).toEqual({ status: 'accepted' });
    }
    expect((await resetRequest({ email: 'ADA@example.test' })).statusCode).toBe(202);
    await until('a mail', () => (smtp.received.length >= count + 1 ? true : undefined));
    expect((await resetRequest({ username: 'ada' })).statusCode).toBe(202);
    await until('another mail', () => (smtp.received.length >= count + 2 ? true : undefined));
    const mails = smtp.received.slice(count);
    expect(mails.map((m) => m.to)).toEqual([['ada@example.test'], ['ada@example.test']]);
    const [older, newer] = mails.map((m) => (/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(m.text) as RegExpExecArray)[1]);
    expect((await confirm(older, 'yet-another-password-4')).json().code).toBe('XQC_RESET_TOKEN_INVALID');
    await t.app.db.updateTable('password_reset_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('used_at', 'is', null).execute();
    expect((await confirm(newer, 'yet-another-password-4')).json().code).toBe('XQC_RESET_TOKEN_INVALID');
    for (const payload of [{}, { username: 'a', email: 'a@b.c' }]) expect((await resetRequest(payload as Record<string, string>)).statusCode).toBe(400);
  });

  it('mails a finished report to the requester when asked, with the file attached', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/export`, payload: { format: 'xlsx', notify: true, title: 'Mailed report' }, headers: await bearer('operator', 'acct-mail', 'grace') });
    expect(res.statusCode, res.body).toBe(202);
    const { job, url } = res.json<{ job: { id: string }; url: string }>();
    const mail = await until('the report mail', () => smtp.received.find((m) => m.to.includes('grace@example.com')));
    expect(mail.text).toMatch(/^Subject: XAI-QC report ready: Mailed report$/m);
    expect(mail.text).toContain(`${PUBLIC_URL}${url}`);
    const attachment = /Content-Disposition: attachment; filename=(Mailed-report-\d{4}-\d{2}-\d{2}\.xlsx)\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)\r?\n--/.exec(mail.raw);
    expect(attachment, mail.raw.slice(0, 2000)).not.toBeNull();
    const viewer = await bearer('viewer', 'acct-mail');
    let status: { status: string; result: { mailed: boolean } | null } = { status: 'queued', result: null };
    for (let i = 0; i < 400 && status.status !== 'succeeded' && status.status !== 'failed'; i++) {
      status = (await t.app.inject({ method: 'GET', url: `${API}/jobs/${job.id}`, headers: viewer })).json();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(status.status).toBe('succeeded');
    expect(status.result?.mailed).toBe(true);
    const file = await t.app.inject({ method: 'GET', url, headers: viewer });
    expect(file.statusCode).toBe(200);
    expect(Buffer.from((attachment as RegExpExecArray)[2].replace(/\s+/g, ''), 'base64').equals(file.rawPayload)).toBe(true);
  });
});

describe('mail off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('refuses a reset request and a report notification with 503 XQC_MAIL_DISABLED, storing nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/auth/password-reset`, payload: { username: 'admin' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('XQC_MAIL_DISABLED');
    expect(await t.app.db.selectFrom('password_reset_tokens').select('id').execute()).toEqual([]);
    const exp = await t.app.inject({ method: 'POST', url: `${API}/export`, payload: { format: 'pdf', notify: true }, headers: await bearer('operator') });
    expect(exp.statusCode).toBe(503);
    expect(exp.json().code).toBe('XQC_MAIL_DISABLED');
  });
});
