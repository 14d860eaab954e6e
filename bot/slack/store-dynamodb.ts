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
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { FixPlan } from '../model/fix-plan';
import { Report } from '../model/report';
import { Target } from '../model/target';
import { conditionally, documentClient, Table, TTL_ATTRIBUTE, type Condition, type Item } from '../store/dynamodb';
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

export { TTL_ATTRIBUTE } from '../store/dynamodb';

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

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class DynamoStore implements SlackStore {
  private readonly dynamo: Table;
  private readonly table: string;
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(options: DynamoStoreOptions) {
    this.dynamo = new Table(options.table, options.client ?? documentClient(), options.now);
    this.table = options.table;
    this.db = this.dynamo.db;
    this.now = options.now ?? Date.now;
  }

  private nowSeconds(): number {
    return this.dynamo.nowSeconds();
  }


  async getMessage(channel: string, ts: string): Promise<StoredMessage | undefined> {
    const stored = await this.dynamo.getParsed(`msg#${channel}#${ts}`, 'report', StoredMessageItem);
    if (!stored) return undefined;
    const report = Report.safeParse(JSON.parse(stored.report));
    if (!report.success) return undefined;
    const raw = JSON.parse(stored.report) as { pollerMode?: unknown };
    return {
      channel: stored.channel,
      ts: stored.ts,
      target: stored.target,
      // zod strips what the Report contract does not name; the Slack extras are put back.
      report: { ...report.data, ...(raw.pollerMode === 'on-demand' || raw.pollerMode === 'provisioned' ? { pollerMode: raw.pollerMode } : {}) },
      ...(stored.rerun ? { rerun: JSON.parse(stored.rerun) } : {}),
      ...(stored.preface ? { preface: stored.preface } : {}),
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

  /**
   * Puts `item` when its key is free (`putIfFree`): undefined. Otherwise the live item that holds it,
   * read back; one freed between the write and the read is tried once more rather than reported as a ghost.
   */
  private async putOrHolder<T>(item: Item, orWhen: Condition, holder: () => Promise<T | undefined>, attempts = 2): Promise<T | undefined> {
    if (await this.dynamo.putIfFree(item, orWhen)) return undefined;
    const existing = await holder();
    if (existing) return existing;
    if (attempts > 1) return this.putOrHolder(item, orWhen, holder, attempts - 1);
    throw new Error(`the conditional put on ${String(item.pk)} was refused, yet no live item holds that key`);
  }

  async acknowledge(ack: Acknowledgement): Promise<AcknowledgeResult> {
    const item = { pk: `ack#${ack.uuid}`, sk: 'ack', ...withoutUndefined(ack), [TTL_ATTRIBUTE]: this.nowSeconds() + TTL.ackSeconds };
    // A new cause, or a lapsed acknowledgement, may be acknowledged again.
    const newCause = { expression: '#cause <> :cause', names: { '#cause': 'cause' }, values: { ':cause': ack.cause } };
    const existing = await this.putOrHolder(item, newCause, () => this.getAcknowledgement(ack.uuid));
    return existing ? { recorded: false, existing } : { recorded: true, ack };
  }

  async getAcknowledgement(uuid: string): Promise<Acknowledgement | undefined> {
    const stored = await this.dynamo.getParsed(`ack#${uuid}`, 'ack', AckItem);
    if (!stored) return undefined;
    const { channel, ts, ...rest } = stored;
    return { ...rest, ...(channel ? { channel } : {}), ...(ts ? { ts } : {}) };
  }

  async clearAcknowledgement(uuid: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `ack#${uuid}`, sk: 'ack' } }));
  }

  async isAcknowledged(uuid: string, cause: string): Promise<boolean> {
    return acknowledgedFor(await this.getAcknowledgement(uuid), cause) !== undefined;
  }

  async claim(key: string, ttlSeconds: number = TTL.claimSeconds): Promise<boolean> {
    return this.dynamo.putIfAbsent({ pk: `claim#${key}`, sk: 'claim', [TTL_ATTRIBUTE]: this.nowSeconds() + ttlSeconds });
  }

  async createFixRequest(request: FixRequest): Promise<CreateFixResult> {
    const { plan, expiresAt, ...rest } = request;
    const item = { pk: `fix#${request.hash}`, sk: 'fix', ...withoutUndefined(rest), requestExpiresAt: expiresAt, plan: JSON.stringify(plan), [TTL_ATTRIBUTE]: this.nowSeconds() + TTL.fixSeconds };
    // Free when absent, lapsed, finished, or pending past its expiry (ISO strings compare in time order).
    const finished = {
      expression: 'NOT (#state IN (:pending, :approved, :applying)) OR (#state = :pending AND requestExpiresAt <= :nowIso)',
      names: { '#state': 'state' },
      values: { ':nowIso': new Date(this.now()).toISOString(), ':pending': 'pending', ':approved': 'approved', ':applying': 'applying' },
    };
    const existing = await this.putOrHolder(item, finished, () => this.getFixRequest(request.hash));
    return existing ? { created: false, existing } : { created: true, request };
  }

  async getFixRequest(hash: string): Promise<FixRequest | undefined> {
    const stored = await this.dynamo.getParsed(`fix#${hash}`, 'fix', FixItem);
    if (!stored) return undefined;
    const plan = FixPlan.safeParse(JSON.parse(stored.plan));
    return plan.success ? fixRequestOf(stored, plan.data) : undefined;
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
    const out = await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `fix#${hash}`, sk: 'fix' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #id = :id AND #exp > :now AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (out === false) return undefined;
    const parsed = FixItem.safeParse(out.Attributes);
    const plan = parsed.success ? FixPlan.safeParse(JSON.parse(parsed.data.plan)) : undefined;
    if (!parsed.success || !plan?.success) return undefined;
    return fixRequestOf(parsed.data, plan.data);
  }
}
