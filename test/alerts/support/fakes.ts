/**
 * Test doubles for the alert path: Lambda (ListEventSourceMappings / GetEventSourceMapping, answered
 * the way Lambda answers, 100 a page with NextMarker), EventBridge PutEvents (with scriptable
 * partial failures), a Slack chat client that records calls, and a clock that sleeping advances.
 */
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { WebClient } from '@slack/web-api';
import type { EsmStateChange } from '../../../bot/model/events';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3`;
export const OTHER_CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/payments-prod/7d8e9f00-1111-2222-3333-444455556666-1`;

export const PROBLEM_CONNECTION =
  'PROBLEM: Connection error. Please check your event source connection configuration. If your event source lives in a VPC, try setting up a new Lambda function or EC2 instance with the same VPC, Subnet, and Security Group settings.';
export const PROBLEM_SASL = 'PROBLEM: SASL authentication failed.';

/** A UUID like Lambda prints, numbered: uuidOf(7) = 00000000-0000-4000-8000-000000000007. */
export function uuidOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export interface EsmOptions {
  state?: string;
  lastProcessingResult?: string | null;
  stateTransitionReason?: string;
  cluster?: string;
  functionName?: string;
  selfManaged?: string[];
}

/** One ListEventSourceMappings entry for an MSK (or self-managed) ESM, field names as Lambda returns them. */
export function kafkaEsm(uuid: string, o: EsmOptions = {}): EventSourceMappingConfiguration {
  const fn = o.functionName ?? `orders-consumer-${uuid.slice(-3)}`;
  return {
    UUID: uuid,
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}`,
    ...(o.selfManaged ? { SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: o.selfManaged } } } : { EventSourceArn: o.cluster ?? CLUSTER_ARN }),
    Topics: ['orders'],
    BatchSize: 100,
    State: o.state ?? 'Enabled',
    StateTransitionReason: o.stateTransitionReason ?? 'USER_INITIATED',
    ...(o.lastProcessingResult === null ? {} : { LastProcessingResult: o.lastProcessingResult ?? 'OK' }),
    LastModified: new Date('2026-11-20T08:00:00Z'),
  };
}

export function sqsEsm(uuid: string): EventSourceMappingConfiguration {
  return {
    UUID: uuid,
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-replay`,
    EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-dlq`,
    State: 'Enabled',
    LastProcessingResult: 'PROBLEM: whatever',
  };
}

type Command = { input: unknown; constructor: { name: string } };

/** Lambda's ListEventSourceMappings / GetEventSourceMapping over a mutable set of ESMs. */
export class FakeLambda {
  readonly esms = new Map<string, EventSourceMappingConfiguration>();
  calls: { list: number; get: number } = { list: 0, get: 0 };
  constructor(private readonly latencyMs = 0) {}

  set(...esms: EventSourceMappingConfiguration[]): this {
    for (const e of esms) this.esms.set(e.UUID!, e);
    return this;
  }

  update(uuid: string, o: EsmOptions): void {
    const current = this.esms.get(uuid)!;
    this.esms.set(uuid, { ...kafkaEsm(uuid, { cluster: current.EventSourceArn, functionName: current.FunctionArn!.split(':')[6]! }), ...pick(o) });
  }

  remove(uuid: string): void {
    this.esms.delete(uuid);
  }

  async send(command: Command): Promise<unknown> {
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (command instanceof ListEventSourceMappingsCommand) {
      this.calls.list += 1;
      const { Marker, MaxItems } = command.input;
      const size = Math.min(MaxItems ?? 100, 100);
      const all = [...this.esms.values()];
      const start = Marker ? Number(Buffer.from(Marker, 'base64').toString('utf8').split(':')[1]) : 0;
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? Buffer.from(`page:${start + size}`).toString('base64') : undefined;
      return { EventSourceMappings: structuredClone(page), ...(next ? { NextMarker: next } : {}) };
    }
    if (command instanceof GetEventSourceMappingCommand) {
      this.calls.get += 1;
      const esm = this.esms.get(command.input.UUID!);
      if (!esm) throw new ResourceNotFoundException({ message: 'The resource you requested does not exist.', $metadata: { httpStatusCode: 404 } });
      return structuredClone(esm);
    }
    throw new Error(`FakeLambda: unexpected ${command.constructor.name}`);
  }
}

function pick(o: EsmOptions): Partial<EventSourceMappingConfiguration> {
  return {
    ...(o.state ? { State: o.state } : {}),
    ...(o.stateTransitionReason ? { StateTransitionReason: o.stateTransitionReason } : {}),
    ...(o.lastProcessingResult !== undefined && o.lastProcessingResult !== null ? { LastProcessingResult: o.lastProcessingResult } : {}),
  };
}

/** Decides, per entry, whether PutEvents fails it: return an error code to fail it. */
export type EntryFault = (entry: PutEventsRequestEntry, call: number) => string | undefined;

/** EventBridge PutEvents: records every accepted entry; faults can fail entries or whole calls. */
export class FakeEventBridge {
  readonly accepted: PutEventsRequestEntry[] = [];
  readonly calls: PutEventsRequestEntry[][] = [];
  entryFault?: EntryFault;
  callFault?: (call: number) => Error | undefined;
  private seq = 0;

  async send(command: Command): Promise<unknown> {
    if (!(command instanceof PutEventsCommand)) throw new Error(`FakeEventBridge: unexpected ${command.constructor.name}`);
    const entries = command.input.Entries ?? [];
    if (entries.length > 10) throw Object.assign(new Error('1 validation error: entries must have length less than or equal to 10'), { name: 'ValidationException' });
    this.calls.push(entries);
    const fault = this.callFault?.(this.calls.length);
    if (fault) throw fault;
    const results: PutEventsResultEntry[] = entries.map((entry) => {
      const code = this.entryFault?.(entry, this.calls.length);
      if (code) return { ErrorCode: code, ErrorMessage: 'try again' };
      this.accepted.push(entry);
      return { EventId: `evt-${++this.seq}` };
    });
    return { Entries: results, FailedEntryCount: results.filter((r) => r.ErrorCode).length };
  }

  /** The accepted events' details, in order. */
  changes(): EsmStateChange[] {
    return this.accepted.map((e) => JSON.parse(e.Detail!) as EsmStateChange);
  }
}

/**
 * A clock tests move. sleep() does not wait: once everything else is idle (setImmediate), the
 * earliest sleeper wakes and the clock jumps to its deadline — concurrent sleepers wake in order,
 * each at its own time, as with real timers.
 */
export class FakeClock {
  private readonly sleepers: { until: number; wake: () => void }[] = [];
  private scheduled = false;

  constructor(public ms = Date.parse('2026-11-20T09:00:00Z')) {}

  now = (): Date => new Date(this.ms);

  advance(minutes: number): void {
    this.ms += minutes * 60_000;
  }

  sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.sleepers.push({ until: this.ms + Math.max(0, ms), wake });
      this.schedule();
    });

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sleepers.sort((a, b) => a.until - b.until);
      const next = this.sleepers.shift();
      if (!next) return;
      this.ms = Math.max(this.ms, next.until);
      next.wake();
      if (this.sleepers.length) this.schedule();
    });
  }
}

export interface ChatCall {
  method: 'postMessage' | 'update';
  args: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: number;
  /** The ts Slack gave a posted message. */
  ts?: string;
}

/** chat.postMessage / chat.update as Slack answers them, recorded with the (fake) time they were made. */
export function fakeChat(clock?: FakeClock): {
  client: Pick<WebClient, 'chat'>;
  calls: ChatCall[];
  posts: () => ChatCall[];
  updates: () => ChatCall[];
  /** The next call of `method` fails as the WebClient reports Slack's `{ ok: false, error }`. */
  failNext: (method: 'postMessage' | 'update', error: string) => void;
} {
  const calls: ChatCall[] = [];
  const failures: { method: string; error: string }[] = [];
  let seq = 100;
  const at = () => clock?.ms ?? Date.now();
  const fail = (method: string) => {
    const i = failures.findIndex((f) => f.method === method);
    if (i < 0) return;
    const [f] = failures.splice(i, 1);
    throw Object.assign(new Error(`An API error occurred: ${f!.error}`), { code: 'slack_webapi_platform_error', data: { ok: false, error: f!.error } });
  };
  const client = {
    chat: {
      postMessage: async (args: Record<string, unknown>) => {
        fail('postMessage');
        seq += 1;
        const ts = `1763630000.${String(seq).padStart(6, '0')}`;
        calls.push({ method: 'postMessage', args, at: at(), ts });
        return { ok: true, channel: args.channel, ts };
      },
      update: async (args: Record<string, unknown>) => {
        fail('update');
        calls.push({ method: 'update', args, at: at() });
        return { ok: true, channel: args.channel, ts: args.ts };
      },
    },
  } as unknown as Pick<WebClient, 'chat'>;
  return {
    client,
    calls,
    posts: () => calls.filter((c) => c.method === 'postMessage'),
    updates: () => calls.filter((c) => c.method === 'update'),
    failNext: (method, error) => void failures.push({ method, error }),
  };
}

/** An ESM State Change as the watcher publishes it. */
export function stateChange(uuid: string, health: EsmStateChange['health'], o: { at?: string; lastProcessingResult?: string; state?: string; cluster?: string; functionName?: string } = {}): EsmStateChange {
  const failing = health === 'failing';
  return {
    uuid,
    esmArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${o.functionName ?? `orders-consumer-${uuid.slice(-3)}`}`,
    eventSource: o.cluster ?? CLUSTER_ARN,
    region: REGION,
    account: ACCOUNT,
    health,
    previous: failing ? { state: 'Enabled', lastProcessingResult: 'OK' } : { state: 'Enabled', lastProcessingResult: PROBLEM_CONNECTION },
    current: { state: o.state ?? 'Enabled', lastProcessingResult: o.lastProcessingResult ?? (failing ? PROBLEM_CONNECTION : 'OK') },
    observedAt: o.at ?? '2026-11-20T09:00:00.000Z',
  };
}
