import type { AlertSeverity, CollectedEvent } from '../app/index.js';
import {
  emptyOrgBaseline,
  emptyUserBaseline,
  KEEP_DAYS,
  MAX_COUNTRIES,
  MAX_IPS,
  memoryBaselineStore,
  prune,
  touch,
  type BaselineRow,
  type BaselineStore,
  type OrgBaseline,
  type UserBaseline,
} from './baseline.js';
import type { DetectConfig } from './config-schema.js';
import { parseDescription, toDetectEvent, type DetectEvent } from './detect-event.js';
import { noGeo, type GeoLookup } from './geo.js';
import {
  DAY,
  HOUR,
  type EntityState,
  type Rule,
  type RuleContext,
  type RuleSettings,
  type TriageField,
} from './rule.js';
import { catalogue as defaultCatalogue } from './rules/index.js';
import { defaultDetectConfig, orgRules, type OrgRules } from './settings.js';
import { DistinctWindow, SlidingWindow } from './sliding-window.js';

/** One rule firing on one event, before folding (the alert store and `foldDetections` fold the same way). */
export interface Detection {
  readonly rule: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly mitre: string;
  readonly orgId: string;
  readonly orgSlug: string;
  readonly entity: string;
  /** Event time of the event that made it fire. */
  readonly ts: number;
  readonly eventIds: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;
  readonly dedupeKey: string;
  readonly suppressionMs: number;
}

export interface EngineOptions {
  config?: DetectConfig;
  catalogue?: readonly Rule[];
  baselines?: BaselineStore;
  geo?: GeoLookup;
  /** Entity state idle this long (event time) is dropped; its baseline is already saved. Default 26 h. */
  idleMs?: number;
  /** Hard cap on users/administrators held in memory per organization. Default 250,000. */
  maxEntities?: number;
}

export interface EngineStats {
  readonly events: number;
  readonly detections: number;
  readonly entities: number;
  readonly evicted: number;
}

export interface DetectEngine {
  /**
   * Runs every enabled rule over the events, in the order given (the collector's order per organization and
   * stream). Loads the baselines of the batch's users first and saves what changed afterwards.
   */
  process(events: readonly CollectedEvent[]): Promise<Detection[]>;
  stats(): EngineStats;
}

interface UserEntity extends EntityState {
  baseline: UserBaseline | null;
  /** Persisted `lastSeen` values may lag by up to an hour; new keys and counts are saved at once. */
  dirty: boolean;
}

interface OrgRuntime {
  readonly orgId: string;
  readonly rules: OrgRules;
  readonly state: EntityState;
  baseline: OrgBaseline | null;
  baselineLoaded: boolean;
  baselineDirty: boolean;
  readonly users: Map<string, UserEntity>;
  readonly admins: Map<string, EntityState>;
}

const newState = (ts: number): EntityState => ({ lastTs: ts, windows: new Map(), distincts: new Map() });

export function createEngine(options: EngineOptions = {}): DetectEngine {
  const config = options.config ?? defaultDetectConfig;
  const catalogue = options.catalogue ?? defaultCatalogue;
  const store = options.baselines ?? memoryBaselineStore();
  const geo = options.geo ?? noGeo;
  const idleMs = options.idleMs ?? 26 * HOUR;
  const maxEntities = options.maxEntities ?? 250_000;
  const orgs = new Map<string, OrgRuntime>();
  let events = 0;
  let detections = 0;
  let evicted = 0;
  let sinceSweep = 0;
  let maxTs = 0;

  const orgOf = (e: CollectedEvent): OrgRuntime => {
    let o = orgs.get(e.orgId);
    if (o === undefined) {
      o = {
        orgId: e.orgId,
        rules: orgRules(config, catalogue, e.orgSlug),
        state: newState(e.ts),
        baseline: null,
        baselineLoaded: false,
        baselineDirty: false,
        users: new Map(),
        admins: new Map(),
      };
      orgs.set(e.orgId, o);
    }
    return o;
  };

  /** The user key an auth or Trust Monitor event is about (null for other streams). */
  const userKeyOf = (e: CollectedEvent): string | null => {
    if (e.stream !== 'auth') return null;
    const u = e.raw['user'] as { key?: unknown; name?: unknown } | undefined;
    const key = u?.key ?? u?.name;
    return typeof key === 'string' && key !== '' ? key : null;
  };

  async function loadBaselines(batch: readonly CollectedEvent[]): Promise<void> {
    const missing = new Map<OrgRuntime, Set<string>>();
    for (const e of batch) {
      const o = orgOf(e);
      const key = userKeyOf(e);
      if (key === null || o.users.has(key)) continue;
      const set = missing.get(o) ?? new Set<string>();
      set.add(key);
      missing.set(o, set);
    }
    for (const o of new Set(batch.map(orgOf))) {
      if (o.baselineLoaded) continue;
      const found = await store.load(o.orgId, 'org', ['org']);
      o.baseline = (found.get('org') as OrgBaseline | undefined) ?? null;
      o.baselineLoaded = true;
    }
    for (const [o, keys] of missing) {
      const found = await store.load(o.orgId, 'user', [...keys]);
      for (const key of keys) {
        const u: UserEntity = {
          ...newState(0),
          baseline: (found.get(key) as UserBaseline | undefined) ?? null,
          dirty: false,
        };
        o.users.set(key, u);
      }
    }
  }

  async function saveBaselines(): Promise<void> {
    const rows: BaselineRow[] = [];
    for (const o of orgs.values()) {
      if (o.baselineDirty && o.baseline !== null) {
        rows.push({ orgId: o.orgId, kind: 'org', key: 'org', data: o.baseline });
        o.baselineDirty = false;
      }
      for (const [key, u] of o.users) {
        if (!u.dirty || u.baseline === null) continue;
        rows.push({ orgId: o.orgId, kind: 'user', key, data: u.baseline });
        u.dirty = false;
      }
    }
    if (rows.length > 0) await store.save(rows);
  }

  /** Drops idle entities (their baselines were saved by the batch before), then enforces the cap. */
  function sweep(): void {
    const idleBefore = maxTs - idleMs;
    for (const o of orgs.values()) {
      for (const map of [o.users, o.admins] as Map<string, EntityState & { dirty?: boolean }>[]) {
        for (const [k, s] of map)
          if (s.lastTs < idleBefore && s.dirty !== true) {
            map.delete(k);
            evicted++;
          }
        for (const [k, s] of map) {
          if (map.size <= maxEntities) break;
          if (s.dirty === true) continue;
          map.delete(k);
          evicted++;
        }
      }
    }
  }

  const fieldValue = (e: DetectEvent, f: TriageField): unknown => {
    switch (f) {
      case 'location':
        return [e.city, e.region, e.country].filter((x) => x !== null).join(', ') || null;
      case 'description':
        return parseDescription(e.description);
      default:
        return e[f];
    }
  };

  function learn(e: DetectEvent, o: OrgRuntime, u: UserEntity | null): void {
    if (e.stream === 'telephony') {
      o.baseline ??= emptyOrgBaseline(e.ts);
      const h = Math.floor(e.ts / HOUR);
      const hours = o.baseline.creditHours;
      if (hours[h] === undefined) prune(hours, h - KEEP_DAYS * 24);
      hours[h] = (hours[h] ?? 0) + e.credits;
      o.baselineDirty = true;
      return;
    }
    if (u === null || e.stream !== 'auth' || e.result !== 'success') return;
    let b = u.baseline;
    if (b === null) {
      b = emptyUserBaseline(e.ts);
      u.baseline = b;
      u.dirty = true;
    }
    if (e.ip !== null) {
      const before = b.ips[e.ip];
      if (before === undefined || e.ts - before[1] > HOUR) u.dirty = true;
      touch(b.ips, e.ip, e.ts, MAX_IPS);
    }
    if (e.country !== null) {
      const before = b.countries[e.country];
      if (before === undefined || e.ts - before[1] > HOUR) u.dirty = true;
      touch(b.countries, e.country, e.ts, MAX_COUNTRIES);
    }
    if (e.factor === 'remembered_device') {
      const d = Math.floor(e.ts / DAY);
      if (b.rdDays[d] === undefined) prune(b.rdDays, d - KEEP_DAYS);
      b.rdDays[d] = (b.rdDays[d] ?? 0) + 1;
      u.dirty = true;
    }
    if (e.ip !== null && e.ts >= (b.lastGeo?.ts ?? -Infinity)) {
      if (b.lastGeo !== null && b.lastGeo.ip === e.ip) {
        b.lastGeo.ts = e.ts;
        b.lastGeo.id = e.id;
      } else {
        const p = geo.locate(e.ip);
        if (p !== null) {
          b.lastGeo = {
            ts: e.ts,
            ip: e.ip,
            lat: p.lat,
            lon: p.lon,
            city: p.city,
            country: p.country,
            id: e.id,
          };
          u.dirty = true;
        }
      }
    }
  }

  function one(c: CollectedEvent, out: Detection[]): void {
    events++;
    if (c.ts > maxTs) maxTs = c.ts;
    const o = orgOf(c);
    if (!o.rules.enabled) return;
    const list = o.rules.byStream.get(c.stream);
    const e = toDetectEvent(c);
    o.state.lastTs = e.ts;
    let u: UserEntity | null = null;
    let entity: EntityState | null = null;
    if (e.stream === 'auth' && e.userKey !== null) {
      u = o.users.get(e.userKey) ?? null;
      if (u === null) {
        u = { ...newState(e.ts), baseline: null, dirty: false };
        o.users.set(e.userKey, u);
      }
      if (e.ts > u.lastTs) u.lastTs = e.ts;
      entity = u;
    } else if (
      (e.stream === 'admin' || e.stream === 'trust_monitor' || e.stream === 'activity') &&
      e.userKey !== null
    ) {
      let a = o.admins.get(e.userKey);
      if (a === undefined) {
        a = newState(e.ts);
        o.admins.set(e.userKey, a);
      }
      if (e.ts > a.lastTs) a.lastTs = e.ts;
      entity = a;
    }
    if (list !== undefined) {
      for (const { rule, settings } of list) {
        const ctx = context(rule, settings, entity, o, u);
        const f = rule.evaluate(e, ctx);
        if (f === null) continue;
        const fields: Record<string, unknown> = {};
        for (const name of rule.fields) fields[name] = fieldValue(e, name);
        if (f.facts !== undefined) Object.assign(fields, f.facts);
        detections++;
        out.push({
          rule: rule.id,
          title: rule.title,
          severity: f.severity ?? rule.severity,
          mitre: rule.mitre,
          orgId: e.orgId,
          orgSlug: e.orgSlug,
          entity: f.entity,
          ts: e.ts,
          eventIds: f.eventIds,
          fields,
          dedupeKey: `${rule.id}:${e.orgId}:${f.entity}`,
          suppressionMs: settings.suppressionMs,
        });
      }
    }
    learn(e, o, u);
  }

  function context(
    rule: Rule,
    settings: RuleSettings,
    entity: EntityState | null,
    o: OrgRuntime,
    u: UserEntity | null,
  ): RuleContext {
    return {
      settings,
      entity,
      org: o.state,
      baseline: u?.baseline ?? null,
      orgBaseline: o.baseline ?? emptyOrgBaseline(o.state.lastTs),
      allow: o.rules.allow,
      geo,
      window(scope, windowMs = settings.windowMs) {
        let w = scope.windows.get(rule.id);
        if (w === undefined || w.windowMs !== windowMs) {
          w = new SlidingWindow(windowMs, Math.max(1000, settings.threshold * 2));
          scope.windows.set(rule.id, w);
        }
        return w;
      },
      distinct(scope, windowMs = settings.windowMs) {
        let w = scope.distincts.get(rule.id);
        if (w === undefined || w.windowMs !== windowMs) {
          w = new DistinctWindow(windowMs);
          scope.distincts.set(rule.id, w);
        }
        return w;
      },
    };
  }

  return {
    async process(batch) {
      await loadBaselines(batch);
      const out: Detection[] = [];
      for (const c of batch) one(c, out);
      await saveBaselines();
      sinceSweep += batch.length;
      if (sinceSweep >= 50_000) {
        sinceSweep = 0;
        sweep();
      }
      return out;
    },
    stats() {
      let entities = 0;
      for (const o of orgs.values()) entities += o.users.size + o.admins.size;
      return { events, detections, entities, evicted };
    },
  };
}
