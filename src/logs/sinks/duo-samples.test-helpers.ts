import type { CollectedEvent, LogStream } from '../../app/index.js';

/**
 * Realistic Duo events, one or more per log type, shaped like the examples in Duo's Admin API documentation and
 * Elastic's cisco_duo sample events (docs/log-sinks.md lists the fields we rely on).
 */
export const duoSamples: Record<string, { stream: LogStream; ts: number; raw: Record<string, unknown> }> = {
  'auth-success': {
    stream: 'auth',
    ts: 1581620180351,
    raw: {
      access_device: {
        browser: 'Chrome',
        browser_version: '67.0.3396.99',
        flash_version: 'uninstalled',
        hostname: null,
        ip: '169.232.89.219',
        is_encryption_enabled: true,
        is_firewall_enabled: true,
        is_password_set: true,
        java_version: 'uninstalled',
        location: { city: 'Ann Arbor', country: 'United States', state: 'Michigan' },
        os: 'Mac OS X',
        os_version: '10.14.1',
        security_agents: null,
      },
      alias: '',
      application: { key: 'DIY231J8BR23QK4UKBY8', name: 'Microsoft Azure Active Directory' },
      auth_device: {
        ip: '192.168.225.254',
        location: { city: 'Ann Arbor', country: 'United States', state: 'Michigan' },
        name: 'My iPhone X (734-555-2342)',
      },
      email: 'narroway@example.com',
      event_type: 'authentication',
      factor: 'duo_push',
      isotimestamp: '2020-02-13T18:56:20.351346+00:00',
      ood_software: null,
      reason: 'user_approved',
      result: 'success',
      timestamp: 1581620180,
      trusted_endpoint_status: 'not trusted',
      txid: '340a23e3-23f3-4f5c-8b2a-2b9b5a3c1e2f',
      user: {
        groups: ['Duo Users', 'CorpHQ Users'],
        key: 'DU3KC77WJ06Y5HIV7XKQ',
        name: 'narroway@example.com',
      },
    },
  },
  'auth-fraud-ip-port': {
    stream: 'auth',
    ts: 1700000123000,
    raw: {
      access_device: {
        browser: 'Firefox',
        hostname: 'kiosk-7.example.com',
        ip: '203.0.113.50:51432',
        os: 'Windows',
        os_version: '10',
      },
      application: { key: 'DIY231J8BR23QK4UKBY8', name: 'VPN' },
      auth_device: { ip: null, name: '+1 555-0100' },
      email: '',
      event_type: 'authentication',
      factor: 'duo_push',
      isotimestamp: '2023-11-14T22:15:23.000000+00:00',
      reason: 'user_marked_fraud',
      result: 'fraud',
      timestamp: 1700000123,
      txid: 'b7c2e0a1-0f6f-4c8e-9a53-6a1d3e2f9c10',
      user: { groups: [], key: 'DU9I6T0F7R5Y4Z3X2W1V', name: 'jdoe' },
    },
  },
  'admin-user-update': {
    stream: 'admin',
    ts: 1579878582000,
    raw: {
      action: 'user_update',
      description:
        '{"notes": "Joe asked for their nickname to be displayed instead of Joseph.", "realname": "Joe Smith"}',
      isotimestamp: '2020-01-24T15:09:42+00:00',
      object: 'jsmith',
      timestamp: 1579878582,
      username: 'admin',
    },
  },
  'admin-login-error': {
    stream: 'admin',
    ts: 1626781291000,
    raw: {
      action: 'admin_login_error',
      description:
        '{"ip_address": "198.51.100.23", "error": "SAML login is disabled", "email": "narroway@example.com"}',
      isotimestamp: '2021-07-20T11:41:31+00:00',
      object: null,
      timestamp: 1626781291,
      username: '',
    },
  },
  'telephony-v2-sms': {
    stream: 'telephony',
    ts: 1666714442000,
    raw: {
      context: 'authentication',
      credits: 1,
      phone: '+15555551212',
      telephony_id: '220a8c2a-8b21-4b9e-9d1f-6a3b1b0e4c77',
      ts: '2022-10-25T16:14:02.000000+00:00',
      txid: 'ce1f2c3d-5a4b-4c3d-9e8f-7a6b5c4d3e2f',
      type: 'sms',
    },
  },
  'activity-admin-login': {
    stream: 'activity',
    ts: 1666714447046,
    raw: {
      access_device: {
        browser: 'Chrome',
        browser_version: '105.0.0.0',
        ip: { address: '192.168.1.1' },
        location: { city: 'Ann Arbor', country: 'United States', state: 'Michigan' },
        os: 'Mac OS X',
        os_version: '10.15.7',
      },
      action: { details: null, name: 'admin_login' },
      activity_id: 'ea9bd4c8-95e1-4f2b-9a3d-0b8d16e3f0a5',
      actor: {
        details:
          '{"created": "2022-10-25T16:14:07+00:00", "last_login": "2022-10-25T16:14:07+00:00", "status": "Active"}',
        key: 'DEHF0PNU2GMJO6IDRYUQ',
        name: 'narroway@example.com',
        type: 'admin',
      },
      akey: 'DA7WS1MP5G9W0XE83RQ2',
      application: null,
      old_target: null,
      outcome: { result: 'SUCCESS' },
      target: null,
      ts: '2022-10-25T16:14:07.046313+00:00',
    },
  },
  'activity-user-string-action': {
    stream: 'activity',
    ts: 1666714500000,
    raw: {
      access_device: { ip: { address: '198.51.100.9' }, epkey: 'EP18JX1A10AB102M2T2X' },
      action: 'user_update',
      activity_id: '0c9a6b52-3f1e-4d7a-8e22-5b1c9d0e4f33',
      actor: { key: 'DU3KC77WJ06Y5HIV7XKQ', name: 'narroway', type: 'user' },
      akey: 'DA7WS1MP5G9W0XE83RQ2',
      application: { key: 'DIY231J8BR23QK4UKBY8', name: 'Duo Central', type: 'Web SDK' },
      old_target: {
        details: '{"status": "active"}',
        key: 'DU3KC77WJ06Y5HIV7XKQ',
        name: 'narroway',
        type: 'user',
      },
      outcome: 'FAILURE',
      target: {
        details: '{"status": "disabled"}',
        key: 'DU3KC77WJ06Y5HIV7XKQ',
        name: 'narroway',
        type: 'user',
      },
      ts: '2022-10-25T16:15:00.000000+00:00',
    },
  },
  'trust-monitor-auth': {
    stream: 'trust_monitor',
    ts: 1675893605269,
    raw: {
      explanations: [
        { summary: 'amanda_tucker has not logged in from this location recently.', type: 'NEW_COUNTRY_CODE' },
      ],
      from_common_netblock: true,
      from_new_user: false,
      low_risk_ip: false,
      priority_event: true,
      priority_reasons: [{ label: 'CN', type: 'country' }],
      sekey: 'SEDOR9BP00L23C6YUH5',
      state: 'new',
      state_updated_timestamp: null,
      surfaced_auth: {
        access_device: {
          ip: '17.88.232.83',
          location: { city: 'Beijing', country: 'China', state: 'Beijing' },
        },
        application: { key: 'DIUQ2XXMMBG7ABTQ5FZ7', name: 'Microsoft Azure Active Directory' },
        factor: 'not_available',
        isotimestamp: '2020-04-06T18:58:59.180000+00:00',
        reason: 'location_restricted',
        result: 'denied',
        timestamp: 1586199539,
        txid: '2f0a9d8e-1b2c-4d3e-8f7a-6b5c4d3e2f10',
        user: { key: 'DUN73JE5M92DP00L4ZYS', name: 'amanda_tucker' },
      },
      surfaced_timestamp: 1675893605269,
      triage_event_uri: 'https://admin-abcd1234.duosecurity.com/trust-monitor?sekey=SEDOR9BP00L23C6YUH5',
      triaged_as_interesting: false,
      type: 'auth',
    },
  },
  'trust-monitor-bypass-status': {
    stream: 'trust_monitor',
    ts: 1675893700000,
    raw: {
      bypass_status_enabled: 1675893700000,
      enabled_by: { key: 'DEHF0PNU2GMJO6IDRYUQ', name: 'Admin Narroway' },
      enabled_for: { key: 'DUN73JE5M92DP00L4ZYS', name: 'amanda_tucker' },
      explanations: [{ summary: 'A bypass status was set on a user.', type: 'BYPASS_STATUS' }],
      priority_event: false,
      priority_reasons: [],
      sekey: 'SEKCX1MC2ZQ7WJX7IAH9',
      state: 'new',
      surfaced_timestamp: 1675893700000,
      triage_event_uri: 'https://admin-abcd1234.duosecurity.com/trust-monitor?sekey=SEKCX1MC2ZQ7WJX7IAH9',
      triaged_as_interesting: false,
      type: 'bypass_status',
    },
  },
  'offline-enrollment': {
    stream: 'offline_enrollment',
    ts: 1567181405000,
    raw: {
      action: 'o2fa_user_provisioned',
      description:
        '{"user_agent": "DuoCredProv/4.0.6.413 (Windows NT 6.3.9600; x64; Server)", "hostname": "WKSW10x64", "factor": "duo_otp"}',
      isotimestamp: '2019-08-30T16:10:05+00:00',
      object: 'Acme Laptop Windows Logon',
      timestamp: 1567181405,
      username: 'narroway',
    },
  },
};

export function sampleEvent(name: string): CollectedEvent {
  const s = duoSamples[name];
  if (!s) throw new Error(`no sample ${name}`);
  return { id: `id-${name}`, stream: s.stream, orgId: 'org_1', orgSlug: 'acme', ts: s.ts, raw: s.raw };
}
