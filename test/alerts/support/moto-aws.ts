/**
 * The AWS side of the alert path in moto: the esm-doctor table, the bus, and a capture of what the
 * bus delivers (a rule → an SQS queue, read back through moto's SQS query API, since the project has
 * no SQS client).
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { createSqsQueue, SEED_ACCOUNT, SEED_REGION } from '../../support/aws-seed';
import type { EventPattern } from 'aws-cdk-lib/aws-events';

export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

export function clientConfig(endpoint: string) {
  return { endpoint, region: SEED_REGION, credentials: CREDENTIALS, maxAttempts: 1 };
}

export async function createTable(endpoint: string, name: string): Promise<void> {
  const ddb = new DynamoDBClient(clientConfig(endpoint));
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  ddb.destroy();
}

/** A CDK EventPattern made of plain values, as EventBridge reads it. */
export function patternJson(pattern: EventPattern): string {
  const { detailType, ...rest } = pattern as Record<string, unknown>;
  return JSON.stringify({ ...rest, ...(detailType ? { 'detail-type': detailType } : {}) });
}

export interface DeliveredEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  [key: string]: unknown;
}

function sqs(endpoint: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${SEED_REGION}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
}

const decode = (xml: string) => xml.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** A rule on `bus` with `pattern`, delivering to a fresh queue; drain() answers what arrived since the last drain. */
export async function captureBus(endpoint: string, bus: string, name: string, pattern: EventPattern): Promise<{ drain(): Promise<DeliveredEvent[]> }> {
  const eb = new EventBridgeClient(clientConfig(endpoint));
  const queueArn = await createSqsQueue({ endpoint }, name);
  await eb.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: patternJson(pattern) }));
  await eb.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'capture', Arn: queueArn }] }));
  eb.destroy();
  const queueUrl = `${endpoint}/${SEED_ACCOUNT}/${name}`;
  return {
    async drain() {
      const out: DeliveredEvent[] = [];
      for (;;) {
        const res = await sqs(endpoint, { Action: 'ReceiveMessage', QueueUrl: queueUrl, MaxNumberOfMessages: '10' });
        const xml = await res.text();
        const messages = [...xml.matchAll(/<Message>.*?<ReceiptHandle>(.*?)<\/ReceiptHandle>.*?<Body>(.*?)<\/Body>.*?<\/Message>/gs)];
        if (!messages.length) return out;
        for (const [, handle, body] of messages) {
          out.push(JSON.parse(decode(body!)) as DeliveredEvent);
          await sqs(endpoint, { Action: 'DeleteMessage', QueueUrl: queueUrl, ReceiptHandle: decode(handle!) });
        }
      }
    },
  };
}

export async function createBus(endpoint: string, name: string): Promise<void> {
  const eb = new EventBridgeClient(clientConfig(endpoint));
  await eb.send(new CreateEventBusCommand({ Name: name }));
  eb.destroy();
}
