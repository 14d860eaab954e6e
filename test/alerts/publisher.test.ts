/**
 * PutEvents: at most 10 entries (and 256 KB) a call; entries PutEvents fails (FailedEntryCount, an
 * ErrorCode per entry) and calls that fail as a whole are sent again; what still fails after the
 * last attempt is returned, never dropped.
 */
import { EsmStateChange } from '../../bot/model/events';
import { batches, entrySize, eventBridgePublisher, toEntry } from '../../bot/alerts/publisher';
import { FakeEventBridge, stateChange, uuidOf } from './support/fakes';

const changes = (n: number) => Array.from({ length: n }, (_, i) => stateChange(uuidOf(i + 1), 'failing'));
const noWait = { sleep: async () => undefined };

describe('publishing ESM State Change events', () => {
  it('sends 25 events in calls of at most 10 entries, each entry on the bus with the detail, the time and the ESM and function ARNs', async () => {
    const eb = new FakeEventBridge();
    const result = await eventBridgePublisher(eb, 'esm-doctor', noWait).publish(changes(25));
    expect(eb.calls.map((c) => c.length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(result).toMatchObject({ calls: 3, failed: [] });
    expect(result.published).toHaveLength(25);
    const entry = eb.accepted[0]!;
    expect(entry).toMatchObject({ Source: 'esm-doctor', DetailType: 'ESM State Change', EventBusName: 'esm-doctor' });
    expect(entry.Time).toEqual(new Date('2026-11-20T09:00:00.000Z'));
    expect(entry.Resources).toEqual([expect.stringContaining(':event-source-mapping:'), expect.stringContaining(':function:')]);
    expect(EsmStateChange.parse(JSON.parse(entry.Detail!))).toEqual(changes(1)[0]);
  });

  it('retries only the entries PutEvents failed (partial failure) until every one is accepted', async () => {
    const eb = new FakeEventBridge();
    const failing = new Set([uuidOf(2), uuidOf(5), uuidOf(9)]);
    // The first call fails three entries, the second one of them again; the third accepts it.
    eb.entryFault = (entry, call) => {
      const uuid = JSON.parse(entry.Detail!).uuid as string;
      if (call === 1 && failing.has(uuid)) return 'ThrottlingException';
      if (call === 2 && uuid === uuidOf(5)) return 'InternalFailure';
      return undefined;
    };
    const sleeps: number[] = [];
    const result = await eventBridgePublisher(eb, 'esm-doctor', { sleep: async (ms) => void sleeps.push(ms) }).publish(changes(10));
    expect(eb.calls.map((c) => c.length)).toEqual([10, 3, 1]);
    expect(result.failed).toEqual([]);
    expect(eb.accepted.map((e) => JSON.parse(e.Detail!).uuid).sort()).toEqual(changes(10).map((c) => c.uuid).sort());
    expect(sleeps).toHaveLength(2); // backoff before each retry
  });

  it('retries every entry of a call that failed as a whole', async () => {
    const eb = new FakeEventBridge();
    eb.callFault = (call) => (call === 1 ? Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) : undefined);
    const result = await eventBridgePublisher(eb, 'esm-doctor', noWait).publish(changes(4));
    expect(result.published).toHaveLength(4);
    expect(eb.accepted).toHaveLength(4);
  });

  it('returns what still fails after the last attempt, with its error code: published + failed = everything', async () => {
    const eb = new FakeEventBridge();
    eb.entryFault = (entry) => (JSON.parse(entry.Detail!).uuid === uuidOf(3) ? 'InternalFailure' : undefined);
    const result = await eventBridgePublisher(eb, 'esm-doctor', { ...noWait, maxAttempts: 3 }).publish(changes(5));
    expect(result.published).toHaveLength(4);
    expect(result.failed).toEqual([{ change: expect.objectContaining({ uuid: uuidOf(3) }), errorCode: 'InternalFailure' }]);
    expect(eb.calls).toHaveLength(3);
  });

  it('splits calls by size as well as by count (256 KB a request)', () => {
    const big = changes(6).map((c) => ({ ...c, current: { ...c.current, lastProcessingResult: `PROBLEM: ${'x'.repeat(70_000)}` } }));
    const entries = big.map((c) => toEntry(c, 'esm-doctor'));
    expect(entrySize(entries[0]!)).toBeGreaterThan(70_000);
    const calls = batches(entries, entrySize);
    expect(calls.map((c) => c.length)).toEqual([3, 3]);
    expect(calls.every((c) => c.reduce((n, e) => n + entrySize(e), 0) <= 240 * 1024)).toBe(true);
  });
});
