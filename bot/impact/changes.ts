/**
 * Report.changes, the pure parts: which resources to look up (the culprits the failing findings
 * name, the cause's first, at most a handful), and CloudTrail history entries → Change.
 */
import type { Change, Report } from '../model/report';
import type { Fact } from '../model/snapshot';
import type { TrailEvent } from '../collect/cloudtrail';
import { roleName } from './resources';

/** At most this many LookupEvents calls per diagnosis: two per second is the account's whole budget. */
export const MAX_LOOKUPS = 4;
export const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The name CloudTrail's event history indexes a resource by: EC2 ids, secret, key and cluster ARNs
 * as they are; IAM roles by their friendly name. The ESM itself is left out (its own updates are
 * the watcher's business, and its ARN would crowd out the resource that changed).
 */
export function lookupName(resource: string): string | undefined {
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:event-source-mapping:/.test(resource)) return undefined;
  if (/^arn:[^:]+:iam::[^:]*:role\//.test(resource)) return roleName(resource);
  if (/^(sg|subnet|rtb|acl|nat|vpce|vpc)-[0-9a-f]+$/.test(resource) || resource.startsWith('arn:')) return resource;
  return undefined;
}

export function culprits(report: Report, max = MAX_LOOKUPS): string[] {
  const failing = report.findings.filter((f) => f.status === 'fail');
  failing.sort((a, b) => Number(b.check === report.cause) - Number(a.check === report.cause));
  const names: string[] = [];
  for (const f of failing) {
    for (const r of f.resources ?? []) {
      const name = lookupName(r);
      if (name && !names.includes(name)) names.push(name);
      if (names.length >= max) return names;
    }
  }
  return names;
}

function principalOf(event: TrailEvent): string {
  if (event.CloudTrailEvent) {
    try {
      const parsed = JSON.parse(event.CloudTrailEvent) as { userIdentity?: { arn?: unknown; invokedBy?: unknown } };
      const who = parsed.userIdentity?.arn ?? parsed.userIdentity?.invokedBy;
      if (typeof who === 'string' && who) return who;
    } catch {
      // A truncated event: fall back to the user name CloudTrail lists it under.
    }
  }
  return event.Username ?? 'unknown principal';
}

export interface ChangesOutcome {
  changes?: Change[];
  note?: string;
}

/** Write calls only, newest first, one entry per event even when two resources both list it. */
export function toChanges(results: Array<{ resource: string; fact: Fact<TrailEvent[]> }>): ChangesOutcome {
  const failed = results.filter((r) => !r.fact.ok);
  const seen = new Set<string>();
  const changes: Change[] = [];
  for (const { resource, fact } of results) {
    if (!fact.ok) continue;
    for (const e of fact.value) {
      if (e.ReadOnly === 'true') continue;
      const id = e.EventId ?? `${e.EventTime}/${e.EventName}/${resource}`;
      if (seen.has(id)) continue;
      seen.add(id);
      changes.push({ time: e.EventTime, event: e.EventName, resource, principal: principalOf(e), source: 'cloudtrail' });
    }
  }
  changes.sort((a, b) => b.time.localeCompare(a.time));
  let note: string | undefined;
  if (failed.length) {
    const first = failed[0]!.fact as Extract<Fact<TrailEvent[]>, { ok: false }>;
    const what = first.error.code.includes('Throttl') ? 'was throttled' : `answered ${first.error.code}`;
    note = `Recent changes ${failed.length === results.length ? 'not shown' : 'may be incomplete'}: cloudtrail:LookupEvents ${what}${first.error.code.startsWith('AccessDenied') ? ' (grant cloudtrail:LookupEvents to see what changed)' : ''}.`;
  }
  if (failed.length === results.length && results.length > 0) return { ...(note ? { note } : {}) };
  return { changes, ...(note ? { note } : {}) };
}

/** "12 min", "3 h 5 min", "2 days": how long before `reference` a change happened. */
export function before(time: string, reference: string): string {
  const ms = Date.parse(reference) - Date.parse(time);
  if (!Number.isFinite(ms)) return 'shortly';
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 1) return 'less than a minute';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.round(h / 24)} days`;
}

/** "Changed 12 min before the failure: RevokeSecurityGroupIngress on sg-… by arn:…" */
export function changeLine(change: Change, reference: string): string {
  return `Changed ${before(change.time, reference)} before the failure: ${change.event} on ${change.resource} by ${change.principal}`;
}

/** `--changes-window 90m | 24h | 7d` → milliseconds; CloudTrail event history keeps 90 days. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)\s*(m|min|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = n * (m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000);
  return ms > 0 && ms <= 90 * 86_400_000 ? ms : undefined;
}
