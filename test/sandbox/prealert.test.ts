/**
 * The sandbox's scripted change: the self-referencing rule of the watched ESM's cluster SG is
 * revoked; the pre-alert arrives (through bot/impact, as in AWS) before Lambda notices, and the
 * failure alert the watcher publishes later lands in the pre-alert's thread: one thread, no second
 * alert.
 */
import { startSandbox } from '../../bot/sandbox/server';
import type { ChannelMessage } from '../../bot/sandbox/workspace';
import { createLogger } from '../../bot/slack/log';

const logger = createLogger({ level: 'error', sink: () => undefined });
const blocksText = (m: ChannelMessage) => JSON.stringify(m.blocks ?? []);

async function waitFor<T>(find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('posts the pre-alert for the revoked rule first; the failure alert joins its thread', async () => {
  const activity: string[] = [];
  const sandbox = await startSandbox({
    port: 0,
    watcher: { changeAfterMs: 20, failAfterMs: 3_000, recoverAfterMs: 60_000 },
    diagnoseDelayMs: 0,
    logger,
    onActivity: (line: string) => activity.push(line),
    alerts: { pacing: { postMs: 0, updateMs: 0 } },
  });
  try {
    const watched = sandbox.accounts.list().find((e) => e.watched)!;
    // Every ESM on the cluster is broken by the revoke and gets its own pre-alert; follow the watched one's.
    const pre = await waitFor(() => sandbox.workspace.history().find((m) => blocksText(m).includes('*Pre-alert*') && blocksText(m).includes(watched.uuid)));
    expect(blocksText(pre)).toContain('`RevokeSecurityGroupIngress` on `sg-0a1b2c3d4e5f60718`');
    expect(blocksText(pre)).toContain('`network.sg-broker-ingress`');
    expect(blocksText(pre)).toContain(watched.uuid);
    expect(activity.some((l) => l.startsWith('CloudTrail: RevokeSecurityGroupIngress on sg-0a1b2c3d4e5f60718'))).toBe(true);
    // No failure alert yet: Lambda has not noticed. Every alert so far is a pre-alert.
    const alerts = sandbox.workspace.history().filter((m) => blocksText(m).includes(':rotating_light: *Alert*'));
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts.filter((m) => !blocksText(m).includes('*Pre-alert*'))).toEqual([]);

    const reply = await waitFor(() => sandbox.workspace.replies(pre.ts)[0]);
    expect(reply.text).toMatch(/Still failing; Lambda now says/);
    await sandbox.idle();
    // One top-level message for this ESM: the pre-alert, edited in place by the failure alert.
    const topLevel = sandbox.workspace.history().filter((m) => blocksText(m).includes(watched.uuid));
    expect(topLevel.map((m) => m.ts)).toEqual([pre.ts]);
    expect(sandbox.workspace.find(pre.ts)!.edited).toBe(true);
  } finally {
    await sandbox.stop();
  }
}, 30_000);
