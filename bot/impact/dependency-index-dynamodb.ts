/**
 * The dependency index (./dependency-index) on the esm-doctor table (`pk` / `sk`):
 *
 *   pk                                   sk           what
 *   deps#<account>#<region>              esm#<uuid>   one ESM: its keys, the configuration they came from, version
 *   deps#<account>#<region>              swept        when the watcher last saw every ESM of the scope
 *   deps#<account>#<region>#<key>        esm#<uuid>   the ESM depends on that resource (uuid, arn, function)
 *
 * A lookup is one Query per touched key; the watcher's comparison is one Query per scope. An ESM's
 * keys are replaced in one TransactWriteItems: the ESM item (conditional on the version read) with
 * the key items it gains (Put) and loses (Delete), so a lookup never sees half a move, and of two
 * diagnoses recording the same ESM at once the second re-reads and writes only its own difference.
 * A transaction holds 100 items: a larger difference (rare; an ESM has ~10-30 keys) writes the key
 * items first in transactions of their own and the ESM item last, so an interrupted write is
 * finished by the next one. Permissions: PutItem and DeleteItem cover the transaction's items
 * (DynamoDB developer guide, "Using IAM with DynamoDB transactions"), GetItem and Query the reads.
 * No TTL: the watcher removes an ESM's items when the ESM is gone.
 */
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documentClient, Table } from '../store/dynamodb';
import type { Dependencies } from './dependencies';
import { keepEntry, sameEntry, type Dependent, type DependencyIndex, type IndexedEsm, type RecordOptions, type RecordOutcome } from './dependency-index';

const EsmItem = z.object({
  uuid: z.string().min(1),
  arn: z.string().optional(),
  functionArn: z.string(),
  keys: z.array(z.string()),
  config: z.string(),
  refreshedAt: z.string(),
  version: z.number().int(),
});
const EdgeItem = z.object({ uuid: z.string().min(1), arn: z.string().optional(), functionArn: z.string() });
const SweptItem = z.object({ at: z.string() });

/** TransactWriteItems' limit. */
const MAX_ITEMS = 100;
const ATTEMPTS = 3;

const scopePk = (scope: string) => `deps#${scope}`;
const edgePk = (scope: string, key: string) => `deps#${scope}#${key}`;
const esmSk = (uuid: string) => `esm#${uuid}`;

type WriteOp = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

function isCancelledByCondition(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  return e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
}

function identity(d: Pick<Dependencies, 'uuid' | 'arn' | 'functionArn'>) {
  return { uuid: d.uuid, ...(d.arn ? { arn: d.arn } : {}), functionArn: d.functionArn };
}

export class DynamoDependencyIndex implements DependencyIndex {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: Table;

  constructor(private readonly options: { table: string; client?: DynamoDBDocumentClient }) {
    this.db = options.client ?? documentClient();
    this.table = new Table(options.table, this.db);
  }

  private query(pk: string, skPrefix: string): Promise<Record<string, unknown>[]> {
    // Eventually consistent: a write a second old only makes the lookup fall back or the refresh re-check.
    return this.table.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } });
  }

  private get(scope: string, uuid: string): Promise<IndexedEsm | undefined> {
    return this.table.getParsed(scopePk(scope), esmSk(uuid), EsmItem);
  }

  /** The key items first (in transactions of their own when they do not fit), the ESM item's op last. */
  private async write(ops: WriteOp[], last: WriteOp): Promise<boolean> {
    const rest = [...ops];
    while (rest.length > MAX_ITEMS - 1) await this.db.send(new TransactWriteCommand({ TransactItems: rest.splice(0, MAX_ITEMS) }));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [...rest, last] }));
      return true;
    } catch (err) {
      if (isCancelledByCondition(err)) return false;
      throw err;
    }
  }

  private versionCondition(before: IndexedEsm | undefined) {
    return before
      ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
  }

  async load(scope: string): Promise<IndexedEsm[]> {
    return (await this.query(scopePk(scope), 'esm#')).flatMap((item) => {
      const parsed = EsmItem.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async record(scope: string, deps: Dependencies, config: string, now: string, options: RecordOptions = {}): Promise<RecordOutcome> {
    const TableName = this.options.table;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const before = await this.get(scope, deps.uuid);
      if (before && options.renew && !options.incomplete && sameEntry(before, deps, config)) {
        const renewed = { pk: scopePk(scope), sk: esmSk(deps.uuid), ...identity(deps), keys: before.keys, config, refreshedAt: now, version: before.version + 1 };
        if (await this.write([], { Put: { TableName, Item: renewed, ...this.versionCondition(before) } })) return { outcome: 'renewed', writes: 1 };
        continue;
      }
      if (keepEntry(before, deps, config, options)) return { outcome: 'unchanged', writes: 0 };
      const had = new Set(before?.keys ?? []);
      const has = new Set(deps.keys);
      // The key items carry the ESM's identity: when that changed, every one is rewritten.
      const renamed = before !== undefined && (before.functionArn !== deps.functionArn || before.arn !== deps.arn);
      const ops: WriteOp[] = [
        ...deps.keys.filter((k) => renamed || !had.has(k)).map((k): WriteOp => ({ Put: { TableName, Item: { pk: edgePk(scope, k), sk: esmSk(deps.uuid), ...identity(deps) } } })),
        ...[...had].filter((k) => !has.has(k)).map((k): WriteOp => ({ Delete: { TableName, Key: { pk: edgePk(scope, k), sk: esmSk(deps.uuid) } } })),
      ];
      const item = { pk: scopePk(scope), sk: esmSk(deps.uuid), ...identity(deps), keys: deps.keys, config, refreshedAt: now, version: (before?.version ?? 0) + 1 };
      if (await this.write(ops, { Put: { TableName, Item: item, ...this.versionCondition(before) } })) return { outcome: 'written', writes: ops.length + 1 };
    }
    return { outcome: 'conflict', writes: 0 };
  }

  async remove(scope: string, uuid: string): Promise<RecordOutcome> {
    const TableName = this.options.table;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const before = await this.get(scope, uuid);
      if (!before) return { outcome: 'unchanged', writes: 0 };
      const ops = before.keys.map((k): WriteOp => ({ Delete: { TableName, Key: { pk: edgePk(scope, k), sk: esmSk(uuid) } } }));
      const last = { Delete: { TableName, Key: { pk: scopePk(scope), sk: esmSk(uuid) }, ...this.versionCondition(before) } };
      if (await this.write(ops, last)) return { outcome: 'written', writes: ops.length + 1 };
    }
    return { outcome: 'conflict', writes: 0 };
  }

  async dependents(scope: string, keys: readonly string[]): Promise<Dependent[]> {
    const pages = await Promise.all([...new Set(keys)].map((k) => this.query(edgePk(scope, k), 'esm#')));
    const out = new Map<string, Dependent>();
    for (const item of pages.flat()) {
      const parsed = EdgeItem.safeParse(item);
      if (parsed.success) out.set(parsed.data.uuid, identity(parsed.data));
    }
    return [...out.values()];
  }

  async markSwept(scope: string, at: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.options.table, Item: { pk: scopePk(scope), sk: 'swept', at } }));
  }

  async sweptAt(scope: string): Promise<string | undefined> {
    return (await this.table.getParsed(scopePk(scope), 'swept', SweptItem))?.at;
  }
}
