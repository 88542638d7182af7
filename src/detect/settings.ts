import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';
import type { LogStream } from '../app/index.js';
import type { DetectConfig, RuleOverride } from './config-schema.js';
import { DetectError } from './errors.js';
import { inIPv4Net, parseIPv4, type IPv4Net } from './ipv4.js';
import { LastAnswer } from './last-answer.js';
import type { AllowLists, Rule, RuleSettings } from './rule.js';
import { historyParams, MINUTE } from './rule.js';

// ipaddr.js is CommonJS without a default export under our module settings (as in src/duo/transport).
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** The rules one organization runs, with their settings, grouped by stream for the engine's hot path. */
export interface OrgRules {
  readonly enabled: boolean;
  readonly byStream: ReadonlyMap<LogStream, readonly { rule: Rule; settings: RuleSettings }[]>;
  readonly allow: AllowLists;
}

/**
 * Phishing-resistant or app-bound factors; SMS and phone calls are phishable, so they are not here. The auth log
 * writes `webauthn`, `u2f_token`, `yubikey_passcode`, `hardware_token` and `digipass_go_7_token` (docs/duo-wire.md);
 * the longer WebAuthn and YubiKey names are what other Duo APIs call them, kept so a configuration naming them works.
 */
export const DEFAULT_ALLOWED_FACTORS = [
  'duo_push',
  'verified_duo_push',
  'duo_mobile_passcode',
  'duo_mobile_passcode_hotp',
  'duo_mobile_passcode_totp',
  'webauthn',
  'yubikey_passcode',
  'digipass_go_7_token',
  'webauthn_credential',
  'webauthn_chrome_touchid',
  'webauthn_security_key',
  'u2f_token',
  'hardware_token',
  'yubikey_code',
  'platform_authenticator',
];

export const defaultDetectConfig: DetectConfig = { enabled: true, rules: {}, allow: {}, orgs: {} };

function settingsOf(
  rule: Rule,
  ...overrides: (RuleOverride | undefined)[]
): RuleSettings & { enabled: boolean } {
  let enabled = true;
  let threshold = rule.threshold ?? 1;
  let windowMs = rule.windowMs ?? 0;
  let suppressionMs = rule.suppressionMs;
  let params = { ...rule.params };
  for (const o of overrides) {
    if (o === undefined) continue;
    if (o.enabled !== undefined) enabled = o.enabled;
    if (o.threshold !== undefined) threshold = o.threshold;
    if (o.windowMinutes !== undefined) windowMs = o.windowMinutes * MINUTE;
    if (o.suppressionMinutes !== undefined) suppressionMs = o.suppressionMinutes * MINUTE;
    if (o.params !== undefined) params = { ...params, ...o.params };
  }
  return { enabled, threshold, windowMs, suppressionMs, params, history: historyParams(params) };
}

function cidrMatcher(cidrs: readonly string[]): (ip: string | null) => boolean {
  const ranges = cidrs.map((c) => {
    try {
      return c.includes('/') ? ipaddr.parseCIDR(c) : ([ipaddr.parse(c), c.includes(':') ? 128 : 32] as const);
    } catch (error) {
      throw new DetectError('detect.bad_network', `detect: "${c}" is not an IP address or CIDR`, {
        cause: error,
      });
    }
  });
  if (ranges.length === 0) return () => false;
  // The IPv4 networks as numbers: an address not met before is read by `parseIPv4` (docs/detect.md "Throughput,
  // eighth pass"); an IPv4 address never matches an IPv6 network, as with `ipaddr.js`.
  const v4: IPv4Net[] = ranges
    .filter(([net]) => net.kind() === 'ipv4')
    .map(([net, bits]) => ({ base: parseIPv4(net.toString()), bits }));
  const cache = new Map<string, boolean>();
  // Several rules and the engine's learning ask about the same event's address in a row: one entry answers
  // them without a lookup.
  let lastIp: string | null = null;
  let lastAnswer = false;
  return (ip) => {
    if (ip === null) return false;
    if (ip === lastIp) return lastAnswer;
    lastIp = ip;
    lastAnswer = answer(ip);
    return lastAnswer;
  };
  function answer(ip: string): boolean {
    const hit = cache.get(ip);
    if (hit !== undefined) return hit;
    const addr4 = parseIPv4(ip);
    const yes = addr4 >= 0 ? v4.some((net) => inIPv4Net(addr4, net)) : parsedMatch(ip);
    if (cache.size > 10_000) cache.clear();
    cache.set(ip, yes);
    return yes;
  }
  /** Any other form (IPv6, an IPv4-mapped IPv6 address, octal parts) as `ipaddr.js` reads it. */
  function parsedMatch(ip: string): boolean {
    try {
      let addr = ipaddr.parse(ip);
      if (addr.kind() === 'ipv6' && (addr as IpAddr.IPv6).isIPv4MappedAddress())
        addr = (addr as IpAddr.IPv6).toIPv4Address();
      return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
    } catch {
      return false;
    }
  }
}

/** Validates the configuration against the catalogue: an unknown rule id or network is an error, not ignored. */
export function checkDetectConfig(config: DetectConfig, catalogue: readonly Rule[]): string[] {
  const ids = new Set(catalogue.map((r) => r.id));
  const problems: string[] = [];
  const check = (rules: Record<string, RuleOverride> | undefined, where: string) => {
    for (const [id, o] of Object.entries(rules ?? {})) {
      const rule = catalogue.find((r) => r.id === id);
      if (!ids.has(id) || rule === undefined) {
        problems.push(`${where}.rules: unknown rule "${id}"`);
        continue;
      }
      for (const p of Object.keys(o.params ?? {}))
        if (!(p in rule.params)) problems.push(`${where}.rules.${id}.params: unknown parameter "${p}"`);
    }
  };
  check(config.rules, 'detect');
  for (const [slug, o] of Object.entries(config.orgs)) check(o.rules, `detect.orgs.${slug}`);
  for (const n of [
    ...(config.allow.trustedNetworks ?? []),
    ...Object.values(config.orgs).flatMap((o) => o.allow?.trustedNetworks ?? []),
  ]) {
    try {
      cidrMatcher([n]);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

/** Resolves the rule set of one organization (by slug): global settings, then the organization's. */
export function orgRules(config: DetectConfig, catalogue: readonly Rule[], slug: string): OrgRules {
  const org = config.orgs[slug];
  const byStream = new Map<LogStream, { rule: Rule; settings: RuleSettings }[]>();
  for (const rule of catalogue) {
    const { enabled, ...settings } = settingsOf(rule, config.rules[rule.id], org?.rules?.[rule.id]);
    if (!enabled) continue;
    for (const s of rule.streams) {
      const list = byStream.get(s) ?? [];
      list.push({ rule, settings });
      byStream.set(s, list);
    }
  }
  const factors = new Set(
    [...(config.allow.factors ?? DEFAULT_ALLOWED_FACTORS), ...(org?.allow?.factors ?? [])].map((f) =>
      f.toLowerCase(),
    ),
  );
  // The last answer kept: the engine hands the same factor string from event to event (detect-event.ts).
  const allowed = new LastAnswer((f) => factors.has(f));
  const services = new Set([...(config.allow.serviceAccounts ?? []), ...(org?.allow?.serviceAccounts ?? [])]);
  const trusted = cidrMatcher([
    ...(config.allow.trustedNetworks ?? []),
    ...(org?.allow?.trustedNetworks ?? []),
  ]);
  return {
    enabled: config.enabled && org?.enabled !== false,
    byStream,
    allow: {
      trustedIp: trusted,
      // Most organizations list none: no hash of the user's name per event then.
      serviceAccount: services.size === 0 ? () => false : (u) => u !== null && services.has(u),
      allowedFactor: (f) => f !== null && allowed.of(f),
    },
  };
}
