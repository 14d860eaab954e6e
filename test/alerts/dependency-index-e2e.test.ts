/**
 * The dependency index through the Lambda entry points, against moto and the fake Slack API: the
 * scheduled handlers/watcher indexes the ESM in the table, someone revokes the cluster SG's
 * self-referencing rule, and handlers/impact (the pre-alert) finds the ESM in the index — no
 * account-wide listing — re-diagnoses it (recording it again) and posts the pre-alert.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { documentClient } from '../../bot/store/dynamodb';
import { indexScope } from '../../bot/impact/dependency-index';
import { DynamoDependencyIndex } from '../../bot/impact/dependency-index-dynamodb';
import { awsClients, seedMskIamWithNat, SEED_ACCOUNT, SEED_REGION } from '../support/aws-seed';
import { handlersOnMoto, loadHandler, scheduledTick } from './support/handlers';
import { clientConfig } from './support/moto-aws';
import { fakeBotToken } from '../fixtures/slack-tokens';

const { gate, world, deploy } = handlersOnMoto('the dependency index through the handlers');

function revokeEvent(groupId: string, port: number): Record<string, unknown> {
  const event = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/cloudtrail/revoke-security-group-ingress.json'), 'utf8')) as { detail: Record<string, unknown>; time: string; id: string };
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  event.detail.requestParameters = { groupId, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: port, toPort: port, groups: { items: [{ groupId }] } }] } };
  event.detail.eventTime = time;
  event.time = time;
  delete event.detail.resources;
  return event;
}

gate.it('the watcher handler indexes the ESM; the pre-alert handler finds it in the index and posts the pre-alert', async () => {
  const { moto, slack } = world();
  const endpoint = moto.endpoint;
  const c = awsClients({ endpoint });
  const ddb = new DynamoDBClient(clientConfig(endpoint));
  try {
    const s = await seedMskIamWithNat(c, { endpoint });
    await deploy({ table: 'esm-doctor-idx', botToken: fakeBotToken('idxtoken') });
    const watcher = loadHandler('watcher');
    const impact = loadHandler('impact');
    const index = new DynamoDependencyIndex({ table: 'esm-doctor-idx', client: documentClient(ddb) });
    const scope = indexScope(SEED_ACCOUNT, SEED_REGION);
    const sg = s.clusterSecurityGroupId;

    const run = await watcher(scheduledTick(0));
    expect(run.scopes[0].index).toMatchObject({ refreshed: 1, written: 1, swept: true });
    expect((await index.dependents(scope, [sg])).map((d) => d.uuid)).toEqual([s.uuid]);
    const [before] = await index.load(scope);

    await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: sg, Description: 'Kafka clients in this SG' }] }] }));
    const assessed = await impact(revokeEvent(sg, 9098));
    expect(assessed).toMatchObject({ outcome: 'assessed', event: 'RevokeSecurityGroupIngress', dependents: 1, broken: 1, indexed: [SEED_REGION] });
    expect(assessed.preAlerts).toEqual([expect.objectContaining({ outcome: 'posted' })]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(JSON.stringify(slack.callsOf('chat.postMessage')[0]!.args.blocks)).toContain('network.sg-broker-ingress');
    // The re-diagnosis recorded the ESM again: same keys, so nothing was written.
    expect((await index.load(scope))[0]).toEqual(before);
  } finally {
    c.destroy();
    ddb.destroy();
  }
}, 120_000);
