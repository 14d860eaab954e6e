import { EsmStateChangeEvent, isFailing } from '../../bot/model/events';

describe('ESM health as the watcher judges it', () => {
  it.each([
    [{ state: 'Enabled', lastProcessingResult: 'OK' }, false],
    [{ state: 'Enabled', lastProcessingResult: 'No records processed' }, false],
    [{ state: 'Enabled', lastProcessingResult: 'PROBLEM: SASL authentication failed.' }, true],
    [{ state: 'Disabled', stateTransitionReason: 'USER_INITIATED' }, false],
    [{ state: 'Disabled', stateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' }, true],
    [{ state: 'Disabled', stateTransitionReason: 'ESM_CONFIG_NOT_VALID' }, true],
    [{ state: 'Creating' }, false],
  ])('%j failing=%s', (state, failing) => {
    expect(isFailing(state)).toBe(failing);
  });
});

describe('the ESM State Change event', () => {
  it('accepts the envelope EventBridge delivers and refuses another source', () => {
    const event = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'ESM State Change',
      source: 'esm-doctor',
      account: '123456789012',
      time: '2026-11-20T09:14:03Z',
      region: 'eu-west-1',
      resources: [],
      detail: {
        uuid: '14e0db71-5d35-4eb5-b481-8945cf9d10c2',
        esmArn: 'arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer',
        eventSource: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3',
        region: 'eu-west-1',
        account: '123456789012',
        health: 'failing',
        previous: { state: 'Enabled', lastProcessingResult: 'OK' },
        current: { state: 'Enabled', lastProcessingResult: 'PROBLEM: Cluster failed to authorize Lambda.' },
        observedAt: '2026-11-20T09:14:00Z',
      },
    };
    expect(EsmStateChangeEvent.parse(event).detail.health).toBe('failing');
    expect(EsmStateChangeEvent.safeParse({ ...event, source: 'aws.lambda' }).success).toBe(false);
  });
});
