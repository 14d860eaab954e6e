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
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  claimedAt: z.string().optional(),
  version: z.number(),
});

/** Slot items outlive any storm's queue (100 posts at 1.1 s are two minutes); then TTL removes them. */
const SLOT_TTL_SECONDS = 24 * 3600;

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

  /**
   * A monotonic slot counter on one item, `next` = the first free send time (epoch ms). Two
   * conditional updates, exactly one of which holds at any instant for a given `now`:
   *   - the lane is idle (`next` absent or ≤ now): take `now`, set next = now + spacing;
   *   - the lane is busy (`next` > now): take `next`, add spacing to it (an atomic increment, so
   *     concurrent callers each get their own slot, spaced by `spacingMs`, in the order DynamoDB
   *     serialised them).
   * A refused condition only means the other branch holds now, so the loop always ends; no caller
   * ever falls back to an unreserved time (the old read-then-put gave up after 25 refusals and
   * posted at `now + spacing`, which is how 100 concurrent alerts made 32 posts in one second).
   * Why DynamoDB and not an SQS FIFO queue per channel: the alert path already holds its state in
   * this table, a slot costs two writes at most, and the waiting happens in the invocation that
   * has the message in hand — a queue would need a second consumer Lambda whose concurrency and
   * batch timing set the pace instead of this rule, and a message group per channel created on
   * the fly. docs/deploy.md "Storms and pacing".
   */
  async reserveSlot(lane: string, spacingMs: number, nowMs: number): Promise<number> {
    const Key = { pk: `slot#${lane}`, sk: 'slot' };
    const names = { '#n': 'next', '#exp': TTL_ATTRIBUTE };
    const expiresAt = Math.floor(nowMs / 1000) + SLOT_TTL_SECONDS;
    for (let attempt = 0; attempt < 1000; attempt++) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.options.table,
            Key,
            UpdateExpression: 'SET #n = :next, #exp = :exp',
            ConditionExpression: 'attribute_not_exists(#n) OR #n <= :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':next': nowMs + spacingMs, ':now': nowMs, ':exp': expiresAt },
          }),
        );
        return nowMs;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      try {
        const out = await this.db.send(
          new UpdateCommand({
            TableName: this.options.table,
            Key,
            UpdateExpression: 'SET #n = #n + :spacing, #exp = :exp',
            ConditionExpression: '#n > :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':spacing': spacingMs, ':now': nowMs, ':exp': expiresAt },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(out.Attributes?.next) - spacingMs;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    // Unreachable in practice (each refusal means the other branch holds); never post unpaced.
    throw new Error(`could not reserve a send slot on ${lane}`);
  }

  async pauseLane(lane: string, untilMs: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: { pk: `slot#${lane}`, sk: 'slot' },
          UpdateExpression: 'SET #n = :until, #exp = :exp',
          // Never moves the lane back: a later pause, or slots already handed out past it, stay.
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :until',
          ExpressionAttributeNames: { '#n': 'next', '#exp': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':until': untilMs, ':exp': Math.floor(untilMs / 1000) + SLOT_TTL_SECONDS },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
