/**
 * CloudWatch's GetMetricData over a function of (metric, dimensions, minute): answers like the
 * service (≤ 500 queries a call or ValidationError, one point per period from StartTime up to but
 * not including EndTime, no point where the function returns undefined, TimestampAscending), and
 * counts its calls.
 */
import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';

export type MetricSource = (metric: string, dimensions: Record<string, string>, at: Date) => number | undefined;

export class FakeCloudWatch {
  calls = 0;
  queries = 0;
  fail?: Error;
  constructor(public source: MetricSource) {}

  async send(command: unknown): Promise<{ MetricDataResults: MetricDataResult[]; $metadata: object }> {
    if (!(command instanceof GetMetricDataCommand)) throw new Error(`unexpected ${String((command as object)?.constructor?.name)}`);
    this.calls += 1;
    if (this.fail) throw this.fail;
    const input = command.input;
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > 500) throw Object.assign(new Error('The collection MetricDataQueries must not have a size greater than 500.'), { name: 'ValidationError' });
    this.queries += queries.length;
    const start = new Date(input.StartTime!).getTime();
    const end = new Date(input.EndTime!).getTime();
    const results = queries.map((q) => {
      const stat = q.MetricStat!;
      const period = stat.Period! * 1000;
      const dims = Object.fromEntries((stat.Metric!.Dimensions ?? []).map((d) => [d.Name!, d.Value!]));
      const Timestamps: Date[] = [];
      const Values: number[] = [];
      for (let t = start; t < end; t += period) {
        const v = this.source(stat.Metric!.MetricName!, dims, new Date(t));
        if (v !== undefined) {
          Timestamps.push(new Date(t));
          Values.push(v);
        }
      }
      return { Id: q.Id, Label: stat.Metric!.MetricName, Timestamps, Values, StatusCode: 'Complete' as const };
    });
    return { MetricDataResults: results, $metadata: { httpStatusCode: 200 } };
  }
}
