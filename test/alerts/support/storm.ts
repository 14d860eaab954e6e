/**
 * A storm through the alert handler's entry point: N failing ESMs of one cluster, their ESM State
 * Change events delivered at once (as one watcher run publishes them) to several alert handler
 * instances — separate "containers", each with its own clients — that share one DynamoDB table on
 * moto and post to the fake Slack Web API on loopback. Used by test/alerts/storm.test.ts and by
 * `npm run bench` (bench/storm.ts).
 */
import { alertHandler } from '../../../bot/handlers/alert';
import type { EngineDiagnose } from '../../../bot/slack/engine';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, type EsmStateChange } from '../../../bot/model/events';
import { fakeBotToken } from '../../fixtures/slack-tokens';
import type { ApiCall, FakeSlack } from '../../slack/support/fake-slack';
import { failingReport } from '../../slack/support/reports';
import { ACCOUNT, CLUSTER_ARN, REGION, stateChange, uuidOf } from './fakes';
import { CREDENTIALS } from './moto-aws';

export const STORM_CHANNEL = 'C0ALERTS';

export interface StormOptions {
  motoEndpoint: string;
  table: string;
  slack: FakeSlack;
  esms: number;
  instances: number;
  /** Spacing of posts (and parent edits) per channel; production: 1100 / 1200 ms. */
  pacing: { postMs: number; updateMs: number };
}

export interface StormFigures {
  /** Accepted chat.postMessage calls. */
  posts: number;
  /** Top-level posts that are storm parents. */
  parents: number;
  /** Top-level posts that are not parents (an ESM alerted on its own). */
  topLevelAlerts: number;
  /** ESM ids (from the alert text) and how often each was posted. */
  perEsm: Map<string, number>;
  /** The most accepted posts in any window of `windowMs`, per channel. */
  peak: number;
  /** The most posts in any 1-second window, per channel. */
  peakPerSecond: number;
  rateLimited: number;
  wallMs: number;
  outcomes: Record<string, number>;
  errors: string[];
}

const engine: EngineDiagnose = async (target) => {
  const base = failingReport();
  return { report: { ...base, target: { ...base.target, uuid: target.uuid, region: target.region } }, snapshot: undefined as never };
};

export function eventOf(change: EsmStateChange, id: string) {
  return {
    version: '0',
    id,
    'detail-type': EVENT_DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: ACCOUNT,
    time: change.observedAt,
    region: REGION,
    resources: [change.esmArn],
    detail: change,
  };
}

export function stormEnv(o: Pick<StormOptions, 'motoEndpoint' | 'table' | 'slack'>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: fakeBotToken('stormtoken'),
    ESM_DOCTOR_BUTTON_KEY: 'b'.repeat(48),
    SLACK_API_URL: o.slack.apiUrl,
    ESM_DOCTOR_TABLE: o.table,
    ESM_DOCTOR_ALERT_CHANNEL: STORM_CHANNEL,
    AWS_ENDPOINT_URL: o.motoEndpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    LOG_LEVEL: 'error',
  };
}

/** Most calls within any window of `windowMs` (calls sorted by arrival). */
export function peakIn(calls: ApiCall[], windowMs: number): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function runStorm(o: StormOptions, windowMs = 1000): Promise<StormFigures> {
  const env = stormEnv(o);
  // The SDK clients read region and credentials from the process environment, as in Lambda.
  for (const k of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const) process.env[k] = env[k];
  const handlers = Array.from({ length: o.instances }, () => alertHandler(env, { pacing: o.pacing }, engine));
  const observedAt = new Date().toISOString();
  const changes = Array.from({ length: o.esms }, (_, i) => stateChange(uuidOf(i + 1), 'failing', { at: observedAt, cluster: CLUSTER_ARN }));
  const started = Date.now();
  const outcomes: Record<string, number> = {};
  const errors: string[] = [];
  // Each event goes to one instance (round robin), all at once; a thrown error is retried once, as
  // Lambda retries an asynchronous invocation.
  await Promise.all(
    changes.map(async (change, i) => {
      const event = eventOf(change, `storm-${i}`);
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const result = (await handlers[(i + attempt - 1) % handlers.length]!(event)) as { outcome: string };
          outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
          return;
        } catch (err) {
          if (attempt === 2) errors.push(`${change.uuid}: ${(err as Error).message}`);
        }
      }
    }),
  );
  const wallMs = Date.now() - started;
  const posts = o.slack.posts().filter((c) => c.args.channel === STORM_CHANNEL);
  const perEsm = new Map<string, number>();
  let parents = 0;
  let topLevelAlerts = 0;
  for (const p of posts) {
    const text = JSON.stringify(p.args.blocks ?? p.args.text);
    if (/ESMs of .* are failing/.test(String(p.args.text))) {
      parents += 1;
      continue;
    }
    const uuid = /00000000-0000-4000-8000-\d{12}/.exec(text)?.[0];
    if (!uuid) continue;
    perEsm.set(uuid, (perEsm.get(uuid) ?? 0) + 1);
    if (!p.args.thread_ts) topLevelAlerts += 1;
  }
  return {
    posts: posts.length,
    parents,
    topLevelAlerts,
    perEsm,
    peak: peakIn(posts, windowMs),
    peakPerSecond: peakIn(posts, 1000),
    rateLimited: o.slack.calls.filter((c) => c.status === 429).length,
    wallMs,
    outcomes,
    errors,
  };
}
