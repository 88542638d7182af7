import { capabilityMigrations } from '../../../app/index.js';
import { loadConfig, storeOptions } from '../../../config/index.js';
import { openStore, rotateKeys } from '../../../store/index.js';
import { printJson, type CliIo, type GlobalOptions } from '../../io.js';

export async function runRotate(io: CliIo, opts: GlobalOptions & { keepOld?: boolean }): Promise<void> {
  const config = await loadConfig({
    file: opts.config,
    env: io.env,
    cwd: process.cwd(),
    overrides: { dataDir: opts.dataDir },
  });
  const store = await openStore({ ...storeOptions(config, io.env), migrations: capabilityMigrations });
  try {
    const result = await rotateKeys(store, { keepOld: opts.keepOld === true });
    await store.auditLog.append({
      actor: 'cli',
      action: 'keys.rotate',
      target: result.newKeyId,
      details: { reEncrypted: result.reEncrypted, retiredKeyIds: result.retiredKeyIds },
    });
    if (opts.json === true) {
      printJson(io, result);
      return;
    }
    io.stdout.write(`new key ${result.newKeyId}; re-encrypted ${result.reEncrypted} integration(s)\n`);
    io.stdout.write(
      result.retiredKeyIds.length > 0
        ? `retired ${result.retiredKeyIds.join(', ')}; restart running duowatch processes so they load the new key\n`
        : `old keys kept in ${result.keyFile}\n`,
    );
  } finally {
    await store.close();
  }
}
