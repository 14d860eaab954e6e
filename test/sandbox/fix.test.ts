/**
 * Fix it in the sandbox, through the page's API (which signs every click as Slack does and sends it
 * to the real Bolt app): "you" asks, "sam (teammate)" approves, the production writer changes the
 * sandbox account's facts, the re-diagnosis is healthy and the message says so.
 */
import { startSandbox, type Sandbox } from '../../bot/sandbox/server';
import { SANDBOX_IDS, type ChannelMessage } from '../../bot/sandbox/workspace';
import { createLogger } from '../../bot/slack/log';

let sandbox: Sandbox;
let base: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, watcher: false, diagnoseDelayMs: 0, logger: createLogger({ level: 'error', sink: () => undefined }), timeZone: 'UTC' });
  base = `http://127.0.0.1:${sandbox.port}`;
});

afterAll(async () => {
  await sandbox.stop();
});

const uuidOf = (scenario: string) => sandbox.accounts.list().find((e) => e.scenario.id === scenario && !e.watched)!.uuid;
const text = (m: ChannelMessage | undefined) => JSON.stringify(m?.blocks ?? []);

type Element = { type: string; action_id?: string };
function actionIds(m: ChannelMessage | undefined): string[] {
  return ((m?.blocks ?? []) as { type: string; elements?: Element[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
}

async function page(path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { ok: boolean };
  await sandbox.idle();
  return json;
}

async function diagnosed(uuid: string): Promise<ChannelMessage> {
  await page('/sandbox/command', { text: `diagnose ${uuid}` });
  return sandbox.workspace.history().filter((m) => m.user === SANDBOX_IDS.botUser && !m.ephemeralFor && !m.threadTs).at(-1)!;
}

const ephemeralFor = (user: string) => sandbox.workspace.history().filter((m) => m.ephemeralFor === user).at(-1);

describe.each([
  ['msk-sg-missing-self-rule', 'network.sg-broker-ingress', 'ec2:AuthorizeSecurityGroupIngress'],
  ['msk-role-missing-kafka-cluster', 'iam.execution-role', 'iam:PutRolePolicy'],
])('Fix it on %s', (scenario, check, operation) => {
  it('is asked by one person, refused to that person as approver, approved by the teammate, and the ESM turns healthy', async () => {
    const uuid = uuidOf(scenario);
    const report = await diagnosed(uuid);
    expect(text(report)).toContain('Failing');
    expect(actionIds(report)).toContain('esm_fix_0');

    expect((await page('/sandbox/action', { ts: report.ts, actionId: 'esm_fix_0' })).ok).toBe(true);
    const request = sandbox.workspace.replies(report.ts).at(-1)!;
    expect(text(request)).toContain('Fix requested');
    expect(text(request)).toContain(operation);
    expect(actionIds(request)).toEqual(['esm_fix_approve', 'esm_fix_cancel']);

    // The requester cannot approve their own fix: nothing changes.
    await page('/sandbox/action', { ts: request.ts, actionId: 'esm_fix_approve' });
    expect(text(ephemeralFor(SANDBOX_IDS.user))).toContain('someone else must approve it');
    expect(text(sandbox.workspace.find(report.ts))).toContain('Failing');

    // The teammate approves: the fix is applied to the sandbox account and the ESM diagnosed again.
    await page('/sandbox/action', { ts: request.ts, actionId: 'esm_fix_approve', as: 'teammate' });
    const after = sandbox.workspace.find(report.ts)!;
    expect((after.blocks![0] as { text: { text: string } }).text.text).toMatch(/^:large_green_circle: Healthy/);
    expect(text(after)).toContain('Fix applied');
    expect(actionIds(after)).not.toContain('esm_fix_0');
    const record = sandbox.workspace.replies(report.ts).at(-1)!;
    expect(text(record)).toContain('Fix applied');
    expect(text(record)).toContain(`<@${SANDBOX_IDS.user}>`);
    expect(text(record)).toContain(`<@${SANDBOX_IDS.teammate}>`);
    expect(text(record)).toContain('To undo');
    expect(text(sandbox.workspace.find(request.ts))).not.toContain('esm_fix_approve');

    // The fix stays in the account: a fresh diagnosis is healthy too.
    const again = await diagnosed(uuid);
    expect(text(again)).toContain('Healthy');
    void check;
  });
});

describe('Fix it on the watcher\'s alert', () => {
  let alerting: Sandbox;
  beforeAll(async () => {
    alerting = await startSandbox({
      port: 0,
      watcher: { failAfterMs: 20, recoverAfterMs: 10 * 60_000 },
      alerts: { pacing: { postMs: 0, updateMs: 0 } },
      diagnoseDelayMs: 0,
      logger: createLogger({ level: 'error', sink: () => undefined }),
      timeZone: 'UTC',
    });
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('is approved by the teammate and the alert turns green', async () => {
    const deadline = Date.now() + 5000;
    let alert: ChannelMessage | undefined;
    while (!alert && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      await alerting.idle();
      alert = alerting.workspace.history().find((m) => m.user === SANDBOX_IDS.botUser && !m.threadTs && text(m).includes('Alert'));
    }
    expect(alert).toBeDefined();
    expect(actionIds(alert)).toContain('esm_fix_0');
    await alerting.click(alert!.ts, 'esm_fix_0');
    await alerting.idle();
    const request = alerting.workspace.replies(alert!.ts).find((m) => text(m).includes('Fix requested'))!;
    await alerting.click(request.ts, 'esm_fix_approve', undefined, 'teammate');
    await alerting.idle();
    const after = alerting.workspace.find(alert!.ts)!;
    expect((after.blocks![0] as { text: { text: string } }).text.text).toMatch(/^:large_green_circle: Healthy/);
    expect(text(after)).toContain('Alert');
    expect(text(after)).toContain('Fix applied');
  });
});
