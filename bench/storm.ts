/**
 * A storm at production pacing (1.1 s between posts, 1.2 s between parent edits per channel): 100
 * failing ESMs of one cluster, their events delivered at once to two alert handler instances that
 * share one DynamoDB table on moto, posting to the fake Slack Web API on loopback (the harness of
 * test/alerts/storm.test.ts). Prints posts, the peak posts in any 1-second window (Slack allows
 * about one per channel), wall time; then the same with a 3-second 429 phase (Retry-After: 1).
 * Skipped, saying why, without python3/moto.
 */
import { startMoto } from '../test/support/moto';
import { startFakeSlack } from '../test/slack/support/fake-slack';
import { createTable } from '../test/alerts/support/moto-aws';
import { runStorm } from '../test/alerts/support/storm';

const ESMS = 100;
const PACING = { postMs: 1100, updateMs: 1200 };

export async function run(): Promise<string[]> {
  const moto = await startMoto();
  if ('skipped' in moto) return [`skipped: ${moto.skipped}`];
  const slack = await startFakeSlack();
  const lines: string[] = [];
  try {
    for (const phase of ['no 429', '429 for 3 s'] as const) {
      await moto.reset();
      slack.reset();
      const table = 'esm-doctor-bench-storm';
      await createTable(moto.endpoint, table);
      if (phase !== 'no 429') slack.rateLimit('chat.postMessage', { forMs: 3000, retryAfterSeconds: 1 });
      const f = await runStorm({ motoEndpoint: moto.endpoint, table, slack, esms: ESMS, instances: 2, pacing: PACING });
      const once = [...f.perEsm.values()].filter((n) => n === 1).length;
      lines.push(
        `storm of ${ESMS} ESMs, 2 instances, ${phase}: ${f.posts} posts (${f.parents} parent, ${f.topLevelAlerts} alone, ${once}/${ESMS} ESMs exactly once), ` +
          `peak ${f.peakPerSecond} post(s) in any 1 s (target ≤ 1), ${f.rateLimited} answered 429, wall ${(f.wallMs / 1000).toFixed(1)} s (target ≈ ${((ESMS + 1) * PACING.postMs) / 1000} s)` +
          (f.errors.length ? `, ${f.errors.length} failed` : ''),
      );
    }
  } finally {
    await slack.close();
    await moto.stop();
  }
  return lines;
}
