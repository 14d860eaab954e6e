/**
 * "Changed before the failure" through the deployed entry points: the alert handler and the Slack
 * worker, each built from the environment the stack gives it (ESM_DOCTOR_CHANGES on or off,
 * test/infra/changes.test.ts pins that), diagnose a real failing ESM in moto — someone revoked the
 * cluster SG's self-referencing rule, and moto_ext's CloudTrail history recorded the call — and
 * post to the fake Slack API. On: the message names the revoke, who made it and when. Off: no
 * section, and the engine is never asked to look changes up.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { alertHandler } from '../../bot/handlers/alert';
import { workerHandler } from '../../bot/slack/aws';
import { loadSlackConfig } from '../../bot/slack/config';
import { createLogger } from '../../bot/slack/log';
import { diagnose } from '../../bot/diagnose';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../bot/model/events';
import { motoGate, type Moto } from '../support/moto';
import { awsClients, seedMskIamWithNat, setEsmStatus, SEED_ACCOUNT, type MskScenario } from '../support/aws-seed';
import { startFakeSlack, type FakeSlack } from '../slack/support/fake-slack';
import { createTable } from './support/moto-aws';
import { fakeBotToken } from '../fixtures/slack-tokens';

const REGION = 'eu-west-1';
const BOT_TOKEN = fakeBotToken('changes');
const gate = motoGate('the changes-section handler test');
let moto: Moto | undefined;
let slack: FakeSlack;
let s: MskScenario;
const savedEnv = process.env;
const silent = createLogger({ sink: () => undefined });

beforeAll(async () => {
  if (gate.missing) return;
  moto = await gate.start();
  slack = await startFakeSlack();
  // The SDK clients the engine makes read the endpoint and credentials from process.env.
  process.env = { ...savedEnv, ...moto.env, AWS_EC2_METADATA_DISABLED: 'true' };
  const c = awsClients({ endpoint: moto.endpoint });
  try {
    s = await seedMskIamWithNat(c, { endpoint: moto.endpoint });
    await c.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: s.clusterSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: s.clusterSecurityGroupId, Description: 'Kafka clients in this SG' }] }],
      }),
    );
    await setEsmStatus(moto.endpoint, s.uuid, { LastProcessingResult: 'PROBLEM: Connection error. Please check your event source connection configuration.' });
    for (const table of ['changes-on', 'changes-off']) await createTable(moto.endpoint, table);
  } finally {
    c.destroy();
  }
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await slack?.close();
  await moto?.stop();
});

/** What the stack sets on the alert and worker functions (infra/stack.ts), with the tokens inline. */
function deployedEnv(changes: 'on' | 'off'): Record<string, string> {
  return {
    ...moto!.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    ESM_DOCTOR_TABLE: `changes-${changes}`,
    ESM_DOCTOR_DEFAULT_REGION: REGION,
    ESM_DOCTOR_REGIONS: REGION,
    ESM_DOCTOR_ACCOUNTS: '[]',
    ESM_DOCTOR_ACCOUNT_ID: SEED_ACCOUNT,
    ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
    ESM_DOCTOR_CHANNEL_PREFIXES: '{}',
    ESM_DOCTOR_INSPECT_SECRETS: 'false',
    ESM_DOCTOR_CHANGES: changes,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924',
    ESM_DOCTOR_BUTTON_KEY: 'b'.repeat(48),
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: 'warn',
  };
}

function failingEvent(id: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    version: '0',
    id,
    'detail-type': EVENT_DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: SEED_ACCOUNT,
    time: now,
    region: REGION,
    resources: [],
    detail: {
      uuid: s.uuid,
      esmArn: s.esmArn,
      functionArn: s.functionArn,
      eventSource: s.clusterArn,
      region: REGION,
      account: SEED_ACCOUNT,
      health: 'failing',
      previous: { state: 'Enabled', lastProcessingResult: 'OK' },
      current: { state: 'Enabled', lastProcessingResult: 'PROBLEM: Connection error. Please check your event source connection configuration.' },
      observedAt: now,
    },
  };
}

/** The real engine, counting the diagnoses it was asked to add Report.changes to. */
function countingEngine(): { engine: typeof diagnose; lookups: () => number } {
  let lookups = 0;
  const engine: typeof diagnose = async (target, options) => {
    const result = await diagnose(target, options);
    if (options?.changes) lookups += 1;
    return result;
  };
  return { engine, lookups: () => lookups };
}

const blocksText = (call: { args: Record<string, unknown> }) => JSON.stringify(call.args.blocks);
const REVOKE = () => new RegExp(`Changed (less than a minute|\\d+ min) before the failure: RevokeSecurityGroupIngress on ${s.clusterSecurityGroupId} by arn:aws:iam::${SEED_ACCOUNT}:user/moto`);

describe('ESM_DOCTOR_CHANGES in the Slack configuration', () => {
  it('is on only when the deployment says on, and a bad value names the variable', () => {
    const base = { SLACK_BOT_TOKEN: BOT_TOKEN, ESM_DOCTOR_TABLE: 't-1', ESM_DOCTOR_BUTTON_KEY: 'b'.repeat(48) };
    expect(loadSlackConfig({ ...base, ESM_DOCTOR_CHANGES: 'on' }, 'worker').changes).toBe(true);
    expect(loadSlackConfig({ ...base, ESM_DOCTOR_CHANGES: 'off' }, 'worker').changes).toBe(false);
    expect(loadSlackConfig(base, 'worker').changes).toBe(false);
    expect(() => loadSlackConfig({ ...base, ESM_DOCTOR_CHANGES: 'yes' }, 'worker')).toThrow(/ESM_DOCTOR_CHANGES.*must be on or off/);
  });
});

describe('the alert handler', () => {
  gate.it('on: the failure alert says what changed before the failure, who changed it and when', async () => {
    slack.reset();
    const counting = countingEngine();
    const handler = alertHandler(deployedEnv('on'), { logger: silent }, counting.engine);
    expect(await handler(failingEvent('changes-on-1'))).toMatchObject({ outcome: 'posted', channel: 'C0ALERTS' });
    const post = slack.callsOf('chat.postMessage')[0]!;
    expect(blocksText(post)).toContain('network.sg-broker-ingress');
    expect(blocksText(post)).toContain('*Changed before the failure*');
    expect(blocksText(post)).toMatch(REVOKE());
    expect(counting.lookups()).toBe(1);
  }, 60_000);

  gate.it('off: the same failure, no changes section and no lookup', async () => {
    slack.reset();
    const counting = countingEngine();
    const handler = alertHandler(deployedEnv('off'), { logger: silent }, counting.engine);
    expect(await handler(failingEvent('changes-off-1'))).toMatchObject({ outcome: 'posted' });
    const post = slack.callsOf('chat.postMessage')[0]!;
    expect(blocksText(post)).toContain('network.sg-broker-ingress');
    expect(blocksText(post)).not.toContain('Changed before the failure');
    expect(blocksText(post)).not.toContain('RevokeSecurityGroupIngress');
    expect(counting.lookups()).toBe(0);
  }, 60_000);
});

describe('the Slack worker (/esm diagnose)', () => {
  const job = (key: string) => ({ kind: 'diagnose', target: { uuid: s.uuid, region: REGION }, channel: 'C0ONCALL', user: 'U0ALICE', idempotencyKey: key });

  gate.it('on: the report shows the revoke; off: it does not', async () => {
    for (const [changes, shown] of [['on', true], ['off', false]] as const) {
      slack.reset();
      const counting = countingEngine();
      const handler = workerHandler(deployedEnv(changes), counting.engine, { logger: silent });
      expect(await handler(job(`worker-${changes}`))).toEqual({ outcome: 'posted' });
      const text = blocksText(slack.callsOf('chat.postMessage')[0]!);
      expect([changes, text.includes('network.sg-broker-ingress')]).toEqual([changes, true]);
      expect([changes, REVOKE().test(text)]).toEqual([changes, shown]);
      expect([changes, counting.lookups()]).toEqual([changes, shown ? 1 : 0]);
    }
  }, 90_000);
});
