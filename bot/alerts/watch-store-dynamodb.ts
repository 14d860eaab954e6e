/**
 * WatchStore on the esm-doctor table (the same `pk` / `sk` table as the Slack store):
 *
 *   pk                          sk            what
 *   watch#<account>#<region>    esm#<uuid>    what the watcher last published about one ESM, its outbox
 *
 * One Query reads a scope (1,000 ESMs ≈ 0.5 MB: one or two pages); nothing is written while nothing
 * changes. Writes are conditional on `version`. No TTL: a record lives as long as its ESM.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { EsmIdentity, EsmStateChange, ObservedState } from '../model/events';
import type { WatchRecord } from './transitions';
import type { Settled, WatchStore } from './watch-store';

const Item = EsmIdentity.extend({
  health: z.enum(['failing', 'stalled', 'healthy']),
  observed: ObservedState,
  signature: z.string(),
  since: z.string(),
  recoveringSince: z.string().optional(),
  deleted: z.boolean().optional(),
  pending: z.string().optional(),
  version: z.number(),
  updatedAt: z.string(),
});

export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

const pk = (scope: string) => `watch#${scope}`;
const sk = (uuid: string) => `esm#${uuid}`;

function fromItem(item: Record<string, unknown>): WatchRecord | undefined {
  const parsed = Item.safeParse(item);
  if (!parsed.success) return undefined;
  const { pending, ...rest } = parsed.data;
  const events = pending ? z.array(EsmStateChange).safeParse(JSON.parse(pending)) : undefined;
  return { ...rest, pending: events?.success ? events.data : [] };
}

export class DynamoWatchStore implements WatchStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly options: { table: string; client?: DynamoDBDocumentClient }) {
    this.db = options.client ?? documentClient();
  }

  async load(scope: string): Promise<WatchRecord[]> {
    const out: WatchRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // Eventually consistent is enough: a stale read only makes a conditional write fail.
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.options.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk(scope) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const r = fromItem(item);
        if (r) out.push(r);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async get(scope: string, uuid: string): Promise<WatchRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.options.table, Key: { pk: pk(scope), sk: sk(uuid) }, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async write(scope: string, record: WatchRecord, expected: number | undefined): Promise<boolean> {
    const { pending, ...rest } = record;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.options.table,
          Item: { pk: pk(scope), sk: sk(record.uuid), ...rest, ...(pending.length ? { pending: JSON.stringify(pending) } : {}) },
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': expected } }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async settle(scope: string, record: Settled, now: string): Promise<boolean> {
    const Key = { pk: pk(scope), sk: sk(record.uuid) };
    const condition = { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' } };
    try {
      if (record.deleted) {
        await this.db.send(new DeleteCommand({ TableName: this.options.table, Key, ...condition, ExpressionAttributeValues: { ':v': record.version } }));
      } else {
        await this.db.send(
          new UpdateCommand({
            TableName: this.options.table,
            Key,
            UpdateExpression: 'REMOVE pending SET #v = :next, updatedAt = :now',
            ...condition,
            ExpressionAttributeValues: { ':v': record.version, ':next': record.version + 1, ':now': now },
          }),
        );
      }
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
