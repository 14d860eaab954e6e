/** The alert path's pure decisions (bot/alerts/plan.ts), without Slack or a store. */
import type { AlertRecord } from '../../bot/alerts/alert-store';
import { followMove, planAlert, planStorm, type AlertEffect } from '../../bot/alerts/plan';
import { buttonKey } from '../../bot/slack/button';
import { stateChange, uuidOf } from './support/fakes';

const A = uuidOf(1);
const now = new Date('2026-11-20T09:10:00.000Z');
const options = { buttonKey: buttonKey({ buttonKey: 'k'.repeat(40) }), probe: false, storm: { threshold: 5, windowMs: 5 * 60_000 } };
const record = (o: Partial<AlertRecord> = {}): AlertRecord => ({
  uuid: A, status: 'open', channel: 'C0ALERTS', ts: '1763630000.000101', openedAt: '2026-11-20T09:00:00.000Z', lastObservedAt: '2026-11-20T09:00:00.000Z', history: [], version: 2, updatedAt: '2026-11-20T09:00:01.000Z', ...o,
});

describe('planAlert', () => {
  it('opens, updates, closes, or ignores by the record and the event', () => {
    expect(planAlert({}, stateChange(A, 'failing'), now).step).toBe('open');
    expect(planAlert({ record: record() }, stateChange(A, 'failing', { at: '2026-11-20T09:05:00.000Z' }), now).step).toBe('update');
    expect(planAlert({ record: record() }, stateChange(A, 'recovered', { at: '2026-11-20T09:05:00.000Z' }), now)).toMatchObject({ step: 'close', closure: 'recovered' });
    expect(planAlert({}, stateChange(A, 'recovered'), now)).toMatchObject({ step: 'ignore', clearAcknowledgement: true });
    expect(planAlert({ record: record({ lastObservedAt: '2026-11-20T09:06:00.000Z' }) }, stateChange(A, 'failing', { at: '2026-11-20T09:05:00.000Z' }), now).step).toBe('stale');
    expect(planAlert({ record: record({ status: 'opening', ts: undefined, updatedAt: '2026-11-20T09:09:00.000Z' }) }, stateChange(A, 'failing', { at: '2026-11-20T09:09:30.000Z' }), now).step).toBe('busy');
  });
});

describe('planStorm', () => {
  const members = Array.from({ length: 5 }, (_, i) => ({ uuid: uuidOf(i + 1), at: '2026-11-20T09:08:00.000Z', open: true, label: `f${i}` }));
  const context = { channel: 'C0ALERTS', cluster: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/x', now };
  it('starts a storm at the threshold, waits while a fresh claim has no message yet, takes over an abandoned one', () => {
    expect(planStorm(undefined, members.slice(0, 4), context, options).storm).toBe('none');
    const start = planStorm(undefined, members, context, options);
    expect(start.storm).toBe('start');
    const claim = start.storm === 'start' ? start.claim : undefined;
    expect(planStorm({ ...claim!, claimedAt: '2026-11-20T09:09:00.000Z' }, members, context, options).storm).toBe('wait');
    expect(planStorm({ ...claim!, claimedAt: new Date(0).toISOString() }, members, context, options).storm).toBe('start');
    expect(planStorm({ ...claim!, ts: '1763630000.000200' }, members, context, options).storm).toBe('join');
  });
});

describe('followMove', () => {
  it('moves the later effects to the reposted message and drops notes for the deleted thread', () => {
    const note: AlertEffect = { do: 'post', channel: 'C0ALERTS', message: { text: 'x', blocks: [] }, threadTs: 'old' };
    expect(followMove(note, 'old', 'new')).toBeUndefined();
    const put: AlertEffect = { do: 'putAlert', expected: 2, record: record({ ts: 'old', threadTs: 'parent' }) };
    const moved = followMove(put, 'old', 'new') as Extract<AlertEffect, { do: 'putAlert' }>;
    expect(moved.record.ts).toBe('new');
    expect(moved.record.threadTs).toBeUndefined();
  });
});
