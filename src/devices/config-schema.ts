import { Cron } from 'croner';
import { z } from 'zod';

const cron = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a valid cron pattern: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  });

/** One scheduled sync: an integration of an organization and where its fleet export is read from. */
export const deviceSyncSourceSchema = z
  .strictObject({
    org: z.string().min(1).describe('organization slug'),
    integration: z.string().min(1).describe('Device API integration id or label'),
    os: z.enum(['windows', 'macos', 'linux']).optional().describe('the OS the integration was created for'),
    file: z.string().min(1).optional().describe('path of the export (relative to the working directory)'),
    url: z
      .string()
      .url()
      .optional()
      .describe('https URL of the export; must start with an allowedUrls entry'),
    format: z.enum(['auto', 'csv', 'json', 'intune', 'jamf']).default('auto'),
    deviceIdColumn: z.string().min(1).optional(),
    skipInvalid: z.boolean().default(false),
    schedule: cron.optional().describe('cron in UTC; default devices.schedule'),
  })
  .refine((s) => (s.file === undefined) !== (s.url === undefined), 'give exactly one of file or url');

export const devicesConfigSchema = z
  .strictObject({
    schedule: cron
      .default('15 2 * * *')
      .describe('daily trusted-endpoint sync (Duo recommends daily), cron in UTC'),
    shrinkThreshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe('refuse a sync that would remove more than this fraction of the active devices'),
    staleAfterHours: z.number().positive().default(48).describe('alert when a cache is older than this'),
    allowedUrls: z
      .array(z.string().url())
      .default([])
      .describe('URL prefixes a sync source may be read from'),
    maxInputMiB: z.number().int().min(1).max(1024).default(32).describe('largest export read or uploaded'),
    syncs: z.array(deviceSyncSourceSchema).default([]).describe('scheduled syncs'),
  })
  .default({
    schedule: '15 2 * * *',
    shrinkThreshold: 0.5,
    staleAfterHours: 48,
    allowedUrls: [],
    maxInputMiB: 32,
    syncs: [],
  });

export type DevicesConfig = z.output<typeof devicesConfigSchema>;
export type DeviceSyncSource = z.output<typeof deviceSyncSourceSchema>;
