/**
 * Turning AWS calls into Facts. Every reader goes through `readFact`: a call that fails becomes an
 * error Fact (the error's name as `code`, the IAM action as `action`) and never rejects, so one
 * denied or throttled call can never abort the collection.
 */
import type { z } from 'zod';
import type { Fact, FactError } from '../model/snapshot';
import type { CollectorAction } from './iam-actions';
import { firstIssue } from '../model/parse-issues';

/** Longest error message kept in a Fact: EC2 can append kilobytes of encoded authorization detail. */
const MAX_MESSAGE = 1000;

/** The parts of an SDK v3 error (ServiceException or a client-side error) that a Fact keeps. */
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function errorCode(err: unknown): string {
  const e = (err ?? {}) as ErrorLike;
  if (typeof e.name === 'string' && e.name !== 'Error' && e.name !== '') return e.name;
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  return 'Error';
}

export function toFactError(err: unknown, action: string): FactError {
  const e = (err ?? {}) as ErrorLike;
  const raw = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const message = raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE - 3)}...` : raw;
  const status = e.$metadata?.httpStatusCode;
  return { code: errorCode(err), message, action, ...(typeof status === 'number' ? { httpStatus: status } : {}) };
}

export function okFact<T>(source: string, value: T): Fact<T> {
  return { ok: true, source, value };
}

export function errorFact<T>(source: string, error: FactError): Fact<T> {
  return { ok: false, source, error };
}

/**
 * A fact that could not even be asked for because the fact it depends on failed (no role without
 * GetFunction, no subnets without DescribeClusterV2): it carries the upstream error, so the check
 * reports the call and the permission that actually need fixing.
 */
export function dependencyFact<T>(source: string, what: string, upstream: { source: string; error: FactError }): Fact<T> {
  return errorFact(source, {
    ...upstream.error,
    action: upstream.error.action ?? upstream.source,
    message: `${what} not read because ${upstream.source} failed: ${upstream.error.message}`,
  });
}

/**
 * Runs one reading and returns its Fact. `action` is the IAM action of the call (the fact's source),
 * one declared in ./iam-actions (so the roles and the README grant it);
 * the value is made JSON-safe and checked against the schema, so an unexpected response shape
 * becomes an error Fact instead of an invalid Snapshot.
 */
export async function readFact<S extends z.ZodType>(
  action: CollectorAction,
  schema: S,
  read: () => Promise<unknown>,
  source: string = action,
): Promise<Fact<z.infer<S>>> {
  let value: unknown;
  try {
    value = jsonSafe(await read());
  } catch (err) {
    return errorFact(source, toFactError(err, action));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return errorFact(source, {
      code: 'UnexpectedResponse',
      message: `${action} answered in a shape esm-doctor does not understand (${firstIssue(parsed.error)})`,
      action,
    });
  }
  return okFact(source, parsed.data as z.infer<S>);
}

/**
 * A deep copy holding only JSON values: Dates become ISO strings, `undefined`, functions and the SDK's
 * `$metadata` are dropped, bytes become Base64. What the SDK returns is otherwise kept as is.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v) ?? null);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'bigint':
      return value.toString();
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === '$metadata') continue;
        const safe = jsonSafe(v);
        if (safe !== undefined) out[k] = safe;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * Follows a token-paginated API to the end. Stops on a repeated token (a misbehaving endpoint or
 * emulator would otherwise loop for ever) and after `maxPages`.
 */
export async function paginate<T>(
  fetchPage: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  maxPages = 200,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items: pageItems, next } = await fetchPage(token);
    items.push(...(pageItems ?? []));
    if (!next || seen.has(next)) break;
    seen.add(next);
    token = next;
  }
  return items;
}
