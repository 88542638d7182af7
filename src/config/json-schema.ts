import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of the configuration file, generated from the zod schema (checked in as schema/config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/duowatch/duowatch/schema/config.schema.json',
    title: 'duowatch configuration',
  };
}
