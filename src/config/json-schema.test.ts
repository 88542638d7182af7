import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, envMappings } from './index.js';

const checkedIn = fileURLToPath(new URL('../../schema/config.schema.json', import.meta.url));

describe('schema/config.schema.json', () => {
  it('matches the zod schema (regenerate with UPDATE_CONFIG_SCHEMA=1 npx vitest run src/config)', async () => {
    const generated = JSON.stringify(configJsonSchema(), null, 2) + '\n';
    if (process.env['UPDATE_CONFIG_SCHEMA'] === '1') await writeFile(checkedIn, generated);
    // Compared as data, so running prettier over the checked-in file does not count as drift.
    expect(JSON.parse(await readFile(checkedIn, 'utf8'))).toEqual(JSON.parse(generated));
  });

  it('documents every environment variable in docs/configuration.md', async () => {
    const docs = await readFile(
      fileURLToPath(new URL('../../docs/configuration.md', import.meta.url)),
      'utf8',
    );
    for (const m of envMappings) expect(docs, m.env).toContain(m.env);
  });
});
