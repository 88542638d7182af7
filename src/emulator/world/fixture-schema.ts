/**
 * Tenant fixtures: a YAML or JSON file listing users, admins, groups, policies and settings explicitly, or
 * counts (`generate: {active: 95, bypass: 5}`) so a test can build an exact case in a few lines.
 */
import { z } from 'zod';

const userStatus = z.enum(['active', 'bypass', 'disabled', 'locked out', 'pending deletion']);
export const FACTOR_SHORTHANDS = [
  'push',
  'phone',
  'sms',
  'landline',
  'hardware_token',
  'totp_token',
  'yubikey',
  'webauthn',
  'u2f',
  'desktop',
] as const;
const factor = z.enum(FACTOR_SHORTHANDS);

const behaviour = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('approve'), afterS: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal('deny'), afterS: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal('ignore') }),
  z.strictObject({ kind: z.literal('fraud'), afterS: z.number().min(0).optional() }),
]);

const fixtureUser = z.strictObject({
  username: z.string().min(1),
  user_id: z
    .string()
    .regex(/^DU[A-Z0-9]{18}$/, 'a user id is DU followed by 18 upper-case letters or digits')
    .optional(),
  status: userStatus.default('active'),
  realname: z.string().optional(),
  email: z.string().optional(),
  /** factors to attach; [] means not enrolled; absent means generated */
  factors: z.array(factor).optional(),
  groups: z.array(z.string()).optional(),
  last_login: z.number().int().nonnegative().nullable().optional(),
  behaviour: behaviour.optional(),
});

const adminRole = z.enum([
  'Owner',
  'Administrator',
  'Application Manager',
  'User Manager',
  'Help Desk',
  'Billing',
  'Phishing Manager',
  'Read-only',
]);
const fixtureAdmin = z.strictObject({
  name: z.string().min(1),
  email: z.string().min(1),
  role: adminRole.default('Administrator'),
  status: z.enum(['Active', 'Disabled', 'Expired', 'Pending Activation']).default('Active'),
  last_login: z.number().int().nonnegative().nullable().optional(),
});

const authPolicy = z.enum(['enforce', 'bypass', 'deny']);
const newUser = z.enum(['enroll', 'deny', 'no-mfa']);
const policyBody = z.strictObject({
  authentication_policy: authPolicy.optional(),
  new_user_behavior: newUser.optional(),
  /** extra or overriding policies-v2 sections, verbatim */
  sections: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const counts = z.strictObject({
  active: z.number().int().nonnegative().default(0),
  bypass: z.number().int().nonnegative().default(0),
  disabled: z.number().int().nonnegative().default(0),
  locked_out: z.number().int().nonnegative().default(0),
  pending_deletion: z.number().int().nonnegative().default(0),
  /** how many of the generated users have at least one factor; default: all */
  enrolled: z.number().int().nonnegative().optional(),
});

export const tenantFixtureSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    seed: z.string().min(1).optional(),
    generate: counts.optional(),
    users: z.array(fixtureUser).optional(),
    admins: z.array(fixtureAdmin).optional(),
    groups: z.array(z.strictObject({ name: z.string().min(1), desc: z.string().optional() })).optional(),
    policies: z
      .strictObject({
        global: policyBody.optional(),
        applications: z.array(policyBody.extend({ name: z.string().min(1) })).optional(),
      })
      .optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    logs: z.strictObject({ authsPerUserPerDay: z.number().min(0).max(1000).optional() }).optional(),
  })
  .superRefine((f, ctx) => {
    // Cross-field rules, reported alongside the shape problems so a user sees everything at once.
    const seen = new Map<string, number>();
    f.users?.forEach((u, i) => {
      const prev = seen.get(u.username);
      if (prev !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'username'],
          message: `duplicate of users[${prev}]`,
        });
      seen.set(u.username, i);
    });
    const groupNames = new Set((f.groups ?? []).map((g) => g.name));
    f.users?.forEach((u, i) =>
      u.groups?.forEach((g, j) => {
        if (!groupNames.has(g))
          ctx.addIssue({ code: 'custom', path: ['users', i, 'groups', j], message: `unknown group "${g}"` });
      }),
    );
    const g = f.generate;
    if (g?.enrolled !== undefined) {
      const total = g.active + g.bypass + g.disabled + g.locked_out + g.pending_deletion;
      if (g.enrolled > total)
        ctx.addIssue({
          code: 'custom',
          path: ['generate', 'enrolled'],
          message: `enrolled (${g.enrolled}) exceeds the generated users (${total})`,
        });
    }
    const s = f.settings;
    if (s !== undefined) {
      const t = s['lockout_threshold'];
      if (t !== undefined && !(Number.isInteger(t) && (t as number) >= 0))
        ctx.addIssue({
          code: 'custom',
          path: ['settings', 'lockout_threshold'],
          message: 'must be an integer >= 0',
        });
    }
  });

export type TenantFixture = z.output<typeof tenantFixtureSchema>;
export type FixtureUser = z.output<typeof fixtureUser>;
export type FactorShorthand = (typeof FACTOR_SHORTHANDS)[number];
