/**
 * The composition root: the list of capabilities and what the service, the CLI and the store take from it.
 * Capabilities never import each other through here; they meet only in `serve`'s wiring.
 */
import type { Migration } from 'kysely';
import type { DialectAdapter, Store } from '../store/index.js';
import type { Config } from '../config/index.js';
import type { ExportSectionProvider } from '../evidence/index.js';
import { capabilities } from './capabilities.js';

export { capabilities } from './capabilities.js';
export type * from './shared.js';
export { raiserOf } from './shared.js';
export { createLogEventHub } from './event-hub.js';
export type { Capability, CapabilityContext, RegisterCommand, StartedCapability } from './capability.js';

/** Every capability's contribution to the evidence export, for the services (`createServices`). */
export function capabilityExportSections(deps: { store: Store; config: Config }): ExportSectionProvider[] {
  return capabilities.flatMap((c) => (c.exportSections === undefined ? [] : [c.exportSections(deps)]));
}

/** Every capability's migrations, for `openStore` (which runs them with the core's, ordered by name). */
export function capabilityMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const out: Record<string, Migration> = {};
  for (const c of capabilities) {
    for (const [name, m] of Object.entries(c.migrations?.(adapter) ?? {})) {
      if (name in out) throw new Error(`migration ${name} is declared twice (capability ${c.name})`);
      out[name] = m;
    }
  }
  return out;
}
