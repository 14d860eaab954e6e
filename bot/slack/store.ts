/**
 * What the Slack side remembers between requests:
 *  - the last report shown in each message (channel + ts), so a re-run can say what changed and an
 *    acknowledgement knows which cause it acknowledges;
 *  - acknowledgements, per ESM and cause (the alerting code asks isAcknowledged before re-alerting);
 *  - idempotency claims, so a retried request or a re-delivered job never posts twice.
 * In memory for a local run; DynamoDB (store-dynamodb.ts) in AWS, where every request may land in
 * a different Lambda container.
 */
import type { FixPlan } from '../model/fix-plan';
import type { Target } from '../model/target';
import type { RerunNote, SlackReport, Stamp } from './blocks';

export interface StoredMessage {
  channel: string;
  ts: string;
  target: Target;
  report: SlackReport;
  /** The last re-run's note, so that re-rendering (e.g. to stamp an acknowledgement) keeps it. */
  rerun?: RerunNote;
  /** Context lines every rendering of this message keeps under its header (an alert's state and history). */
  preface?: string[];
}

export interface Acknowledgement extends Stamp {
  uuid: string;
  /** causeOf(report) when it was acknowledged. */
  cause: string;
  channel?: string;
  ts?: string;
}

/**
 * The stamp an acknowledgement puts on a report whose cause is `cause`: only an acknowledgement of
 * that very cause counts (a new cause alerts again). The one place that rule lives.
 */
export function acknowledgedFor(ack: Acknowledgement | undefined, cause: string): Stamp | undefined {
  return ack && ack.cause === cause ? { by: ack.by, at: ack.at } : undefined;
}

/**
 * A request to apply a fix plan, keyed by the plan's hash: one live request per plan, whichever
 * message it was asked from. Every change of state is a conditional write on (id, state), so two
 * clicks, a Slack retry or a re-delivered Lambda event move it once.
 *
 *   pending ──Approve──▶ approved ──remediation claims──▶ applying ──▶ applied | failed
 *      │                     └──(plan changed / already fixed)──────▶ refused
 *      └──Cancel / expiry──▶ cancelled | expired
 */
export type FixState = 'pending' | 'approved' | 'applying' | 'applied' | 'failed' | 'refused' | 'cancelled' | 'expired';

export const FINAL_FIX_STATES: readonly FixState[] = ['applied', 'failed', 'refused', 'cancelled', 'expired'];

export interface FixRequest {
  /** The plan's hash (the key). */
  hash: string;
  /** This request's own id: a new request for the same plan gets a new one. */
  id: string;
  state: FixState;
  plan: FixPlan;
  target: Target;
  /** The report or alert message it was asked from, and the thread message with Approve / Cancel. */
  channel: string;
  ts: string;
  planTs?: string;
  requestedBy: string;
  requestedAt: string;
  /** ISO 8601: after this the request cannot be approved. */
  expiresAt: string;
  approvedBy?: string;
  approvedAt?: string;
  /** Who cancelled it, or what ended it (failed / refused), in words. */
  closedBy?: string;
  outcome?: string;
}

export type CreateFixResult = { created: true; request: FixRequest } | { created: false; existing: FixRequest };

export type AcknowledgeResult = { recorded: true; ack: Acknowledgement } | { recorded: false; existing: Acknowledgement };

export interface SlackStore {
  getMessage(channel: string, ts: string): Promise<StoredMessage | undefined>;
  putMessage(message: StoredMessage): Promise<void>;
  /**
   * Records an acknowledgement unless the same cause of the same ESM is already acknowledged
   * (then answers who did it). Atomic: two people clicking at once get one "recorded".
   */
  acknowledge(ack: Acknowledgement): Promise<AcknowledgeResult>;
  getAcknowledgement(uuid: string): Promise<Acknowledgement | undefined>;
  /** The ESM recovered: the next failure alerts again, whatever its cause. */
  clearAcknowledgement(uuid: string): Promise<void>;
  /** For the alerting code: true when re-alerts for this ESM and cause are suppressed. */
  isAcknowledged(uuid: string, cause: string): Promise<boolean>;
  /** True the first time `key` is claimed (within `ttlSeconds`), false for every repeat. */
  claim(key: string, ttlSeconds?: number): Promise<boolean>;
  /**
   * Records a new request unless a live one exists for the same plan (pending and not expired,
   * approved or applying): then answers that one.
   */
  createFixRequest(request: FixRequest): Promise<CreateFixResult>;
  getFixRequest(hash: string): Promise<FixRequest | undefined>;
  /** Applies `change` only if the request is still `id` and in one of `from`; the updated request, or undefined. */
  updateFixRequest(hash: string, id: string, from: readonly FixState[], change: Partial<Omit<FixRequest, 'hash' | 'id' | 'plan'>>): Promise<FixRequest | undefined>;
}

/** A request that still blocks a new one for the same plan. */
export function isLiveFixRequest(request: FixRequest, nowMs: number): boolean {
  if (request.state === 'pending') return Date.parse(request.expiresAt) > nowMs;
  return request.state === 'approved' || request.state === 'applying';
}

export const TTL = {
  /** Buttons on a message older than this answer "press Re-run"; Slack users rarely scroll that far. */
  messageSeconds: 30 * 24 * 3600,
  /** An acknowledgement older than this lapses, so a forgotten one cannot mute an ESM for ever. */
  ackSeconds: 30 * 24 * 3600,
  /** Slack retries within minutes and Lambda re-delivers async invokes within 6 hours. */
  claimSeconds: 24 * 3600,
  /** A fix request and its outcome stay readable for a week (the thread keeps the record for good). */
  fixSeconds: 7 * 24 * 3600,
} as const;

export class MemoryStore implements SlackStore {
  private readonly messages = new Map<string, { value: StoredMessage; expires: number }>();
  private readonly acks = new Map<string, { value: Acknowledgement; expires: number }>();
  private readonly claims = new Map<string, number>();
  private readonly fixes = new Map<string, { value: FixRequest; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private live<T>(map: Map<string, { value: T; expires: number }>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return structuredClone(entry.value);
  }

  async getMessage(channel: string, ts: string) {
    return this.live(this.messages, `${channel}/${ts}`);
  }

  async putMessage(message: StoredMessage) {
    this.messages.set(`${message.channel}/${message.ts}`, {
      value: structuredClone(message),
      expires: this.now() + TTL.messageSeconds * 1000,
    });
  }

  async acknowledge(ack: Acknowledgement): Promise<AcknowledgeResult> {
    const existing = this.live(this.acks, ack.uuid);
    if (existing && existing.cause === ack.cause) return { recorded: false, existing };
    this.acks.set(ack.uuid, { value: structuredClone(ack), expires: this.now() + TTL.ackSeconds * 1000 });
    return { recorded: true, ack };
  }

  async getAcknowledgement(uuid: string) {
    return this.live(this.acks, uuid);
  }

  async clearAcknowledgement(uuid: string) {
    this.acks.delete(uuid);
  }

  async isAcknowledged(uuid: string, cause: string) {
    return acknowledgedFor(await this.getAcknowledgement(uuid), cause) !== undefined;
  }

  async claim(key: string, ttlSeconds: number = TTL.claimSeconds) {
    const expires = this.claims.get(key);
    if (expires !== undefined && expires > this.now()) return false;
    this.claims.set(key, this.now() + ttlSeconds * 1000);
    return true;
  }

  async createFixRequest(request: FixRequest): Promise<CreateFixResult> {
    const existing = this.live(this.fixes, request.hash);
    if (existing && isLiveFixRequest(existing, this.now())) return { created: false, existing };
    this.fixes.set(request.hash, { value: structuredClone(request), expires: this.now() + TTL.fixSeconds * 1000 });
    return { created: true, request: structuredClone(request) };
  }

  async getFixRequest(hash: string) {
    return this.live(this.fixes, hash);
  }

  async updateFixRequest(hash: string, id: string, from: readonly FixState[], change: Partial<Omit<FixRequest, 'hash' | 'id' | 'plan'>>) {
    const entry = this.fixes.get(hash);
    if (!entry || entry.expires <= this.now() || entry.value.id !== id || !from.includes(entry.value.state)) return undefined;
    entry.value = { ...entry.value, ...structuredClone(change) };
    return structuredClone(entry.value);
  }
}
