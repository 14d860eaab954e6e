import type { Remedy } from '../../model/report';
import { SERIES } from '../../model/metrics';
import { pass, valueOf, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { accountSettings, concurrencyQuota, putFunctionConcurrency } from '../lib/commands';
import { fmt, maxOf, pointsOf } from '../lib/trend';
import { functionProgressNeeded, lagSentence } from './lib';

export const functionThrottles = defineCheck({
  id: 'function.throttles',
  step: 9,
  title: 'The function\'s invokes are not throttled',
  docs: AWS_DOCS.scaling,
  needs: functionProgressNeeded,
  run(snapshot, { progress: p, fnArn, name, region, recent }): Outcome {
    if (p.throttles.window === 0) return pass(`No throttled invokes in the last ${p.windowMinutes} min.`, { resources: [fnArn] });
    const reserved = valueOf(snapshot.concurrency)?.ReservedConcurrentExecutions;
    const topic = valueOf(snapshot.topic);
    const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
    const peak = maxOf(pointsOf(p.metrics.series[SERIES.concurrency]));
    const accountPeak = maxOf(pointsOf(p.metrics.series[SERIES.accountConcurrency]));
    const facts = [
      reserved !== undefined ? `reserved concurrency ${reserved}` : 'no reserved concurrency (it shares the account\'s unreserved pool)',
      partitions !== undefined ? `${partitions} partitions on topic "${topic!.TopicName}"` : 'partition count unknown',
      peak !== undefined ? `peak ${fmt(peak)} concurrent executions of the function` : undefined,
      accountPeak !== undefined ? `peak ${fmt(accountPeak)} concurrent executions in the Region` : undefined,
    ].filter(Boolean);
    const detail = `${fmt(p.throttles.recent)} throttled invokes in the last ${recent} min (${fmt(p.throttles.window)} over ${p.windowMinutes} min) against ${fmt(p.invocations.recent)} invocations; ${facts.join(', ')}.`;
    const target = Math.max(partitions ?? 0, reserved !== undefined ? reserved * 2 : 0, peak !== undefined ? Math.ceil(peak * 2) : 0, 5);
    const commands =
      reserved !== undefined
        ? [putFunctionConcurrency({ functionName: name, reserved: target, region })]
        : [accountSettings({ region }), concurrencyQuota({ region })];
    const remedy: Remedy = {
      summary:
        reserved !== undefined
          ? `The function's reserved concurrency (${reserved}) caps its invokes; Lambda runs up to one invoke per partition${partitions !== undefined ? ` (${partitions} here)` : ''}, so reserve at least that many.`
          : 'The function has no reservation, so it is throttled by the account\'s concurrency limit (shared with every other function in the Region): see how much is left, raise the quota, or reserve concurrency for this function.',
      commands,
    };
    const blocking = p.stall === 'throttled' || (p.invocations.recent === 0 && p.throttles.recent > 0);
    if (blocking) {
      return {
        status: 'fail',
        title: `Throttled: ${fmt(p.throttles.recent)} invokes throttled in ${recent} min${p.trend?.growing ? ' while the lag grows' : ''}`,
        detail: detail + (p.trend?.growing ? ` ${lagSentence(p)}` : ' Nothing got through in those minutes.'),
        remedy,
        resources: [fnArn],
      };
    }
    return {
      status: 'warn',
      title: `Some invokes are throttled (${fmt(p.throttles.window)} in ${p.windowMinutes} min)`,
      detail: `${detail} Lambda retries throttled batches and the lag is not growing, so records are delayed, not stuck.`,
      remedy,
      resources: [fnArn],
    };
  },
});
