/**
 * End to end through the Lambda entry points: the schedule runs handlers/watcher, which lists the
 * ESM in moto, records its state in DynamoDB and publishes to the esm-doctor bus; the bus's alert
 * rule (the pattern the stack deploys) delivers to a queue this test reads, and each delivery is
 * handed to handlers/alert as EventBridge would invoke it. handlers/alert reads the Slack tokens
 * from Secrets Manager, diagnoses the ESM with the real engine (against moto) and posts to the fake
 * Slack API; the recovery edits that same message.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KnownBlock } from '@slack/types';
import { alertPattern } from '../../infra/stack';
import { motoGate, type Moto } from '../support/moto';
import { awsClients, seedMskIamWithNat, setEsmStatus, SEED_ACCOUNT } from '../support/aws-seed';
import { startFakeSlack, type FakeSlack } from '../slack/support/fake-slack';
import { captureBus, clientConfig, createBus, createTable, type DeliveredEvent } from './support/moto-aws';
import { fakeBotToken } from '../fixtures/slack-tokens';

const BOT_TOKEN = fakeBotToken('e2etoken');
const gate = motoGate('the end-to-end alert test');
let moto: Moto | undefined;
let slack: FakeSlack;
const savedEnv = process.env;
const quiet = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];

beforeAll(async () => {
  if (gate.missing) return;
  moto = await gate.start();
  slack = await startFakeSlack();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  quiet.forEach((q) => q.mockRestore());
  await slack?.close();
  await moto?.stop();
});

type Handler = (event: unknown) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(path: string): Handler {
  return (require(path) as { handler: Handler }).handler; // eslint-disable-line @typescript-eslint/no-require-imports
}

const tick = (minute: number) => ({
  version: '0',
  id: `tick-${minute}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: SEED_ACCOUNT,
  time: new Date().toISOString(),
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/EsmDoctor-EveryMinute'],
  detail: {},
});

const headerOf = (blocks: KnownBlock[]) => (blocks[0] as { text: { text: string } }).text.text;

gate.it('event → alert → recovery: the watcher sees the ESM fail, the alert handler posts the diagnosis once, and edits it when the ESM recovers', async () => {
  if (!moto) throw new Error('moto is not running');
  const endpoint = moto.endpoint;
  const c = awsClients({ endpoint });
  try {
    // The ESM's world: MSK with IAM auth, but the cluster SG does not admit the brokers' port from itself.
    const s = await seedMskIamWithNat(c, { endpoint }, { selfReferencingRule: false });
    await createTable(endpoint, 'esm-doctor-e2e');
    await createBus(endpoint, 'esm-doctor');
    const alertRule = await captureBus(endpoint, 'esm-doctor', 'alert-target', alertPattern());
    const sm = new SecretsManagerClient(clientConfig(endpoint));
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: 'esm-doctor/slack',
        SecretString: JSON.stringify({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924', ESM_DOCTOR_BUTTON_KEY: 'b'.repeat(48) }),
      }),
    );
    sm.destroy();

    process.env = {
      ...savedEnv,
      ...moto.env,
      ESM_DOCTOR_TABLE: 'esm-doctor-e2e',
      ESM_DOCTOR_EVENT_BUS: 'esm-doctor',
      ESM_DOCTOR_REGIONS: 'eu-west-1',
      ESM_DOCTOR_ACCOUNT_ID: SEED_ACCOUNT,
      ESM_DOCTOR_RECOVERY_HOLD_MINUTES: '0',
      ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
      SLACK_SECRET_ARN: secret.ARN!,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'warn',
    };
    delete process.env.SLACK_BOT_TOKEN;
    const watcher = load('../../bot/handlers/watcher');
    const alert = load('../../bot/handlers/alert');
    const deliver = async (): Promise<DeliveredEvent[]> => alertRule.drain();

    // Minute 0: a healthy ESM, seen for the first time: an event, but not one the alert rule takes.
    expect(await watcher(tick(0))).toMatchObject({ trigger: 'schedule', published: 1 });
    expect(await deliver()).toEqual([]);

    // Lambda starts reporting a connection error.
    await setEsmStatus(endpoint, s.uuid, { LastProcessingResult: 'PROBLEM: Connection error. Please check your event source connection configuration.' });
    expect(await watcher(tick(1))).toMatchObject({ published: 1 });
    const [failing] = await deliver();
    expect(failing).toMatchObject({ 'detail-type': 'ESM State Change', detail: { uuid: s.uuid, health: 'failing' } });

    const posted = await alert(failing);
    expect(posted).toMatchObject({ outcome: 'posted', channel: 'C0ALERTS', ts: expect.stringMatching(/^\d+\.\d+$/) });
    const post = slack.callsOf('chat.postMessage')[0]!;
    expect(post.token).toBe(BOT_TOKEN); // from Secrets Manager
    expect(post.args.channel).toBe('C0ALERTS');
    expect(headerOf(post.args.blocks)).toMatch(/^:red_circle: Failing: Cluster security group sg-\w+ does not admit the ESM on 9098/);
    expect(JSON.stringify(post.args.blocks)).toContain('*orders-consumer* ← `orders`');
    const text = JSON.stringify(post.args.blocks);
    expect(text).toContain('network.sg-broker-ingress');
    expect(text).toContain('*Alert* from the esm-doctor watcher');
    expect(text).not.toContain(BOT_TOKEN);

    // EventBridge delivers at least once: the same event again changes nothing.
    expect(await alert(failing)).toMatchObject({ outcome: 'duplicate' });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);

    // Someone fixes it; with no hold configured the recovery is published at the next run.
    await setEsmStatus(endpoint, s.uuid, { LastProcessingResult: 'OK' });
    await watcher(tick(2));
    const [recovered] = await deliver();
    expect(recovered).toMatchObject({ detail: { uuid: s.uuid, health: 'recovered' } });
    expect(await alert(recovered)).toMatchObject({ outcome: 'closed', ts: posted.ts });
    const update = slack.callsOf('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0ALERTS', ts: posted.ts });
    expect(headerOf(update.args.blocks)).toMatch(/^:large_green_circle: Recovered after .*: orders-consumer ← orders/);
    expect(JSON.stringify(update.args.blocks)).toContain('The last diagnosis while it was failing');
    const reply = slack.callsOf('chat.postMessage').at(-1)!;
    expect(reply.args.thread_ts).toBe(update.args.ts);
    expect(reply.args.text).toMatch(/Recovered after/);

    // A malformed event is refused without a retry.
    expect(await alert({ source: 'esm-doctor', 'detail-type': 'ESM State Change', detail: {} })).toMatchObject({ outcome: 'rejected' });
  } finally {
    c.destroy();
  }
}, 90_000);
