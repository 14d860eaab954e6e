/**
 * End to end through the Lambda entry points: the schedule runs handlers/watcher, which lists the
 * ESM in moto, records its state in DynamoDB and publishes to the esm-doctor bus; the bus's alert
 * rule (the pattern the stack deploys) delivers to a queue this test reads, and each delivery is
 * handed to handlers/alert as EventBridge would invoke it. handlers/alert reads the Slack tokens
 * from Secrets Manager, diagnoses the ESM with the real engine (against moto) and posts to the fake
 * Slack API; the recovery edits that same message.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import type { KnownBlock } from '@slack/types';
import { alertPattern } from '../../infra/stack';
import { awsClients, seedMskIamWithNat, setEsmStatus } from '../support/aws-seed';
import { handlersOnMoto, loadHandler, scheduledTick } from './support/handlers';
import { captureBus, type DeliveredEvent } from './support/moto-aws';
import { fakeBotToken } from '../fixtures/slack-tokens';

const BOT_TOKEN = fakeBotToken('e2etoken');
const { gate, world, deploy } = handlersOnMoto('the end-to-end alert test');

const headerOf = (blocks: KnownBlock[]) => (blocks[0] as { text: { text: string } }).text.text;

gate.it('event → alert → recovery: the watcher sees the ESM fail, the alert handler posts the diagnosis once, and edits it when the ESM recovers', async () => {
  const { moto, slack } = world();
  const endpoint = moto.endpoint;
  const c = awsClients({ endpoint });
  try {
    // The ESM's world: MSK with IAM auth, but the cluster SG does not admit the brokers' port from itself.
    const s = await seedMskIamWithNat(c, { endpoint }, { selfReferencingRule: false });
    await deploy({ table: 'esm-doctor-e2e', botToken: BOT_TOKEN, env: { ESM_DOCTOR_RECOVERY_HOLD_MINUTES: '0' } });
    const alertRule = await captureBus(endpoint, 'esm-doctor', 'alert-target', alertPattern());
    const watcher = loadHandler('watcher');
    const alert = loadHandler('alert');
    const deliver = async (): Promise<DeliveredEvent[]> => alertRule.drain();

    // Minute 0: a healthy ESM, seen for the first time: an event, but not one the alert rule takes.
    expect(await watcher(scheduledTick(0))).toMatchObject({ trigger: 'schedule', published: 1 });
    expect(await deliver()).toEqual([]);

    // Lambda starts reporting a connection error.
    await setEsmStatus(endpoint, s.uuid, { LastProcessingResult: 'PROBLEM: Connection error. Please check your event source connection configuration.' });
    expect(await watcher(scheduledTick(1))).toMatchObject({ published: 1 });
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
    await watcher(scheduledTick(2));
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
