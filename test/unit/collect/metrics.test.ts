import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { getMetricData, progressQueries, readProgressMetrics, windowEndingAt, type MetricQuery } from '../../../bot/collect/metrics';
import { collectSnapshot } from '../../../bot/collect/snapshot';
import { mskIamHealthy } from '../../../scenarios/base';
import { awsError, CREDENTIALS, metadata, mockedClients, mockMskIamHealthy } from '../../support/collect-fixtures';
import * as base from '../../../scenarios/base';

const NOW = new Date('2026-12-06T10:00:42.123Z');

function cloudwatch() {
  const client = new CloudWatchClient({ region: 'eu-west-1', credentials: CREDENTIALS });
  return { client, mock: mockClient(client) };
}

const q = (id: string): MetricQuery => ({ id, namespace: 'AWS/Lambda', metric: 'OffsetLag', dimensions: { FunctionName: id }, stat: 'Maximum' });

describe('GetMetricData reader', () => {
  it('ends the window at the last whole minute', () => {
    expect(windowEndingAt(NOW, 60)).toEqual({ start: new Date('2026-12-06T09:00:00Z'), end: new Date('2026-12-06T10:00:00Z'), periodSeconds: 60 });
  });

  it('merges a series split across NextToken pages, sorted, and keeps the worst status', async () => {
    const { client, mock } = cloudwatch();
    mock
      .on(GetMetricDataCommand, { NextToken: undefined } as Partial<GetMetricDataCommandInput>)
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [new Date('2026-12-06T09:01:00Z')], Values: [5], StatusCode: 'PartialData' }], NextToken: 't1', $metadata: metadata() })
      .on(GetMetricDataCommand, { NextToken: 't1' })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [new Date('2026-12-06T09:00:00Z'), new Date('2026-12-06T09:02:00Z')], Values: [4, 6], StatusCode: 'Complete' }], $metadata: metadata() });
    const { series, calls } = await getMetricData(client, [q('a')], windowEndingAt(NOW, 60));
    expect(calls).toBe(2);
    expect(series.get('a')).toEqual({ timestamps: ['2026-12-06T09:00:00.000Z', '2026-12-06T09:01:00.000Z', '2026-12-06T09:02:00.000Z'], values: [4, 5, 6], statusCode: 'PartialData' });
    const first = mock.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(first).toMatchObject({ ScanBy: 'TimestampAscending', StartTime: new Date('2026-12-06T09:00:00Z'), EndTime: new Date('2026-12-06T10:00:00Z') });
    expect(first.MetricDataQueries![0]).toEqual({ Id: 'a', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'OffsetLag', Dimensions: [{ Name: 'FunctionName', Value: 'a' }] }, Period: 60, Stat: 'Maximum' }, ReturnData: true });
  });

  it('never sends more than 500 queries in one call', async () => {
    const { client, mock } = cloudwatch();
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({ MetricDataResults: input.MetricDataQueries!.map((x) => ({ Id: x.Id, Timestamps: [], Values: [] })), $metadata: metadata() }));
    const queries = Array.from({ length: 1001 }, (_, i) => q(`q${i}`));
    const { series, calls } = await getMetricData(client, queries, windowEndingAt(NOW, 20));
    expect(calls).toBe(3);
    expect(mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length).sort((a, b) => a - b)).toEqual([1, 500, 500]);
    expect(series.size).toBe(1001);
  });

  it('asks for the lag by ESM and by function, the function metrics, and the opt-in ESM metrics only when opted in', () => {
    const esm = mskIamHealthy().esm;
    expect(progressQueries(esm).map((x) => `${x.id}:${x.metric}:${Object.keys(x.dimensions).join('+')}:${x.stat}`)).toEqual([
      'offsetLagEsm:OffsetLag:EventSourceMappingUUID:Maximum',
      'offsetLag:OffsetLag:FunctionName:Maximum',
      'invocations:Invocations:FunctionName:Sum',
      'errors:Errors:FunctionName:Sum',
      'throttles:Throttles:FunctionName:Sum',
      'durationMax:Duration:FunctionName:Maximum',
      'concurrency:ConcurrentExecutions:FunctionName:Maximum',
      'accountConcurrency:ConcurrentExecutions::Maximum',
    ]);
    const opted = { ...esm, MetricsConfig: { Metrics: ['EventCount', 'KafkaMetrics'] } };
    expect(progressQueries(opted).map((x) => x.metric).slice(8)).toEqual(['PolledEventCount', 'FailedInvokeEventCount', 'MaxOffsetLag']);
  });

  it('a denied GetMetricData is an error fact naming cloudwatch:GetMetricData', async () => {
    const { client, mock } = cloudwatch();
    mock.on(GetMetricDataCommand).rejects(awsError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: cloudwatch:GetMetricData', 403));
    expect(await readProgressMetrics(client, mskIamHealthy().esm, { now: NOW })).toEqual({
      ok: false,
      source: 'cloudwatch:GetMetricData',
      error: { code: 'AccessDenied', message: expect.stringContaining('cloudwatch:GetMetricData'), action: 'cloudwatch:GetMetricData', httpStatus: 403 },
    });
  });
});

describe('collectSnapshot with a CloudWatch client', () => {
  it('reads the metrics alongside the other round-2 calls and keeps them in the snapshot', async () => {
    const env = mockedClients();
    const { client, mock } = cloudwatch();
    try {
      mockMskIamHealthy(env.mocks);
      mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: input.MetricDataQueries!.map((x) => ({ Id: x.Id, Timestamps: [new Date('2026-12-06T09:30:00Z')], Values: [x.Id === 'offsetLag' ? 120 : 0], StatusCode: 'Complete' })),
        $metadata: metadata(),
      }));
      env.clients.cloudwatch = client;
      const snapshot = await collectSnapshot({ uuid: base.ESM_UUID, region: base.REGION }, { clients: env.clients, now: () => NOW, metricsWindowMinutes: 30 });
      expect(mock.commandCalls(GetMetricDataCommand)).toHaveLength(1);
      expect(snapshot.metrics).toMatchObject({ ok: true, value: { start: '2026-12-06T09:30:00.000Z', end: '2026-12-06T10:00:00.000Z', periodSeconds: 60, series: { offsetLag: { values: [120] } } } });
    } finally {
      env.restore();
      mock.restore();
    }
  });
});
