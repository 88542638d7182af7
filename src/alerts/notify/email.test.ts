import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../store/index.js';
import type { StoredAlert } from '../model.js';
import { emailChannel } from './email.js';

const stored: StoredAlert = {
  id: '0190-alert',
  orgId: 'o1',
  source: 'detect',
  rule: 'duo.mfa_fatigue',
  title: 'MFA fatigue: many denied pushes or calls for one user',
  severity: 'high',
  entity: 'alice',
  status: 'open',
  dedupeKey: 'k',
  firstSeen: new Date('2026-03-02T12:00:00Z'),
  lastSeen: new Date('2026-03-02T12:04:00Z'),
  count: 1,
  eventIds: ['auth:tx1', 'auth:tx2'],
  fields: { user: 'alice', ip: '5.31.1.1', location: 'Moscow, Russia', denials: 5 },
  createdAt: new Date(),
  updatedAt: new Date(),
  statusBy: null,
  statusAt: null,
  statusNote: null,
};

describe('e-mail channel over SMTP (a real smtp-server on loopback, parsed with mailparser)', () => {
  it('sends one message with the headline as subject and the triage fields, authenticating with the password', async () => {
    const messages: Buffer[] = [];
    const logins: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        cb(null, { user: auth.username });
      },
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    await new Promise<void>((r) => {
      server.listen(0, '127.0.0.1', r);
    });
    try {
      // smtp-server's typings leave its net.Server untyped; it is one, listening on loopback.
      const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
      const channel = emailChannel({
        host: '127.0.0.1',
        port,
        secure: false,
        requireTls: false,
        username: 'duowatch',
        password: new Secret('smtp-pass-1'),
        from: 'duowatch@example.test',
        to: ['soc@example.test', 'oncall@example.test'],
      });
      await channel.send(stored, { orgSlug: 'acme', dashboardUrl: 'https://duowatch.example' });
      expect(logins).toEqual(['duowatch:smtp-pass-1']);
      expect(messages).toHaveLength(1);
      const mail = await simpleParser(messages[0] as Buffer);
      expect(mail.subject).toBe(
        '[HIGH] MFA fatigue: many denied pushes or calls for one user: alice in acme',
      );
      expect(mail.from?.text).toBe('duowatch@example.test');
      expect(mail.headers.get('x-duowatch-rule')).toBe('duo.mfa_fatigue');
      expect(mail.text).toContain('ip: 5.31.1.1');
      expect(mail.text).toContain('location: Moscow, Russia');
      expect(mail.text).toContain('events: auth:tx1, auth:tx2');
      expect(mail.text).toContain('https://duowatch.example#/alerts/0190-alert');
      expect(mail.text).not.toContain('smtp-pass-1');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('fails with a stable code and without the password when the server is not there', async () => {
    const channel = emailChannel({
      host: '127.0.0.1',
      port: 1,
      secure: false,
      requireTls: false,
      username: 'u',
      password: new Secret('never-shown'),
      from: 'a@b.test',
      to: ['c@d.test'],
      timeoutMs: 2000,
    });
    const error = await channel
      .send(stored, { orgSlug: 'acme', dashboardUrl: null })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'alerts.email_failed' });
    expect(String((error as Error).message)).not.toContain('never-shown');
  });
});
