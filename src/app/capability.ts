import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Migration } from 'kysely';
import type { Command } from 'commander';
import type { CliIo } from '../cli/io.js';
import type { Config } from '../config/index.js';
import type { JobDefinition, Scheduler } from '../scheduler/index.js';
import type { AppEnv, ServerDeps } from '../server/context.js';
import type { DuoClients, DuowatchServices, EvidenceJobs } from '../services/index.js';
import type { ExportSectionProvider } from '../evidence/index.js';
import type { DialectAdapter, Store, StoreLogger } from '../store/index.js';
import type { SharedServices } from './shared.js';
import type { Emulator, TenantCredentials } from '../emulator/index.js';

/**
 * What the running service hands a capability when it starts. Everything is injected: a capability never
 * opens its own store, client pool or clock, so tests start it over the same parts `serve` uses.
 */
export interface CapabilityContext {
  readonly config: Config;
  readonly store: Store;
  readonly clients: DuoClients;
  readonly services: DuowatchServices & EvidenceJobs;
  readonly logger: StoreLogger & { error(obj: object, msg?: string): void };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: () => Date;
  /** The built-in emulator tenant when `serve` runs the demo, else null. */
  readonly demo: { readonly emulator: Emulator; readonly credentials: TenantCredentials } | null;
  /** What capabilities offer each other (log events, alerts, and what earlier capabilities provided). */
  readonly shared: SharedServices;
}

/** A CLI command folder's `register`: declares the command; its work is imported lazily in the action. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

/** A capability once started inside `serve`: its jobs, its REST routes, and what to stop. */
export interface StartedCapability {
  /** Registered on the scheduler before it starts (one engine: local with SQLite, pg-boss on PostgreSQL). */
  readonly jobs?: readonly JobDefinition[];
  /** Mounts the capability's routes on the REST app (the server's guards and error shape apply). */
  mountRoutes?(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void;
  /** Runs once the scheduler is started (e.g. a first demo collection). */
  afterStart?(scheduler: Scheduler): Promise<void>;
  /** Services this capability offers the ones started after it (e.g. health's `failMode`). */
  readonly provides?: Partial<Omit<SharedServices, 'logEvents'>>;
  /** Lines for the person who ran `serve` (where to look); printed after the URL. */
  readonly startupLines?: readonly string[];
  close?(): Promise<void>;
}

/**
 * One capability's door, as the composition root (`src/app/capabilities.ts`) sees it. Keep the module that
 * exports it light: commands load their work lazily, and `start` imports what it needs.
 */
export interface Capability {
  readonly name: string;
  /** Migrations this capability owns; names start with a number so they sort where they apply. */
  migrations?(adapter: DialectAdapter): Record<string, Migration>;
  /** CLI commands (`register(program, io)` as every command folder exports). */
  readonly commands?: readonly RegisterCommand[];
  start?(ctx: CapabilityContext): Promise<StartedCapability>;
  /**
   * Tables this capability adds to the compliance evidence export, read from the store and the configuration
   * (so `duowatch evidence export` has them without `serve` running).
   */
  exportSections?(deps: { store: Store; config: Config }): ExportSectionProvider;
}
