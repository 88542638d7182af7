import type { AlertSeverity, CollectedEvent } from '../app/index.js';
import {
  addDay,
  decodeOrgBaseline,
  decodeUserBaseline,
  emptyOrgBaseline,
  emptyUserBaseline,
  encodeUserBaseline,
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
import { higher, mergeIds } from './fold.js';
import { authUserKey, EventView, parseDescription, type DetectEvent } from './detect-event.js';
import { noGeo, type GeoLookup } from './geo.js';
import { intern } from './intern.js';
import { isBypass, learnOrgPlaces, OrgPlaces } from './org-places.js';
import {
  DAY,
  DEFAULT_FIELDS,
  HOUR,
  type EntityState,
  type Firing,
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
  /** Event time of the event that made it fire (of the first, when `count` is over 1). */
  readonly ts: number;
  /**
   * How many firings this detection stands for: 1, or for a digest (rules/digest.ts) every firing of the batch
   * that belongs to the same digest, folded here as the alert store would fold them (count, last seen, the
   * higher severity, the first `MAX_ALERT_EVENTS` event ids, the fields of the last firing over the first's).
   */
  readonly count: number;
  /** Event time of the last firing it stands for (`ts` when `count` is 1). */
  readonly lastTs: number;
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
  /**
   * Changed baselines are saved after a batch once `saveEveryMs` of wall-clock time passed since the last save
   * (default 5 s), or once `saveEveryChanged` users and organizations changed (default 20,000); `flush()` saves
   * at once. Between saves the engine's memory is the truth: a crash forgets at most 5 s of learning. The
   * changed count bounds what a fast replay holds unsaved (a changed user is not evicted before it is saved);
   * counting events instead saved a small tenant's every user again every 20,000 events (five times in a
   * 30-day replay of a 1,000-user tenant that takes half a second) for no durability gained.
   */
  saveEveryChanged?: number;
  saveEveryMs?: number;
  /**
   * A periodic save that failed (the database locked or gone): the batch's detections are still returned and
   * the next batch retries the save. Without it the failure is thrown from `process` (replay, tests).
   */
  onSaveError?: (error: unknown) => void;
  now?: () => number;
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
   * stream). Loads the baselines the events need before they run and saves what changed afterwards.
   */
  process(events: readonly CollectedEvent[]): Promise<Detection[]>;
  /** Saves every changed baseline now (shutdown, tests). */
  flush(): Promise<void>;
  stats(): EngineStats;
}

interface UserEntity extends EntityState {
  /**
   * The user's key as the engine holds it (the map's key): the event's own copy is replaced by it, so the
   * organization's places, which keep users by key, compare a user with itself by identity.
   */
  readonly key: string;
  baseline: UserBaseline | null;
  /** Persisted `lastSeen` values may lag by up to 12 hours; new keys and counts are saved at once. */
  dirty: boolean;
}

interface RuleEntry {
  readonly rule: Rule;
  readonly settings: RuleSettings;
  readonly ctx: ReusedContext;
}

/** The rules of one stream, and per `result` value the ones that read it (built on first sight of the value). */
interface StreamRules {
  readonly all: readonly RuleEntry[];
  readonly byResult: Map<string | null, readonly RuleEntry[]>;
}

/** Baseline rows per write (see `saveBaselines`). */
const SAVE_CHUNK = 1000;

/** Results are a small enumeration; past this many distinct values the lists are no longer cached. */
const MAX_RESULTS = 64;

function rulesFor(s: StreamRules, result: string | null): readonly RuleEntry[] {
  const hit = s.byResult.get(result);
  if (hit !== undefined) return hit;
  const list = s.all.filter(
    ({ rule }) => rule.results === undefined || (result !== null && rule.results.includes(result)),
  );
  if (s.byResult.size < MAX_RESULTS) s.byResult.set(result, list);
  return list;
}

interface OrgRuntime {
  readonly orgId: string;
  readonly rules: OrgRules;
  readonly byStream: ReadonlyMap<CollectedEvent['stream'], StreamRules>;
  readonly state: EntityState;
  /** What the organization's rule contexts read of the event being tested. */
  readonly subject: EventSubject;
  baseline: OrgBaseline | null;
  baselineLoaded: boolean;
  baselineDirty: boolean;
  readonly users: Map<string, UserEntity>;
  /** Keys of users whose baseline changed since the last save. */
  readonly dirtyUsers: Set<string>;
  readonly admins: Map<string, EntityState>;
  /** What rules see before the organization has any telephony history. */
  emptyBaseline?: OrgBaseline;
  /**
   * The rules of the last event's stream and result: most events are an auth success like the one before, found
   * again without the two map lookups (stream, then result).
   */
  lastStream: string;
  lastResult: string | null;
  lastRules: readonly RuleEntry[];
}

/** A detection the engine may still fold firings into (a digest's, until the batch ends). */
type OpenDetection = { -readonly [K in keyof Detection]: Detection[K] } & {
  eventIds: string[];
  fields: Record<string, unknown>;
};

interface OpenDigest {
  readonly detection: OpenDetection;
  readonly rule: Rule;
  readonly since: number;
  /** The detection's event ids, for `mergeIds`. */
  readonly ids: Set<string>;
  /** The last firing folded in and its event: its fields are written over the first's when the batch ends. */
  last: { readonly event: CollectedEvent; readonly firing: Firing } | null;
}

/**
 * What every rule of an organization sees of the event being tested, set once per event for all of them. Each
 * context held its own copy before: three stores into each rule's context per event, 27 for a login's nine
 * rules, 2 % of the engine's instructions (docs/detect.md "Throughput, eighth pass").
 */
class EventSubject {
  entity: EntityState | null = null;
  baseline: UserBaseline | null = null;
  orgBaseline: OrgBaseline = emptyOrgBaseline(0);
}

/** A rule's context in one organization, reused for every event (the engine sets the subject per event). */
class ReusedContext implements RuleContext {
  /** The digest detection this rule opened in the current batch (`digestBatch`), its firings folded into it. */
  digest: OpenDigest | null = null;
  digestBatch = -1;
  private lastEntity = '';
  private lastKey = '';
  constructor(
    private readonly ruleId: string,
    readonly settings: RuleSettings,
    readonly org: EntityState,
    readonly allow: RuleContext['allow'],
    readonly geo: GeoLookup,
    private readonly subject: EventSubject,
  ) {}
  get entity(): EntityState | null {
    return this.subject.entity;
  }
  get baseline(): UserBaseline | null {
    return this.subject.baseline;
  }
  get orgBaseline(): OrgBaseline {
    return this.subject.orgBaseline;
  }
  window(scope: EntityState, windowMs = this.settings.windowMs): SlidingWindow {
    const found = this.existingWindow(scope);
    if (found !== null && found.windowMs === windowMs) return found;
    const w = new SlidingWindow(windowMs, Math.max(1000, this.settings.threshold * 2), this.ruleId);
    // Most entities hold one window (a user's remembered-device logins): held directly, without a list; more
    // go into a list of exactly the right length (a list grown by `push` has 17 slots).
    const cur = scope.windows;
    if (cur === null || cur === found) scope.windows = w;
    else if (cur instanceof SlidingWindow) scope.windows = [cur, w];
    else scope.windows = found === null ? cur.concat(w) : cur.map((x) => (x === found ? w : x));
    return w;
  }
  /** The alert key of a firing; the last one is kept (a digest fires for the same organization all day). */
  dedupeKey(orgId: string, entity: string): string {
    if (entity !== this.lastEntity) {
      this.lastEntity = entity;
      this.lastKey = `${this.ruleId}:${orgId}:${entity}`;
    }
    return this.lastKey;
  }
  existingWindow(scope: EntityState): SlidingWindow | null {
    const cur = scope.windows;
    if (cur === null) return null;
    if (cur instanceof SlidingWindow) return cur.rule === this.ruleId ? cur : null;
    for (const w of cur) if (w.rule === this.ruleId) return w;
    return null;
  }
  distinct(scope: EntityState, windowMs = this.settings.windowMs): DistinctWindow {
    const list = scope.distincts;
    const i = list === null ? -1 : list.indexOf(this.ruleId);
    let w = i < 0 ? undefined : ((list as (string | DistinctWindow)[])[i + 1] as DistinctWindow);
    if (w === undefined || w.windowMs !== windowMs) {
      w = new DistinctWindow(windowMs);
      if (list === null) scope.distincts = [this.ruleId, w];
      else if (i < 0) scope.distincts = list.concat(this.ruleId, w);
      else list[i + 1] = w;
    }
    return w;
  }
}

/** Duo's place of the event as one line (`City, Region, Country`), or null. */
function locationOf(e: DetectEvent): string | null {
  let out = e.city ?? '';
  if (e.region !== null) out = out === '' ? e.region : `${out}, ${e.region}`;
  if (e.country !== null) out = out === '' ? e.country : `${out}, ${e.country}`;
  return out === '' ? null : out;
}

const fieldValue = (e: DetectEvent, f: TriageField): unknown => {
  if (f === 'location') return locationOf(e);
  if (f === 'description') return parseDescription(e.description);
  return e[f];
};

function namedFields(e: DetectEvent, names: readonly TriageField[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of names) fields[name] = fieldValue(e, name);
  return fields;
}

/**
 * The default fields (every auth rule's) as one literal, in `DEFAULT_FIELDS` order: one allocation of a known
 * shape instead of six names stored one by one into an empty object (what it saves was too small to measure
 * apart on the machine it was written on: docs/detect.md "Throughput, sixth pass").
 */
const defaultFields = (e: DetectEvent): Record<string, unknown> => ({
  user: e.user,
  ip: e.ip,
  location: locationOf(e),
  application: e.application,
  factor: e.factor,
  reason: e.reason,
});

/** An alert's fields for one firing: the rule's triage fields, then its facts, then a digest's users. */
function fieldsOf(rule: Rule, e: DetectEvent, f: Firing): Record<string, unknown> {
  const fields = rule.fields === DEFAULT_FIELDS ? defaultFields(e) : namedFields(e, rule.fields);
  if (f.facts !== undefined) Object.assign(fields, f.facts);
  if (f.digest !== undefined) {
    fields['digest'] = true;
    fields['users'] = f.digest.users;
    fields['entities'] = f.digest.entities;
  }
  return fields;
}

const newState = (ts: number): EntityState => ({ lastTs: ts, windows: null, distincts: null });
/** Every field in the literal: one shape, fields inside the object (a spread plus additions needs two stores). */
const newUser = (key: string, ts: number, baseline: UserBaseline | null): UserEntity => ({
  key,
  lastTs: ts,
  windows: null,
  distincts: null,
  baseline,
  dirty: false,
});

export function createEngine(options: EngineOptions = {}): DetectEngine {
  const config = options.config ?? defaultDetectConfig;
  const catalogue = options.catalogue ?? defaultCatalogue;
  const store = options.baselines ?? memoryBaselineStore();
  const geo = options.geo ?? noGeo;
  const idleMs = options.idleMs ?? 26 * HOUR;
  const maxEntities = options.maxEntities ?? 250_000;
  const orgs = new Map<string, OrgRuntime>();
  // One view of the event being tested, refilled per event (rules never keep it).
  const view = new EventView();
  let events = 0;
  let detections = 0;
  let evicted = 0;
  let sinceSweep = 0;
  const now = options.now ?? (() => Date.now());
  let lastSave = now();
  let maxTs = 0;

  const orgOf = (e: CollectedEvent): OrgRuntime => {
    let o = orgs.get(e.orgId);
    if (o === undefined) {
      const rules = orgRules(config, catalogue, e.orgSlug);
      const state = newState(e.ts);
      const subject = new EventSubject();
      const byStream = new Map<CollectedEvent['stream'], StreamRules>();
      for (const [stream, list] of rules.byStream)
        byStream.set(stream, {
          all: list.map(({ rule, settings }) => ({
            rule,
            settings,
            ctx: new ReusedContext(rule.id, settings, state, rules.allow, geo, subject),
          })),
          byResult: new Map(),
        });
      o = {
        orgId: e.orgId,
        rules,
        byStream,
        state,
        subject,
        baseline: null,
        baselineLoaded: false,
        baselineDirty: false,
        users: new Map(),
        dirtyUsers: new Set(),
        admins: new Map(),
        lastStream: '',
        lastResult: null,
        lastRules: [],
      };
      orgs.set(e.orgId, o);
    }
    return o;
  };

  /**
   * Loads what the events from `start` on need and memory lacks: their organizations' baselines and their users'.
   * Every user asked for is in memory afterwards (a new one with an empty baseline when none is stored), so the
   * event at `start` can run.
   */
  async function loadFrom(batch: readonly CollectedEvent[], start: number): Promise<void> {
    const missing = new Map<OrgRuntime, Set<string>>();
    const unloaded = new Set<OrgRuntime>();
    let last: OrgRuntime | null = null;
    for (let i = start; i < batch.length; i++) {
      const e = batch[i] as CollectedEvent;
      // A batch is nearly always one organization's: skip the map lookup while it stays the same.
      const o: OrgRuntime = last !== null && last.orgId === e.orgId ? last : orgOf(e);
      last = o;
      if (!o.baselineLoaded) unloaded.add(o);
      if (e.stream !== 'auth') continue;
      const key = authUserKey(e.raw);
      if (key === null || o.users.has(key)) continue;
      let set = missing.get(o);
      if (set === undefined) missing.set(o, (set = new Set<string>()));
      set.add(key);
    }
    for (const o of unloaded) {
      const found = await store.load(o.orgId, 'org', ['org']);
      o.baseline = decodeOrgBaseline(found.get('org'));
      o.baselineLoaded = true;
    }
    for (const [o, keys] of missing) {
      const found = await store.load(o.orgId, 'user', [...keys]);
      for (const key of keys) {
        // The engine's copy of the key is the one shared copy (intern.ts): the organization's places compare it
        // with other users' keys.
        const own = intern(key);
        o.users.set(own, newUser(own, 0, decodeUserBaseline(found.get(key))));
      }
    }
  }

  /**
   * Runs the events from `start` on until one needs a baseline that is not in memory, and returns its index (the
   * batch's length when all ran). A warm engine knows nearly every user: no pass over the batch before it runs.
   */
  function runFrom(batch: readonly CollectedEvent[], start: number, out: Detection[]): number {
    for (let i = start; i < batch.length; i++) if (!one(batch[i] as CollectedEvent, out)) return i;
    return batch.length;
  }

  /**
   * Saves what changed, `SAVE_CHUNK` rows at a time: encoding every changed user of a busy tenant before the
   * first write held all their rows at once (tens of MB at 100k users) and set the process's peak. A failed write
   * marks its rows and the ones not yet written as changed again, so the next save retries them.
   */
  async function saveBaselines(): Promise<void> {
    for (const o of orgs.values()) {
      let rows: BaselineRow[] = [];
      if (o.baselineDirty && o.baseline !== null) {
        rows.push({ orgId: o.orgId, kind: 'org', key: 'org', data: o.baseline });
        o.baselineDirty = false;
      }
      // Only what changed since the last save: a walk over every user each time would grow with the tenant.
      const keys = [...o.dirtyUsers];
      o.dirtyUsers.clear();
      for (let i = 0; i <= keys.length; i++) {
        const key = keys[i];
        const u = key === undefined ? undefined : o.users.get(key);
        if (key !== undefined && u !== undefined && u.dirty && u.baseline !== null) {
          rows.push({ orgId: o.orgId, kind: 'user', key, data: encodeUserBaseline(u.baseline) });
          u.dirty = false;
        }
        if (rows.length === 0 || (rows.length < SAVE_CHUNK && i < keys.length)) continue;
        try {
          await store.save(rows);
        } catch (error) {
          for (const r of rows) markUnsaved(o, r);
          for (const k of keys.slice(i + 1)) o.dirtyUsers.add(k);
          throw error;
        }
        rows = [];
      }
    }
  }

  /** Users and organizations changed since the last save: one step per organization, once per batch. */
  function changedCount(): number {
    let n = 0;
    for (const o of orgs.values()) n += o.dirtyUsers.size + (o.baselineDirty ? 1 : 0);
    return n;
  }

  function markUnsaved(o: OrgRuntime, r: BaselineRow): void {
    if (r.kind === 'org') {
      o.baselineDirty = true;
      return;
    }
    const u = o.users.get(r.key);
    if (u === undefined) return;
    u.dirty = true;
    o.dirtyUsers.add(r.key);
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
    // The organization's places: a login without MFA (bypass) vouches for no place, and a trusted network is
    // the company's own (the rules never judge it).
    if (e.userKey !== null && !isBypass(e) && !o.rules.allow.trustedIp(e.ip)) {
      o.baseline ??= emptyOrgBaseline(e.ts);
      o.baseline.places ??= new OrgPlaces();
      if (learnOrgPlaces(o.baseline.places, e.userKey, e.ip, e.country, e.ts)) o.baselineDirty = true;
    }
    let changed = false;
    let b = u.baseline;
    if (b === null) {
      b = emptyUserBaseline(e.ts);
      u.baseline = b;
      changed = true;
    }
    if (e.ip !== null && touch(b.ips, e.ip, e.ts, MAX_IPS)) changed = true;
    if (e.country !== null && touch(b.countries, e.country, e.ts, MAX_COUNTRIES)) changed = true;
    const d = Math.floor(e.ts / DAY);
    if (e.factor === 'remembered_device') {
      b.rdDays = addDay(b.rdDays ?? [], d, 1, d - KEEP_DAYS);
      changed = true;
    }
    if (isBypass(e)) {
      b.bypassDays = addDay(b.bypassDays ?? [], d, 1, d - KEEP_DAYS);
      changed = true;
    }
    // A trusted network (VPN egress, office) says nothing about where the user is: a traveller on the VPN
    // would otherwise "jump" home and back between two logins minutes apart.
    if (e.ip !== null && e.ts >= (b.lastGeo?.ts ?? -Infinity) && !o.rules.allow.trustedIp(e.ip)) {
      if (b.lastGeo !== null && b.lastGeo.ip === e.ip) {
        b.lastGeo.ts = e.ts;
        b.lastGeo.id = e.id;
        b.lastGeo.duoCity = e.city;
        b.lastGeo.duoCountry = e.country;
      } else {
        const p = geo.locate(e.ip);
        const g = b.lastGeo;
        if (p !== null && g !== null) {
          // In place: a user's last place changes with most logins from a new address.
          g.ts = e.ts;
          g.ip = e.ip;
          g.lat = p.lat;
          g.lon = p.lon;
          g.city = p.city;
          g.country = p.country;
          g.id = e.id;
          g.duoCity = e.city;
          g.duoCountry = e.country;
          changed = true;
        } else if (p !== null) {
          b.lastGeo = {
            ts: e.ts,
            ip: e.ip,
            lat: p.lat,
            lon: p.lon,
            city: p.city,
            country: p.country,
            id: e.id,
            duoCity: e.city,
            duoCountry: e.country,
          };
          changed = true;
        }
      }
    }
    if (changed && !u.dirty && e.userKey !== null) {
      u.dirty = true;
      o.dirtyUsers.add(e.userKey);
    }
  }

  let lastOrg: OrgRuntime | null = null;
  /** Runs one event; false, having changed nothing, when a baseline it needs is not in memory yet. */
  function one(c: CollectedEvent, out: Detection[]): boolean {
    const o = lastOrg !== null && lastOrg.orgId === c.orgId ? lastOrg : orgOf(c);
    lastOrg = o;
    if (!o.baselineLoaded) return false;
    let u: UserEntity | null = null;
    let e: DetectEvent | null = null;
    if (o.rules.enabled) {
      e = view.fill(c);
      if (e.stream === 'auth' && e.userKey !== null) {
        u = o.users.get(e.userKey) ?? null;
        if (u === null) return false;
        view.userKey = u.key;
      }
    }
    events++;
    if (c.ts > maxTs) maxTs = c.ts;
    if (e === null) return true;
    o.state.lastTs = e.ts;
    let entity: EntityState | null = null;
    if (u !== null) {
      if (e.ts > u.lastTs) u.lastTs = e.ts;
      entity = u;
    } else if (
      (e.stream === 'admin' ||
        e.stream === 'trust_monitor' ||
        e.stream === 'activity' ||
        e.stream === 'offline_enrollment') &&
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
    // Only the rules that read this event's result (indexed by stream, then result).
    let list = o.lastRules;
    if (e.stream !== o.lastStream || e.result !== o.lastResult) {
      const streamRules = o.byStream.get(e.stream);
      list = streamRules === undefined ? [] : rulesFor(streamRules, e.result);
      o.lastStream = e.stream;
      o.lastResult = e.result;
      o.lastRules = list;
    }
    if (list.length > 0) {
      const subject = o.subject;
      subject.entity = entity;
      subject.baseline = u?.baseline ?? null;
      subject.orgBaseline = o.baseline ?? (o.emptyBaseline ??= emptyOrgBaseline(e.ts));
      // Indexed: callgrind put 331 instructions per event on the `for … of` line with its destructuring, 278 on
      // the indexed loop's two lines.
      for (let r = 0; r < list.length; r++) {
        // One context per organization and rule, reused for every event: no closures allocated per event.
        const { rule, settings, ctx } = list[r] as RuleEntry;
        const f = rule.evaluate(e, ctx);
        if (f === null) continue;
        detections++;
        const open = f.digest !== undefined && ctx.digestBatch === batchNo ? ctx.digest : null;
        if (open !== null && open.since === f.digest?.since) {
          // Another firing of the same digest in this batch: folded, its fields built once at the batch's end. A
          // digest fires on a tenth of the mix's logins and the alert store would fold them all the same; one
          // detection for them makes storing them cheaper (docs/alerts.md "Batches").
          foldFiring(open, c, e, f);
          continue;
        }
        const d: OpenDetection = {
          rule: rule.id,
          title: rule.title,
          severity: f.severity ?? rule.severity,
          mitre: rule.mitre,
          orgId: e.orgId,
          orgSlug: e.orgSlug,
          entity: f.entity,
          ts: e.ts,
          count: 1,
          lastTs: e.ts,
          eventIds: f.digest === undefined ? (f.eventIds as string[]) : [...f.eventIds],
          fields: fieldsOf(rule, e, f),
          dedupeKey: ctx.dedupeKey(e.orgId, f.entity),
          suppressionMs: settings.suppressionMs,
        };
        out.push(d);
        if (f.digest !== undefined) {
          const digest: OpenDigest = {
            detection: d,
            rule,
            since: f.digest.since,
            ids: new Set(d.eventIds),
            last: null,
          };
          ctx.digest = digest;
          ctx.digestBatch = batchNo;
          openDigests.push(digest);
        }
      }
    }
    learn(e, o, u);
    return true;
  }

  /** Digests opened in the current batch (`batchNo`): their last firing's fields are written when it ends. */
  let batchNo = 0;
  const openDigests: OpenDigest[] = [];
  const lastView = new EventView();

  /** One more firing of an open digest, folded as `foldDetections` and the alert store fold a repeat. */
  function foldFiring(open: OpenDigest, c: CollectedEvent, e: DetectEvent, f: Firing): void {
    const d = open.detection;
    d.count++;
    if (e.ts > d.lastTs) d.lastTs = e.ts;
    d.severity = higher(d.severity, f.severity ?? open.rule.severity);
    mergeIds(d.eventIds, f.eventIds, open.ids);
    open.last = { event: c, firing: f };
  }

  function closeDigests(): void {
    for (const { detection, rule, last } of openDigests)
      if (last !== null)
        Object.assign(detection.fields, fieldsOf(rule, lastView.fill(last.event), last.firing));
    openDigests.length = 0;
  }

  return {
    async process(batch) {
      const out: Detection[] = [];
      batchNo++;
      openDigests.length = 0; // a batch that failed half-way left its own
      for (let i = runFrom(batch, 0, out); i < batch.length;) {
        await loadFrom(batch, i);
        const next = runFrom(batch, i, out);
        // Unreachable (`loadFrom` put the event's organization and user in memory); never loop on a broken invariant.
        if (next === i) throw new Error('detect: an event still lacks its baseline after loading it');
        i = next;
      }
      closeDigests();
      if (
        now() - lastSave >= (options.saveEveryMs ?? 5000) ||
        changedCount() >= (options.saveEveryChanged ?? 20_000)
      ) {
        try {
          await saveBaselines();
          lastSave = now();
        } catch (error) {
          // What failed is marked changed again, and the clock and the count still say a save is due: the next
          // batch retries.
          if (options.onSaveError === undefined) throw error;
          options.onSaveError(error);
        }
      }
      sinceSweep += batch.length;
      if (sinceSweep >= 50_000) {
        sinceSweep = 0;
        sweep(); // only entities whose baseline is saved go
      }
      return out;
    },
    async flush() {
      await saveBaselines();
      lastSave = now();
    },
    stats() {
      let entities = 0;
      for (const o of orgs.values()) entities += o.users.size + o.admins.size;
      return { events, detections, entities, evicted };
    },
  };
}
