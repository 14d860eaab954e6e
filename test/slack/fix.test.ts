/**
 * Fix it → Approve / Cancel, through the public entry point: signed HTTP requests to the real Bolt
 * app (HTTPReceiver), its Web API calls captured by a local fake Slack, fixes applied in-process by
 * the remediation runner with a recording `apply`.
 */
import type { Server } from 'node:http';
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { HTTPReceiver } from '@slack/bolt';
import { createApp } from '../../bot/slack/app';
import { signDecisionValue, verifyDecisionValue, verifyFixValue } from '../../bot/slack/fix-button';
import { loadSlackConfig } from '../../bot/slack/config';
import type { Diagnose } from '../../bot/slack/engine';
import { createLogger } from '../../bot/slack/log';
import { MemoryStore } from '../../bot/slack/store';
import type { ApplyFixPlan } from '../../bot/slack/remediation';
import { sealPlan, type FixPlan } from '../../bot/model/fix-plan';
import type { SlackReport } from '../../bot/slack/blocks';
import { startFakeSlack, type FakeSlack } from './support/fake-slack';
import { blockActionBody, signedHeaders, SIGNING_SECRET, slashCommandBody } from './support/signing';
import { ACCOUNT, CLUSTER_SG, ESM_UUID, failingReport, healthyReport, REGION } from './support/reports';
import { FAKE_BOT_TOKEN } from '../fixtures/slack-tokens';

const FORM = 'application/x-www-form-urlencoded';
const BUTTON_KEY = 'k'.repeat(40);

function sgPlan(port = 9098): FixPlan {
  return sealPlan({
    kind: 'sg-self-ingress',
    check: 'network.sg-broker-ingress',
    esm: { uuid: ESM_UUID, region: REGION, account: ACCOUNT },
    steps: [
      {
        call: {
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          params: { GroupId: CLUSTER_SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, Description: `esm-doctor: ESM ${ESM_UUID}` }] }] },
        },
        effect: `Allows tcp/${port} into ${CLUSTER_SG} from members of ${CLUSTER_SG} (the ESM's ENIs)`,
        undo: {
          service: 'ec2',
          operation: 'RevokeSecurityGroupIngress',
          params: { GroupId: CLUSTER_SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }] },
        },
        command: `aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port ${port} --source-group ${CLUSTER_SG} --region ${REGION}`,
        undoCommand: `aws ec2 revoke-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port ${port} --source-group ${CLUSTER_SG} --region ${REGION}`,
      },
    ],
  });
}

/** The failing report, its SG finding carrying a plan (as i16a's builders attach it). */
function fixableReport(plan = sgPlan()): SlackReport {
  const report = failingReport();
  return {
    ...report,
    findings: report.findings.map((f) =>
      f.check === plan.check ? { ...f, remedy: { summary: 'Add the self-referencing rule.', commands: [plan.steps[0]!.command], plan } } : f,
    ),
  };
}

let slack: FakeSlack;
let server: Server;
let endpoint: string;
let store: MemoryStore;
let diagnose: jest.MockedFunction<Diagnose>;
let apply: jest.MockedFunction<ApplyFixPlan>;
let stopApp: () => Promise<unknown>;
let clock: Date;
let logs: string[];

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.usergroups.S0SRE = ['U0CAROL'];
  const config = loadSlackConfig(
    {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ESM_DOCTOR_BUTTON_KEY: BUTTON_KEY,
      ESM_DOCTOR_DEFAULT_REGION: REGION,
      ESM_DOCTOR_REMEDIATION: 'on',
      ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE,U0BOB',
      ESM_DOCTOR_FIX_APPROVER_GROUPS: 'S0SRE',
    },
    'http',
  );
  logs = [];
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  store = new MemoryStore(() => clock.getTime());
  diagnose = jest.fn();
  apply = jest.fn();
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', logger, processBeforeResponse: true });
  const app = createApp(config, { receiver, store, diagnose, apply, logger, now: () => clock });
  server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
  stopApp = () => app.stop();
});

afterAll(async () => {
  await stopApp();
  await slack.close();
});

beforeEach(() => {
  slack.reset();
  diagnose.mockReset();
  apply.mockReset();
  apply.mockImplementation(async (plan, log) => {
    for (const step of plan.steps) log(`${step.call.service}:${step.call.operation}`);
    return { applied: plan.steps.length };
  });
  // An hour apart per test: a request left pending by one test has expired by the next.
  clock = new Date(Date.parse('2026-11-20T09:14:30.000Z') + ++testIndex * 3600_000);
});
let testIndex = 0;

async function post(body: string, options: Parameters<typeof signedHeaders>[2] = {}) {
  const res = await fetch(endpoint, { method: 'POST', headers: signedHeaders(body, FORM, options), body });
  await res.text();
  return res.status;
}

function buttons(blocks: KnownBlock[] | undefined): Button[] {
  return (blocks ?? []).filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

let seq = 0;
async function click(actionId: string, value: string, messageTs: string, user: string, options: Parameters<typeof signedHeaders>[2] & { actionTs?: string } = {}) {
  const body = blockActionBody({ actionId, value, messageTs, user, responseUrl: slack.responseUrl(`act-${++seq}`), actionTs: options.actionTs ?? `1763630100.${seq}` });
  return post(body, options);
}

/** What the clicker was told privately (response_url), after the last click. */
function lastNotice(): string {
  return JSON.stringify(slack.responses.at(-1)?.body ?? {});
}

/** Lets the in-process remediation runner (after the ack) finish. */
async function settle(ms = 150) {
  await new Promise((r) => setTimeout(r, ms));
}

// The fake Slack numbers its posts 1763630000.000101, .000102, …; the report's ts is the newest stored
// message's, once the job has stored it (just after its chat.postMessage answered).
async function newestStored(): Promise<string | undefined> {
  for (let s = 600; s >= 100; s--) {
    const ts = `1763630000.${String(s).padStart(6, '0')}`;
    if (await store.getMessage('C0INCIDENT', ts)) return ts;
  }
  return undefined;
}

let previousReport: string | undefined;
async function reportTs(): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const ts = await newestStored();
    if (ts && ts !== previousReport) return (previousReport = ts);
    if (Date.now() > deadline) throw new Error('no new stored report');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Fix it', () => {
  it('is offered on a finding with a plan, signed for that plan, and posts the plan in the thread asking for approval', async () => {
    diagnose.mockResolvedValueOnce(fixableReport());
    await post(slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('cmd'), triggerId: 't-first' }));
    const posted = await slack.waitFor(() => slack.callsOf('chat.postMessage')[0]);
    const fix = buttons(posted.args.blocks).find((b) => b.action_id === 'esm_fix_0')!;
    expect(fix.text.text).toBe('Fix it');
    expect(verifyFixValue(Buffer.from(BUTTON_KEY), fix.value)).toMatchObject({ uuid: ESM_UUID, check: 'network.sg-broker-ingress', hash: sgPlan().hash });
    const ts = await reportTs();
    slack.reset();

    await click('esm_fix_0', fix.value!, ts, 'U0ALICE');
    const request = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts));
    const text = JSON.stringify(request.args.blocks);
    expect(text).toContain('Fix requested');
    expect(text).toContain('<@U0ALICE>');
    expect(text).toContain('ec2:AuthorizeSecurityGroupIngress');
    expect(text).toContain(`aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG}`);
    expect(text).toContain(`aws ec2 revoke-security-group-ingress --group-id ${CLUSTER_SG}`);
    expect(buttons(request.args.blocks).map((b) => b.action_id)).toEqual(['esm_fix_approve', 'esm_fix_cancel']);
    expect(apply).not.toHaveBeenCalled();
  });

  it('is not offered when remediation is off', () => {
    const config = loadSlackConfig({ SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'http');
    expect(config.remediation).toBeUndefined();
  });
});

/** A report posted and Fix it pressed by U0ALICE; returns the report ts, the request's thread ts and the Approve value. */
async function pending(report = fixableReport()) {
  diagnose.mockResolvedValueOnce(report);
  await post(slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('cmd'), triggerId: `t-${++seq}` }));
  const posted = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => !c.args.thread_ts));
  const fix = buttons(posted.args.blocks).find((b) => b.action_id === 'esm_fix_0')!;
  const ts = await reportTs();
  slack.reset();
  await click('esm_fix_0', fix.value!, ts, 'U0ALICE');
  const request = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts));
  const value = buttons(request.args.blocks).find((b) => b.action_id === 'esm_fix_approve')!.value!;
  const hash = verifyDecisionValue(Buffer.from(BUTTON_KEY), value)!.hash;
  const planTs = (await store.getFixRequest(hash))!.planTs!;
  slack.reset();
  return { ts, planTs, value, hash };
}

describe('Approve', () => {
  it('from another approver applies the plan once, re-diagnoses, edits the report and records the fix in the thread', async () => {
    const { ts, planTs, value, hash } = await pending();
    diagnose.mockResolvedValueOnce(fixableReport()).mockResolvedValueOnce(healthyReport());
    await click('esm_fix_approve', value, planTs, 'U0BOB');
    const outcome = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts));
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply.mock.calls[0]![0].hash).toBe(hash);
    const record = JSON.stringify(outcome.args.blocks);
    expect(record).toContain('Fix applied');
    expect(record).toContain('<@U0ALICE>');
    expect(record).toContain('<@U0BOB>');
    expect(record).toContain('aws ec2 authorize-security-group-ingress');
    expect(record).toContain('aws ec2 revoke-security-group-ingress');
    expect(record).toContain('healthy');
    const edited = slack.callsOf('chat.update').find((c) => c.args.ts === ts)!;
    expect(edited.args.blocks[0].text.text).toMatch(/^:large_green_circle: Healthy/);
    expect(JSON.stringify(edited.args.blocks)).toContain('Fix applied');
    expect((await store.getFixRequest(hash))).toMatchObject({ state: 'applied', requestedBy: 'U0ALICE', approvedBy: 'U0BOB' });
    expect((await store.getMessage('C0INCIDENT', ts))!.report.verdict).toBe('healthy');
  });

  it('by the requester is refused: nothing is applied', async () => {
    const { planTs, value, hash } = await pending();
    await click('esm_fix_approve', value, planTs, 'U0ALICE');
    await settle();
    expect(lastNotice()).toContain('someone else must approve it');
    expect(apply).not.toHaveBeenCalled();
    expect((await store.getFixRequest(hash))!.state).toBe('pending');
  });

  it('by someone who is not an approver is refused; a member of the approver group may approve', async () => {
    const { ts, planTs, value, hash } = await pending();
    await click('esm_fix_approve', value, planTs, 'U0MALLORY');
    await settle();
    expect(lastNotice()).toContain('Only the configured approvers');
    expect(apply).not.toHaveBeenCalled();
    diagnose.mockResolvedValueOnce(fixableReport()).mockResolvedValueOnce(healthyReport());
    await click('esm_fix_approve', value, planTs, 'U0CAROL');
    await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts));
    expect(apply).toHaveBeenCalledTimes(1);
    expect((await store.getFixRequest(hash))!.approvedBy).toBe('U0CAROL');
  });

  it('after 15 minutes is refused as expired', async () => {
    const { planTs, value, hash } = await pending();
    clock = new Date(clock.getTime() + 15 * 60_000 + 1000);
    await click('esm_fix_approve', value, planTs, 'U0BOB');
    await settle();
    expect(lastNotice()).toContain('expired');
    expect(apply).not.toHaveBeenCalled();
    expect((await store.getFixRequest(hash))!.state).toBe('expired');
    const edited = slack.callsOf('chat.update').find((c) => c.args.ts === planTs)!;
    expect(buttons(edited.args.blocks)).toEqual([]);
  });

  it('with a tampered value, another plan hash, or another channel is refused', async () => {
    const { planTs, value, hash } = await pending();
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const tampered = [
      JSON.stringify({ ...parsed, exp: (parsed.exp as number) + 3600 }),
      JSON.stringify({ ...parsed, hash: sgPlan(9096).hash }),
      // Validly signed, but for another channel than the one it is clicked in.
      signDecisionValue(Buffer.from(BUTTON_KEY), { id: parsed.id as string, hash, channel: 'C0OTHER', ts: parsed.ts as string, exp: parsed.exp as number }),
      // Validly signed with another key.
      signDecisionValue(Buffer.from('x'.repeat(40)), { id: parsed.id as string, hash, channel: 'C0INCIDENT', ts: parsed.ts as string, exp: parsed.exp as number }),
    ];
    for (const v of tampered) {
      await click('esm_fix_approve', v, planTs, 'U0BOB');
      await settle(50);
      expect(lastNotice()).toMatch(/did not check out|another channel/);
    }
    expect(apply).not.toHaveBeenCalled();
    expect((await store.getFixRequest(hash))!.state).toBe('pending');
  });

  it('retried by Slack, clicked twice and re-delivered applies once', async () => {
    const { ts, planTs, value, hash } = await pending();
    diagnose.mockResolvedValue(fixableReport());
    diagnose.mockResolvedValueOnce(fixableReport()).mockResolvedValueOnce(healthyReport());
    await Promise.all([
      click('esm_fix_approve', value, planTs, 'U0BOB', { actionTs: '1763630200.000001' }),
      click('esm_fix_approve', value, planTs, 'U0BOB', { actionTs: '1763630200.000001', retryNum: 1 }),
      click('esm_fix_approve', value, planTs, 'U0CAROL', { actionTs: '1763630200.000002' }),
    ]);
    await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts));
    await settle(200);
    expect(apply).toHaveBeenCalledTimes(1);
    const request = (await store.getFixRequest(hash))!;
    expect(request.state).toBe('applied');
    // The remediation event delivered again (Lambda retries async invokes): nothing more happens.
    const { runRemediation } = await import('../../bot/slack/remediation');
    const again = await runRemediation(
      { hash, id: request.id },
      { slack: { chat: {} as never }, store, diagnose, apply, buttonKey: Buffer.from(BUTTON_KEY), logger: createLogger({ level: 'error', sink: () => undefined }), approvers: { users: [], groups: [] } },
    );
    expect(again).toBe('duplicate');
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('is refused, with nothing applied, when the plan changed since it was approved', async () => {
    const { ts, planTs, value, hash } = await pending();
    // Someone edited the SG meanwhile: the fresh diagnosis plans something else.
    diagnose.mockResolvedValueOnce(fixableReport(sgPlan(9096)));
    await click('esm_fix_approve', value, planTs, 'U0BOB');
    await slack.waitFor(() => slack.callsOf('chat.update').find((c) => c.args.ts === planTs && JSON.stringify(c.args.blocks).includes('Not applied')));
    expect(apply).not.toHaveBeenCalled();
    expect((await store.getFixRequest(hash))).toMatchObject({ state: 'refused', outcome: expect.stringContaining('plan changed') });
    void ts;
  });
});

describe('Cancel', () => {
  it('withdraws the request: Approve no longer applies it', async () => {
    const { planTs, value, hash } = await pending();
    await click('esm_fix_cancel', value, planTs, 'U0ALICE');
    await settle();
    expect((await store.getFixRequest(hash))).toMatchObject({ state: 'cancelled', closedBy: 'U0ALICE' });
    const edited = slack.callsOf('chat.update').find((c) => c.args.ts === planTs)!;
    expect(JSON.stringify(edited.args.blocks)).toContain('Withdrawn by <@U0ALICE>');
    expect(buttons(edited.args.blocks)).toEqual([]);
    await click('esm_fix_approve', value, planTs, 'U0BOB');
    await settle();
    expect(lastNotice()).toContain('withdrawn');
    expect(apply).not.toHaveBeenCalled();
  });

  it('by someone neither the requester nor an approver is refused', async () => {
    const { planTs, value, hash } = await pending();
    await click('esm_fix_cancel', value, planTs, 'U0MALLORY');
    await settle();
    expect(lastNotice()).toContain('Only whoever asked');
    expect((await store.getFixRequest(hash))!.state).toBe('pending');
  });
});
