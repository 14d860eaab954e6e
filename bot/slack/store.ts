/**
 * What the Slack side remembers between requests:
 *  - the last report shown in each message (channel + ts), so a re-run can say what changed and an
 *    acknowledgement knows which cause it acknowledges;
 *  - acknowledgements, per ESM and cause (the alerting code asks isAcknowledged before re-alerting);
 *  - idempotency claims, so a retried request or a re-delivered job never posts twice.
 * In memory for a local run; DynamoDB (store-dynamodb.ts) in AWS, where every request may land in
 * a different Lambda container.
 */
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
}

export const TTL = {
  /** Buttons on a message older than this answer "press Re-run"; Slack users rarely scroll that far. */
  messageSeconds: 30 * 24 * 3600,
  /** An acknowledgement older than this lapses, so a forgotten one cannot mute an ESM for ever. */
  ackSeconds: 30 * 24 * 3600,
  /** Slack retries within minutes and Lambda re-delivers async invokes within 6 hours. */
  claimSeconds: 24 * 3600,
} as const;

export class MemoryStore implements SlackStore {
  private readonly messages = new Map<string, { value: StoredMessage; expires: number }>();
  private readonly acks = new Map<string, { value: Acknowledgement; expires: number }>();
  private readonly claims = new Map<string, number>();

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
}
