/**
 * AlertStore on the esm-doctor table (`pk` / `sk`, TTL on `expiresAt`, epoch seconds):
 *
 *   pk                      sk              what
 *   alert#<esm uuid>        alert           the live (or last) alert of one ESM
 *   storm#<key>             member#<uuid>   an ESM that failed in that channel and cluster, when
 *   storm#<key>             parent          the storm's parent message
 *   aclaim#<key>            claim           an idempotency claim (event id, transition)
 *   slot#<lane>             slot            a channel's send lane: tickets, who is served, from when
 *
 * As in the Slack store, expired items count as absent (DynamoDB deletes them lazily).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { conditionally, documentClient, Table, TTL_ATTRIBUTE } from '../store/dynamodb';
import { ALERT_TTL, type AlertRecord, type AlertStore, type LaneState, type StormMember, type StormParent } from './alert-store';

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

/** Lane items outlive any storm's queue (100 posts at 1.1 s are two minutes); then TTL removes them. */
const SLOT_TTL_SECONDS = 24 * 3600;

export class DynamoAlertStore implements AlertStore {
  private readonly table: Table;
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly options: { table: string; client?: DynamoDBDocumentClient; now?: () => number }) {
    this.table = new Table(options.table, options.client ?? documentClient(), options.now);
    this.db = this.table.db;
  }

  private nowSeconds(): number {
    return this.table.nowSeconds();
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `aclaim#${key}`, sk: 'claim', [TTL_ATTRIBUTE]: this.nowSeconds() + ttlSeconds });
  }

  async release(key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.options.table, Key: { pk: `aclaim#${key}`, sk: 'claim' } }));
  }

  async getAlert(uuid: string): Promise<AlertRecord | undefined> {
    const stored = await this.table.getParsed(`alert#${uuid}`, 'alert', AlertItem);
    if (!stored) return undefined;
    const history = History.safeParse(JSON.parse(stored.history));
    return { ...stored, history: history.success ? history.data : [] };
  }

  async putAlert(record: AlertRecord, expected: number | undefined): Promise<boolean> {
    return this.table.putVersioned(
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
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      ExpressionAttributeValues: { ':pk': `storm#${stormKey}`, ':member': 'member#' },
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const m = this.table.isExpired(item) ? undefined : MemberItem.safeParse(item);
      return m?.success ? [m.data] : [];
    });
  }

  async getStormParent(stormKey: string): Promise<StormParent | undefined> {
    return this.table.getParsed(`storm#${stormKey}`, 'parent', ParentItem);
  }

  async putStormParent(stormKey: string, parent: StormParent, expected: number | undefined): Promise<boolean> {
    return this.table.putVersioned({ pk: `storm#${stormKey}`, sk: 'parent', ...parent, [TTL_ATTRIBUTE]: this.nowSeconds() + ALERT_TTL.stormSeconds }, expected);
  }

  private laneKey(lane: string) {
    return { pk: `slot#${lane}`, sk: 'slot' };
  }

  private static laneState(item: Record<string, unknown> | undefined): LaneState {
    return { serving: Number(item?.serving ?? 1), next: Number(item?.next ?? 0), leaseUntil: Number(item?.leaseUntil ?? 0) };
  }

  /** A conditional update on the lane item; false when its condition does not hold. */
  private async updateLane(lane: string, nowMs: number, update: string, condition: string, values: Record<string, unknown>): Promise<Record<string, unknown> | false> {
    const out = await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: this.laneKey(lane),
          UpdateExpression: `${update}, #exp = :exp`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE, ...(`${update} ${condition}`.includes('#next') ? { '#next': 'next' } : {}) },
          ExpressionAttributeValues: { ...values, ':exp': Math.floor(nowMs / 1000) + SLOT_TTL_SECONDS },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out && (out.Attributes ?? {});
  }

  /**
   * The lane item `slot#<lane>` is a ticket queue: `issued` (the last ticket handed out),
   * `serving`, `next`, `leaseUntil` (see LaneState). Taking a ticket is one of two conditional
   * updates, exactly one of which holds at any instant: an idle lane (no ticket outstanding)
   * serves the new ticket at once and gives it a fresh lease; a busy one only counts it. A refusal
   * means the other branch holds, so the loop ends. Why a queue in this table and not an SQS FIFO
   * queue per channel: docs/deploy.md "Storms and pacing".
   */
  async takeTicket(lane: string, nowMs: number, graceMs: number): Promise<LaneState & { ticket: number }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const idle = await this.updateLane(
        lane,
        nowMs,
        'SET issued = if_not_exists(issued, :zero) + :one, serving = if_not_exists(serving, :one), #next = if_not_exists(#next, :zero), leaseUntil = :lease',
        'attribute_not_exists(serving) OR serving > issued',
        { ':zero': 0, ':one': 1, ':lease': nowMs + graceMs },
      );
      const taken = idle || (await this.updateLane(lane, nowMs, 'SET issued = issued + :one', 'serving <= issued', { ':one': 1 }));
      if (taken) return { ...DynamoAlertStore.laneState(taken), ticket: Number(taken.issued) };
    }
    throw new Error(`could not take a ticket on ${lane}`);
  }

  async readLane(lane: string): Promise<LaneState> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.table, Key: this.laneKey(lane), ConsistentRead: true }));
    return DynamoAlertStore.laneState(out.Item);
  }

  async startTurn(lane: string, ticket: number, nowMs: number, leaseMs: number): Promise<boolean> {
    return Boolean(await this.updateLane(lane, nowMs, 'SET leaseUntil = :lease', 'serving = :t AND #next <= :now', { ':t': ticket, ':now': nowMs, ':lease': nowMs + leaseMs }));
  }

  async pauseTurn(lane: string, ticket: number, untilMs: number, leaseMs: number): Promise<void> {
    await this.updateLane(lane, untilMs, 'SET #next = :until, leaseUntil = :lease', 'serving = :t', { ':t': ticket, ':until': untilMs, ':lease': untilMs + leaseMs });
  }

  async finishTurn(lane: string, ticket: number, nextMs: number, graceMs: number): Promise<void> {
    const done = await this.updateLane(lane, nextMs, 'SET serving = :after, #next = :next, leaseUntil = :lease', 'serving = :t', {
      ':t': ticket,
      ':after': ticket + 1,
      ':next': nextMs,
      ':lease': nextMs + graceMs,
    });
    // Skipped while the call ran (it outlived its lease): still keep the next call clear of this one.
    if (!done) await this.updateLane(lane, nextMs, 'SET #next = :next', '#next < :next', { ':next': nextMs });
  }

  async skipTurn(lane: string, serving: number, nowMs: number, nextMs: number, graceMs: number): Promise<boolean> {
    return Boolean(
      await this.updateLane(lane, nowMs, 'SET serving = :after, #next = :next, leaseUntil = :lease', 'serving = :s AND leaseUntil < :now AND serving <= issued', {
        ':s': serving,
        ':after': serving + 1,
        ':now': nowMs,
        ':next': nextMs,
        ':lease': nextMs + graceMs,
      }),
    );
  }
}
