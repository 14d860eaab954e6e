/**
 * AlertStore on the esm-doctor table (`pk` / `sk`, TTL on `expiresAt`, epoch seconds):
 *
 *   pk                      sk              what
 *   alert#<esm uuid>        alert           the live (or last) alert of one ESM
 *   storm#<key>             member#<uuid>   an ESM that failed in that channel and cluster, when
 *   storm#<key>             parent          the storm's parent message
 *   aclaim#<key>            claim           an idempotency claim (event id, transition)
 *   slot#<lane>             slot            the next free send slot on a channel
 *
 * As in the Slack store, expired items count as absent (DynamoDB deletes them lazily).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { TTL_ATTRIBUTE } from '../slack/store-dynamodb';
import { ALERT_TTL, type AlertRecord, type AlertStore, type StormMember, type StormParent } from './alert-store';
import { documentClient, isConditionFailure } from './watch-store-dynamodb';

const History = z.array(z.object({ at: z.string(), text: z.string() }));

const AlertItem = z.object({
  uuid: z.string(),
  status: z.enum(['opening', 'open', 'closed']),
  channel: z.string(),
  ts: z.string().optional(),
  threadTs: z.string().optional(),
  stormKey: z.string().optional(),
  openedAt: z.string(),
  closedAt: z.string().optional(),
  lastObservedAt: z.string(),
  cause: z.string().optional(),
  lastProcessingResult: z.string().optional(),
  history: z.string(),
  version: z.number(),
  updatedAt: z.string(),
});

const MemberItem = z.object({ uuid: z.string(), at: z.string(), open: z.boolean(), label: z.string(), closedAt: z.string().optional() });
const ParentItem = z.object({
  channel: z.string(),
  ts: z.string().optional(),
  cluster: z.string(),
  openedAt: z.string(),
  closedAt: z.string().optional(),
  version: z.number(),
});

export class DynamoAlertStore implements AlertStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(private readonly options: { table: string; client?: DynamoDBDocumentClient; now?: () => number }) {
    this.db = options.client ?? documentClient();
    this.now = options.now ?? Date.now;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private async getLive(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.table, Key: { pk, sk }, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    if (typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= this.nowSeconds()) return undefined;
    return item;
  }

  /** Put conditional on `version` (undefined: absent or expired). */
  private async putVersioned(item: Record<string, unknown>, expected: number | undefined): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.options.table,
          Item: item,
          ...(expected === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
                ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
                ExpressionAttributeValues: { ':now': this.nowSeconds() },
              }
            : {
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': expected },
              }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return this.putVersioned({ pk: `aclaim#${key}`, sk: 'claim', [TTL_ATTRIBUTE]: this.nowSeconds() + ttlSeconds }, undefined);
  }

  async release(key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.options.table, Key: { pk: `aclaim#${key}`, sk: 'claim' } }));
  }

  async getAlert(uuid: string): Promise<AlertRecord | undefined> {
    const item = await this.getLive(`alert#${uuid}`, 'alert');
    const parsed = item ? AlertItem.safeParse(item) : undefined;
    if (!parsed?.success) return undefined;
    const history = History.safeParse(JSON.parse(parsed.data.history));
    return { ...parsed.data, history: history.success ? history.data : [] };
  }

  async putAlert(record: AlertRecord, expected: number | undefined): Promise<boolean> {
    return this.putVersioned(
      {
        pk: `alert#${record.uuid}`,
        sk: 'alert',
        ...record,
        history: JSON.stringify(record.history),
        [TTL_ATTRIBUTE]: this.nowSeconds() + ALERT_TTL.recordSeconds,
      },
      expected,
    );
  }

  async putStormMember(stormKey: string, member: StormMember): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.options.table,
        Item: { pk: `storm#${stormKey}`, sk: `member#${member.uuid}`, ...member, [TTL_ATTRIBUTE]: this.nowSeconds() + ALERT_TTL.stormSeconds },
      }),
    );
  }

  async stormMembers(stormKey: string): Promise<StormMember[]> {
    const out: StormMember[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.options.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
          ExpressionAttributeValues: { ':pk': `storm#${stormKey}`, ':member': 'member#' },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        if (typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= this.nowSeconds()) continue;
        const m = MemberItem.safeParse(item);
        if (m.success) out.push(m.data);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async getStormParent(stormKey: string): Promise<StormParent | undefined> {
    const item = await this.getLive(`storm#${stormKey}`, 'parent');
    const parsed = item ? ParentItem.safeParse(item) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  async putStormParent(stormKey: string, parent: StormParent, expected: number | undefined): Promise<boolean> {
    return this.putVersioned({ pk: `storm#${stormKey}`, sk: 'parent', ...parent, [TTL_ATTRIBUTE]: this.nowSeconds() + ALERT_TTL.stormSeconds }, expected);
  }

  async reserveSlot(lane: string, spacingMs: number, nowMs: number): Promise<number> {
    // Optimistic: read the next free slot, take it if nobody moved it meanwhile, else read again.
    for (let attempt = 0; attempt < 25; attempt++) {
      const out = await this.db.send(new GetCommand({ TableName: this.options.table, Key: { pk: `slot#${lane}`, sk: 'slot' }, ConsistentRead: true }));
      const next = typeof out.Item?.next === 'number' ? out.Item.next : undefined;
      const slot = Math.max(nowMs, next ?? 0);
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.options.table,
            Item: { pk: `slot#${lane}`, sk: 'slot', next: slot + spacingMs, [TTL_ATTRIBUTE]: Math.floor((slot + spacingMs) / 1000) + 3600 },
            ...(next === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: '#n = :n', ExpressionAttributeNames: { '#n': 'next' }, ExpressionAttributeValues: { ':n': next } }),
          }),
        );
        return slot;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    // Heavy contention: fall back to spacing by position rather than fail the alert.
    return nowMs + spacingMs;
  }
}
