/**
 * Which channel an ESM's alerts go to, first match wins:
 *  1. a tag on the ESM's function (default key `esm-doctor:channel`, value a channel id) — the team
 *     that owns the function decides, in its own IaC;
 *  2. the longest configured function-name prefix (`{"orders-": "C0ORDERS"}`);
 *  3. the default channel.
 * Tags are read with lambda:ListTags and cached per function for ten minutes.
 */
import { readFunctionTags } from '../collect/inventory';
import type { EsmStateChange } from '../model/events';
import { functionNameFromArn } from '../model/esm';
import type { LambdaReader } from './observe';

export interface ChannelRouter {
  channelFor(change: EsmStateChange): Promise<string>;
}

export type TagReader = (change: EsmStateChange) => Promise<Record<string, string> | undefined>;

export interface RouterOptions {
  defaultChannel: string;
  prefixes?: Record<string, string>;
  tagKey?: string;
  readTags?: TagReader;
  now?: () => number;
  cacheMs?: number;
  /** Told when a tag names something that is not a channel id, or the tags could not be read. */
  onProblem?: (problem: string, change: EsmStateChange) => void;
}

const CHANNEL = /^[CG][A-Z0-9]{2,}$/;

export function createChannelRouter(options: RouterOptions): ChannelRouter {
  const tagKey = options.tagKey ?? 'esm-doctor:channel';
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 10 * 60_000;
  const cache = new Map<string, { channel: string | undefined; expires: number }>();
  const prefixes = Object.entries(options.prefixes ?? {}).sort(([a], [b]) => b.length - a.length);

  async function fromTag(change: EsmStateChange): Promise<string | undefined> {
    if (!options.readTags) return undefined;
    const hit = cache.get(change.functionArn);
    if (hit && hit.expires > now()) return hit.channel;
    let channel: string | undefined;
    try {
      const value = (await options.readTags(change))?.[tagKey]?.trim();
      if (value && CHANNEL.test(value)) channel = value;
      else if (value) options.onProblem?.(`tag ${tagKey} is "${value.slice(0, 40)}", not a channel id`, change);
    } catch (err) {
      options.onProblem?.(`could not read the function's tags (${(err as Error).name})`, change);
      return undefined; // not cached: try again next time
    }
    cache.set(change.functionArn, { channel, expires: now() + cacheMs });
    return channel;
  }

  return {
    async channelFor(change) {
      const tagged = await fromTag(change);
      if (tagged) return tagged;
      const name = change.functionArn ? functionNameFromArn(change.functionArn) : '';
      const prefix = prefixes.find(([p]) => name.startsWith(p));
      return prefix ? prefix[1] : options.defaultChannel;
    },
  };
}

/** Reads a function's tags with the Lambda client of its account and region. */
export function lambdaTagReader(lambdaFor: (account: string, region: string) => LambdaReader): TagReader {
  return async (change) => {
    if (!change.functionArn.startsWith('arn:')) return undefined;
    return readFunctionTags(lambdaFor(change.account, change.region), change.functionArn);
  };
}
