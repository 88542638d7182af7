import { describe, expect, it } from 'vitest';
import { version } from '../../version.js';
import { sampleEvent } from './duo-samples.test-helpers.js';
import { cefHeader, cefValue, formatCef } from './format-cef.js';
import {
  frame,
  frameBatch,
  sdValue,
  syslogMessage,
  truncateMessage,
  TRUNCATION_MARKER,
} from './syslog-message.js';
import type { SyslogMessageOptions } from './syslog-message.js';

const opts: SyslogMessageOptions = {
  facility: 'local0',
  appName: 'duowatch',
  hostname: 'collector-1',
  body: 'json',
  format: 'raw',
};

describe('RFC 5424 messages', () => {
  it('builds header, structured data with the event id, BOM and JSON body', () => {
    const event = sampleEvent('auth-success');
    const msg = syslogMessage(event, opts);
    const head =
      '<133>1 2020-02-13T18:56:20.351Z collector-1 duowatch - duo-auth [duowatch@32473 id="id-auth-success" stream="auth" org="acme"] ';
    expect(msg.subarray(0, head.length).toString('ascii')).toBe(head);
    expect([...msg.subarray(head.length, head.length + 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = JSON.parse(msg.subarray(head.length + 3).toString('utf8')) as Record<string, unknown>;
    expect(body).toEqual({ ...event.raw, duowatch: { id: event.id, stream: 'auth', org: 'acme' } });
  });

  it('derives PRI from the facility per log type and the event severity', () => {
    const fraud = syslogMessage(sampleEvent('auth-fraud-ip-port'), {
      ...opts,
      facilities: { auth: 'authpriv' },
      bom: false,
    });
    expect(fraud.toString().startsWith('<82>1 ')).toBe(true); // authpriv(10)*8 + crit(2)
    const admin = syslogMessage(sampleEvent('admin-login-error'), {
      ...opts,
      facility: 13,
      msgids: { admin: 'ADMIN' },
    });
    expect(admin.toString()).toMatch(/^<108>1 \S+ collector-1 duowatch - ADMIN /); // audit(13)*8 + warning(4)
  });

  it('escapes structured data values and sanitises header fields', () => {
    expect(sdValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const msg = syslogMessage(
      { ...sampleEvent('telephony-v2-sms'), id: 'x"]' },
      { ...opts, hostname: 'bad host', bom: false },
    );
    expect(msg.toString()).toContain(' bad_host duowatch - duo-telephony [duowatch@32473 id="x\\"\\]" ');
  });

  it('truncates to the size limit with a marker and never splits a UTF-8 character', () => {
    const big = Buffer.from('<13>1 - - - - - - ' + 'é'.repeat(2000), 'utf8');
    const { message, truncated } = truncateMessage(big, 480);
    expect(truncated).toBe(true);
    expect(message.length).toBeLessThanOrEqual(480);
    expect(message.toString('utf8').endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(message.toString('utf8')).not.toContain('\uFFFD');
    const small = Buffer.from('short');
    expect(truncateMessage(small, 480)).toEqual({ message: small, truncated: false });
  });

  it('frames with octet counting (bytes, not characters) or LF', () => {
    const m = Buffer.from('<13>1 - - - - - - é');
    expect(frame(m, 'octet-counting').toString()).toBe(`${m.length} <13>1 - - - - - - é`);
    expect(frame(m, 'lf').toString()).toBe('<13>1 - - - - - - é\n');
  });
});

describe('batch framing', () => {
  // The stream sink frames a whole batch in one pass; its bytes must be exactly the per-message framing's.
  const names = ['auth-success', 'auth-fraud-ip-port', 'telephony-v2-sms', 'admin-login-error'];
  const withUnicode = {
    ...sampleEvent('auth-success'),
    raw: { ...sampleEvent('auth-success').raw, reason: 'déjà vu ✓ 🔑', note: 'line\nbreak' },
  };
  const batch = [...names.map((n) => sampleEvent(n)), withUnicode];
  const perMessage = (o: SyslogMessageOptions, framing: 'octet-counting' | 'lf'): Buffer =>
    Buffer.concat(batch.map((e) => frame(syslogMessage(e, o), framing)));

  for (const framing of ['octet-counting', 'lf'] as const)
    for (const variant of [
      { name: 'raw JSON with BOM', o: opts },
      { name: 'ECS JSON without BOM', o: { ...opts, format: 'ecs' as const, bom: false } },
      { name: 'CEF', o: { ...opts, body: 'cef' as const } },
    ])
      it(`matches per-message framing byte for byte: ${framing}, ${variant.name}`, () => {
        const bytes = frameBatch(batch, variant.o, framing);
        expect(bytes.equals(perMessage(variant.o, framing))).toBe(true);
        expect(bytes.length).toBeGreaterThan(batch.length * 100);
      });

  it('matches per-message framing when the org slug is not ASCII', () => {
    const odd = batch.map((e) => ({ ...e, orgSlug: 'société' }));
    const expected = Buffer.concat(odd.map((e) => frame(syslogMessage(e, opts), 'octet-counting')));
    expect(frameBatch(odd, opts, 'octet-counting').equals(expected)).toBe(true);
  });

  it('frames an empty batch as no bytes', () => {
    expect(frameBatch([], opts, 'lf').length).toBe(0);
  });
});

describe('CEF', () => {
  it('escapes header and extension as the CEF rules say', () => {
    expect(cefHeader('a|b\\c\nd')).toBe('a\\|b\\\\c d');
    expect(cefValue('a=b\\c|d\r\ne')).toBe('a\\=b\\\\c|d\\r\\ne');
  });

  it('formats an authentication (fraud is high severity, success low)', () => {
    expect(formatCef(sampleEvent('auth-fraud-ip-port'))).toBe(
      `CEF:0|Cisco|Duo|${version}|auth:fraud|Duo authentication fraud|9|rt=1700000123000 suser=jdoe suid=DU9I6T0F7R5Y4Z3X2W1V src=203.0.113.50 spt=51432 shost=kiosk-7.example.com act=duo_push outcome=fraud reason=user_marked_fraud requestClientApplication=Firefox externalId=b7c2e0a1-0f6f-4c8e-9a53-6a1d3e2f9c10 cs3Label=application cs3=VPN cs4Label=authDevice cs4=+1 555-0100 cs1Label=duowatchId cs1=id-auth-fraud-ip-port cs2Label=duoLog cs2=auth cs5Label=organization cs5=acme`,
    );
    expect(formatCef(sampleEvent('auth-success'))).toMatch(/\|auth:success\|Duo authentication success\|3\|/);
  });

  it('escapes = and \\ inside admin descriptions and keeps | unescaped in the extension', () => {
    const e = sampleEvent('admin-user-update');
    const cef = formatCef({ ...e, raw: { ...e.raw, description: 'a=b | c\\d\nnext', object: 'x|y' } });
    expect(cef).toContain('duser=x|y act=user_update msg=a\\=b | c\\\\d\\nnext ');
    expect(cef).not.toContain('\n');
    expect(cef.split('|').slice(0, 7)).toEqual([
      'CEF:0',
      'Cisco',
      'Duo',
      version,
      'admin:user_update',
      'Duo administrator action user_update',
      '3',
    ]);
  });

  it('formats every log type with a severity of its own', () => {
    const sev = (n: string) => formatCef(sampleEvent(n)).split('|')[6];
    expect(sev('trust-monitor-auth')).toBe('8');
    expect(sev('trust-monitor-bypass-status')).toBe('6');
    expect(sev('admin-login-error')).toBe('6');
    expect(sev('activity-user-string-action')).toBe('5');
    expect(sev('telephony-v2-sms')).toBe('2');
    expect(formatCef(sampleEvent('offline-enrollment'))).toContain(
      'suser=narroway dhost=WKSW10x64 act=o2fa_user_provisioned requestClientApplication=DuoCredProv/4.0.6.413 (Windows NT 6.3.9600; x64; Server) cs3Label=integration cs3=Acme Laptop Windows Logon',
    );
    expect(formatCef(sampleEvent('trust-monitor-auth'))).toContain(
      'duser=amanda_tucker src=17.88.232.83 act=auth msg=amanda_tucker has not logged in from this location recently. request=https://admin-abcd1234.duosecurity.com/trust-monitor?sekey\\=SEDOR9BP00L23C6YUH5',
    );
  });
});
