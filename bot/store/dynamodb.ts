/**
 * The esm-doctor table as its stores share it (`pk` / `sk` strings, TTL attribute `expiresAt` in epoch
 * seconds): the reads, conditional writes and paged queries the Slack, alert and watch stores all make.
 *
 * DynamoDB deletes expired items lazily (typically within days), so a read and an "is it free"
 * condition also compare `expiresAt` with the clock: an expired item counts as absent.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';

export const TTL_ATTRIBUTE = 'expiresAt';

export type Item = Record<string, unknown>;

/** A condition expression with the attribute names and values it uses. */
export interface Condition {
  expression: string;
  names: Record<string, string>;
  values: Item;
}

export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** A conditional write: its output when it was made, false when its condition did not hold; other errors throw. */
export async function conditionally<T>(write: () => Promise<T>): Promise<T | false> {
  try {
    return await write();
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export class Table {
  constructor(
    readonly name: string,
    readonly db: DynamoDBDocumentClient,
    private readonly now: () => number = Date.now,
  ) {}

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  isExpired(item: Item): boolean {
    const expiresAt = item[TTL_ATTRIBUTE];
    return typeof expiresAt === 'number' && expiresAt <= this.nowSeconds();
  }

  /** A consistent read of one item; undefined when absent or expired. */
  async get(pk: string, sk: string): Promise<Item | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item && !this.isExpired(out.Item) ? out.Item : undefined;
  }

  /** `get`, validated: undefined also when the item is not of the schema's shape (foreign or from an older version). */
  async getParsed<S extends z.ZodType>(pk: string, sk: string, schema: S): Promise<z.output<S> | undefined> {
    const item = await this.get(pk, sk);
    const parsed = item ? schema.safeParse(item) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  /** Puts the item when no live one holds its key; false when one does. */
  async putIfAbsent(item: Item): Promise<boolean> {
    return this.putVersioned(item, undefined);
  }

  /**
   * Puts the item when no live one holds its key, or when the one there meets `orWhen` (a condition
   * expression with its own names and values, e.g. "it is for another cause"); false otherwise.
   */
  async putIfFree(item: Item, orWhen: Condition): Promise<boolean> {
    const absent = this.absentCondition();
    const put = await conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.name,
          Item: item,
          ConditionExpression: `${absent.ConditionExpression} OR ${orWhen.expression}`,
          ExpressionAttributeNames: { ...absent.ExpressionAttributeNames, ...orWhen.names },
          ExpressionAttributeValues: { ...absent.ExpressionAttributeValues, ...orWhen.values },
        }),
      ),
    );
    return put !== false;
  }

  /**
   * Puts the item when no live one holds its key (`expected` undefined), or when the stored one is at
   * `version` = expected; false when that does not hold.
   */
  async putVersioned(item: Item, expected: number | undefined): Promise<boolean> {
    const put = await conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.name,
          Item: item,
          ...(expected === undefined
            ? this.absentCondition()
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': expected } }),
        }),
      ),
    );
    return put !== false;
  }

  /** The condition "no live item holds this key", for a put. */
  absentCondition() {
    return {
      ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
      ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':now': this.nowSeconds() },
    };
  }

  /** Every item a query matches, page after page (expired ones included: the caller decides). */
  async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.name, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
