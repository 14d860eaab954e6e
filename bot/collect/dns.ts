/**
 * Resolution of a self-managed ESM's KAFKA_BOOTSTRAP_SERVERS, from where esm-doctor runs (which may
 * not be where the ESM runs: kafka.bootstrap-dns weighs that). Never fails: each entry carries its
 * addresses or its error.
 */
import { promises as dnsPromises } from 'node:dns';
import { splitHostPort } from '../model/esm';
import type { Fact, ResolvedEndpoint } from '../model/snapshot';

/** dns.promises.lookup(host, { all: true })'s contract, injectable for tests. */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => dnsPromises.lookup(host, { all: true });

/** getaddrinfo retries for a long time when no DNS server answers; the report must not wait for it. */
const LOOKUP_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEOUT' })), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function resolveEntry(entry: string, resolver: Resolver): Promise<ResolvedEndpoint> {
  const parts = splitHostPort(entry);
  if (!parts) return { entry, addresses: [], error: 'malformed' };
  try {
    const found = await withTimeout(resolver(parts.host), LOOKUP_TIMEOUT_MS);
    return { entry, host: parts.host, port: parts.port, addresses: [...new Set(found.map((a) => a.address))] };
  } catch (err) {
    const code = (err as { code?: unknown } | undefined)?.code;
    return { entry, host: parts.host, port: parts.port, addresses: [], error: typeof code === 'string' ? code : 'ERROR' };
  }
}

export async function resolveBootstrapServers(entries: string[], resolver: Resolver = systemResolver): Promise<Fact<ResolvedEndpoint[]>> {
  return { ok: true, source: 'dns', value: await Promise.all(entries.map((e) => resolveEntry(e, resolver))) };
}
