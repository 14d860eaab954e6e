/**
 * SlackStore on one DynamoDB table (`pk` / `sk` strings, TTL attribute `expiresAt`, epoch seconds):
 *
 *   pk                        sk       what
 *   msg#<channel>#<ts>        report   the last report shown in a message (JSON), its target, re-run note
 *   ack#<esm uuid>            ack      who acknowledged which cause, when
 *   claim#<key>               claim    an idempotency claim
 *   fix#<plan hash>           fix      a fix request: its state, who asked and approved, the plan (JSON)
 *
 * DynamoDB deletes expired items lazily (typically within days), so every read and every condition
 * also compares `expiresAt` with the clock: an expired item counts as absent.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { FixPlan } from '../model/fix-plan';
import { Report } from '../model/report';
import { Target } from '../model/target';
import type { AcknowledgeResult, Acknowledgement, CreateFixResult, FixRequest, FixState, SlackStore, StoredMessage } from './store';
import { acknowledgedFor, TTL } from './store';

const FixItem = z.object({
  hash: z.string(),
  id: z.string(),
  state: z.enum(['pending', 'approved', 'applying', 'applied', 'failed', 'refused', 'cancelled', 'expired']),
  plan: z.string(),
  target: Target,
  channel: z.string(),
  ts: z.string(),
  planTs: z.string().optional(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  /** FixRequest.expiresAt, renamed: `expiresAt` is the table's TTL attribute. */
  requestExpiresAt: z.string(),
  approvedBy: z.string().optional(),
  approvedAt: z.string().optional(),
  closedBy: z.string().optional(),
  outcome: z.string().optional(),
});

export const TTL_ATTRIBUTE = 'expiresAt';

const StoredMessageItem = z.object({
  channel: z.string(),
  ts: z.string(),
  target: Target,
  report: z.string(),
  rerun: z.string().optional(),
  preface: z.array(z.string()).optional(),
});

const AckItem = z.object({
  uuid: z.string(),
  cause: z.string(),
  by: z.string(),
  at: z.string(),
  channel: z.string().optional(),
  ts: z.string().optional(),
});

function fixRequestOf(item: z.infer<typeof FixItem>, plan: FixPlan): FixRequest {
  const { requestExpiresAt, plan: _json, ...rest } = item;
  return { ...(withoutUndefined(rest) as Omit<FixRequest, 'plan' | 'expiresAt'>), expiresAt: requestExpiresAt, plan };
}

export interface DynamoStoreOptions {
  table: string;
  client?: DynamoDBDocumentClient;
  now?: () => number;
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class DynamoStore implements SlackStore {
  private readonly table: string;
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(options: DynamoStoreOptions) {
    this.table = options.table;
    this.db =
      options.client ??
      DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    this.now = options.now ?? Date.now;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private async getLive(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    if (typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= this.nowSeconds()) return undefined;
    return item;
  }

  async getMessage(channel: string, ts: string): Promise<StoredMessage | undefined> {
    const item = await this.getLive(`msg#${channel}#${ts}`, 'report');
    if (!item) return undefined;
    const parsed = StoredMessageItem.safeParse(item);
    if (!parsed.success) return undefined;
    const report = Report.safeParse(JSON.parse(parsed.data.report));
    if (!report.success) return undefined;
    const raw = JSON.parse(parsed.data.report) as { pollerMode?: unknown };
    return {
      channel: parsed.data.channel,
      ts: parsed.data.ts,
      target: parsed.data.target,
      // zod strips what the Report contract does not name; the Slack extras are put back.
      report: { ...report.data, ...(raw.pollerMode === 'on-demand' || raw.pollerMode === 'provisioned' ? { pollerMode: raw.pollerMode } : {}) },
      ...(parsed.data.rerun ? { rerun: JSON.parse(parsed.data.rerun) } : {}),
      ...(parsed.data.preface ? { preface: parsed.data.preface } : {}),
    };
  }

  async putMessage(message: StoredMessage): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `msg#${message.channel}#${message.ts}`,
          sk: 'report',
          channel: message.channel,
          ts: message.ts,
          target: message.target,
          report: JSON.stringify(message.report),
          ...(message.rerun ? { rerun: JSON.stringify(message.rerun) } : {}),
          ...(message.preface?.length ? { preface: message.preface } : {}),
          [TTL_ATTRIBUTE]: this.nowSeconds() + TTL.messageSeconds,
        },
      }),
    );
  }

  async acknowledge(ack: Acknowledgement): Promise<AcknowledgeResult> {
    return this.tryAcknowledge(ack, 2);
  }

  private async tryAcknowledge(ack: Acknowledgement, attempts: number): Promise<AcknowledgeResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `ack#${ack.uuid}`, sk: 'ack', ...withoutUndefined(ack), [TTL_ATTRIBUTE]: this.nowSeconds() + TTL.ackSeconds },
          // A new cause, or a lapsed acknowledgement, may be acknowledged again.
          ConditionExpression: 'attribute_not_exists(pk) OR #cause <> :cause OR #exp <= :now',
          ExpressionAttributeNames: { '#cause': 'cause', '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':cause': ack.cause, ':now': this.nowSeconds() },
        }),
      );
      return { recorded: true, ack };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getAcknowledgement(ack.uuid);
      // Cleared between the write and the read: try once more rather than report a ghost.
      if (!existing && attempts > 1) return this.tryAcknowledge(ack, attempts - 1);
      if (!existing) throw err;
      return { recorded: false, existing };
    }
  }

  async getAcknowledgement(uuid: string): Promise<Acknowledgement | undefined> {
    const item = await this.getLive(`ack#${uuid}`, 'ack');
    const parsed = item ? AckItem.safeParse(item) : undefined;
    if (!parsed?.success) return undefined;
    const { channel, ts, ...rest } = parsed.data;
    return { ...rest, ...(channel ? { channel } : {}), ...(ts ? { ts } : {}) };
  }

  async clearAcknowledgement(uuid: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `ack#${uuid}`, sk: 'ack' } }));
  }

  async isAcknowledged(uuid: string, cause: string): Promise<boolean> {
    return acknowledgedFor(await this.getAcknowledgement(uuid), cause) !== undefined;
  }

  async claim(key: string, ttlSeconds: number = TTL.claimSeconds): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `claim#${key}`, sk: 'claim', [TTL_ATTRIBUTE]: this.nowSeconds() + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
          ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async createFixRequest(request: FixRequest): Promise<CreateFixResult> {
    const { plan, expiresAt, ...rest } = request;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `fix#${request.hash}`, sk: 'fix', ...withoutUndefined(rest), requestExpiresAt: expiresAt, plan: JSON.stringify(plan), [TTL_ATTRIBUTE]: this.nowSeconds() + TTL.fixSeconds },
          // Free when absent, lapsed, finished, or pending past its expiry (ISO strings compare in time order).
          ConditionExpression:
            'attribute_not_exists(pk) OR #exp <= :now OR NOT (#state IN (:pending, :approved, :applying)) OR (#state = :pending AND requestExpiresAt <= :nowIso)',
          ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE, '#state': 'state' },
          ExpressionAttributeValues: {
            ':now': this.nowSeconds(),
            ':nowIso': new Date(this.now()).toISOString(),
            ':pending': 'pending',
            ':approved': 'approved',
            ':applying': 'applying',
          },
        }),
      );
      return { created: true, request };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getFixRequest(request.hash);
      if (!existing) throw err;
      return { created: false, existing };
    }
  }

  async getFixRequest(hash: string): Promise<FixRequest | undefined> {
    const item = await this.getLive(`fix#${hash}`, 'fix');
    const parsed = item ? FixItem.safeParse(item) : undefined;
    if (!parsed?.success) return undefined;
    const plan = FixPlan.safeParse(JSON.parse(parsed.data.plan));
    if (!plan.success) return undefined;
    return fixRequestOf(parsed.data, plan.data);
  }

  async updateFixRequest(
    hash: string,
    id: string,
    from: readonly FixState[],
    change: Partial<Omit<FixRequest, 'hash' | 'id' | 'plan'>>,
  ): Promise<FixRequest | undefined> {
    const fields = Object.entries(withoutUndefined(change)).map(([k, v]) => [k === 'expiresAt' ? 'requestExpiresAt' : k, v] as const);
    const names: Record<string, string> = { '#id': 'id', '#state': 'state', '#exp': TTL_ATTRIBUTE };
    const values: Record<string, unknown> = { ':id': id, ':now': this.nowSeconds() };
    from.forEach((state, i) => (values[`:from${i}`] = state));
    const sets = fields.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    if (!sets.length || !from.length) return undefined;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `fix#${hash}`, sk: 'fix' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #id = :id AND #exp > :now AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const parsed = FixItem.safeParse(out.Attributes);
      const plan = parsed.success ? FixPlan.safeParse(JSON.parse(parsed.data.plan)) : undefined;
      if (!parsed.success || !plan?.success) return undefined;
      return fixRequestOf(parsed.data, plan.data);
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }
}
