/**
 * WatchStore on the esm-doctor table (the same `pk` / `sk` table as the Slack store):
 *
 *   pk                          sk            what
 *   watch#<account>#<region>    esm#<uuid>    what the watcher last published about one ESM, its outbox
 *
 * One Query reads a scope (1,000 ESMs ≈ 0.5 MB: one or two pages); nothing is written while nothing
 * changes. Writes are conditional on `version`. No TTL: a record lives as long as its ESM.
 */
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { EsmIdentity, EsmStateChange, ObservedState } from '../model/events';
import { conditionally, documentClient, Table } from '../store/dynamodb';
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

export { documentClient, isConditionFailure } from '../store/dynamodb';

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
  private readonly table: Table;

  constructor(private readonly options: { table: string; client?: DynamoDBDocumentClient }) {
    this.table = new Table(options.table, options.client ?? documentClient());
  }

  async load(scope: string): Promise<WatchRecord[]> {
    // Eventually consistent is enough: a stale read only makes a conditional write fail.
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk(scope) } });
    return items.flatMap((item) => fromItem(item) ?? []);
  }

  async get(scope: string, uuid: string): Promise<WatchRecord | undefined> {
    // Watch records carry no TTL attribute: the table's "live or absent" read and condition are the plain ones.
    const item = await this.table.get(pk(scope), sk(uuid));
    return item ? fromItem(item) : undefined;
  }

  async write(scope: string, record: WatchRecord, expected: number | undefined): Promise<boolean> {
    const { pending, ...rest } = record;
    return this.table.putVersioned({ pk: pk(scope), sk: sk(record.uuid), ...rest, ...(pending.length ? { pending: JSON.stringify(pending) } : {}) }, expected);
  }

  async settle(scope: string, record: Settled, now: string): Promise<boolean> {
    const Key = { pk: pk(scope), sk: sk(record.uuid) };
    const condition = { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' } };
    const { db, name: TableName } = this.table;
    const settled = await conditionally(() =>
      record.deleted
        ? db.send(new DeleteCommand({ TableName, Key, ...condition, ExpressionAttributeValues: { ':v': record.version } }))
        : db.send(
            new UpdateCommand({
              TableName,
              Key,
              UpdateExpression: 'REMOVE pending SET #v = :next, updatedAt = :now',
              ...condition,
              ExpressionAttributeValues: { ':v': record.version, ':next': record.version + 1, ':now': now },
            }),
          ),
    );
    return settled !== false;
  }
}
