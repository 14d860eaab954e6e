import type { Remedy } from '../../model/report';
import type { Snapshot } from '../../model/snapshot';
import { pass, skip, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { setFunctionTimeout, tailFunctionLogs, updateEsm } from '../lib/commands';
import { fmt } from '../lib/trend';
import { FAILING_RATE, RISKY_RATE, type Progress, functionProgressNeeded, pct, lagSentence } from './lib';

export const functionErrors = defineCheck({
  id: 'function.errors',
  step: 9,
  title: 'The function succeeds on the batches it is sent',
  docs: AWS_DOCS.retries,
  needs: functionProgressNeeded,
  run(snapshot, { progress: p, fnArn, name, region, recent }): Outcome {
    if (p.invocations.window === 0) {
      return skip(`The function was not invoked in the last ${p.windowMinutes} min (no Invocations data): there is no error rate to judge.`);
    }
    const counts = `${fmt(p.errors.recent)} errors in ${fmt(p.invocations.recent)} invocations in the last ${recent} min (${fmt(p.errors.window)} in ${fmt(p.invocations.window)} over ${p.windowMinutes} min)`;
    const timeout = p.timingOut
      ? ` The longest invocation took ${fmt(p.durationMaxMs!)} ms against a timeout of ${fmt(p.timeoutMs! / 1000)} s: the function is timing out.`
      : p.durationMaxMs !== undefined && p.timeoutMs !== undefined
        ? ` The longest invocation took ${fmt(p.durationMaxMs)} ms (timeout ${fmt(p.timeoutMs / 1000)} s).`
        : '';
    const failing = p.recentErrorRate !== undefined && p.recentErrorRate >= FAILING_RATE;
    const risky = !failing && ((p.windowErrorRate ?? 0) >= RISKY_RATE || (p.recentErrorRate ?? 0) >= RISKY_RATE);
    if (!failing && !risky) return pass(`${counts}.${timeout}`, { resources: [fnArn] });
    const remedy = errorsRemedy(snapshot, p, name, region);
    const shownRate = failing ? p.recentErrorRate! : Math.max(p.windowErrorRate ?? 0, p.recentErrorRate ?? 0);
    const why = p.timingOut ? 'timing out' : 'failing';
    if (failing) {
      const stalled = p.stall === 'failing-batch';
      return {
        status: 'fail',
        title: stalled
          ? `Partition stalled on a failing batch: the function is ${why} on ${pct(shownRate)} of invocations`
          : `The function is ${why} on ${pct(shownRate)} of its invocations`,
        detail:
          `${counts}.${timeout} Lambda retries a failed Kafka batch until it succeeds or its records expire (unless retry limits, bisection or an on-failure destination are set), ` +
          `so one bad record blocks its partition while the mapping still says ${snapshot.esm.LastProcessingResult ?? 'nothing'}.` +
          (p.trend?.growing ? ` ${lagSentence(p)}` : ''),
        remedy,
        resources: [fnArn],
      };
    }
    return {
      status: 'warn',
      title: `The function is ${why} on ${pct(shownRate)} of its invocations`,
      detail: `${counts}.${timeout} Lambda's retries still get the batches through, but each failure delays its partition.`,
      remedy,
      resources: [fnArn],
    };
  },
});

function errorsRemedy(snapshot: Snapshot, p: Progress, name: string, region: string): Remedy {
  const esm = snapshot.esm as typeof snapshot.esm & { BisectBatchOnFunctionError?: boolean; FunctionResponseTypes?: string[]; MaximumRetryAttempts?: number };
  const commands = [tailFunctionLogs({ functionName: name, since: `${Math.max(p.windowMinutes, 5)}m`, filterPattern: 'ERROR', region })];
  if (p.timingOut && p.timeoutMs !== undefined) {
    const longer = Math.min(900, Math.max(Math.ceil((p.timeoutMs / 1000) * 2), 10));
    commands.push(setFunctionTimeout({ functionName: name, seconds: longer, region }));
  }
  const bisect = !esm.BisectBatchOnFunctionError;
  const bounded = esm.MaximumRetryAttempts === undefined || esm.MaximumRetryAttempts < 0;
  if (bisect || bounded) {
    commands.push(updateEsm({ uuid: snapshot.esm.UUID, region, ...(bisect ? { bisectBatchOnFunctionError: true } : {}), ...(bounded ? { maximumRetryAttempts: 5 } : {}) }));
  }
  const destination = esm.DestinationConfig?.OnFailure?.Destination;
  const partial = esm.FunctionResponseTypes?.includes('ReportBatchItemFailures');
  return {
    summary:
      `Find the failing record and its error in the function's logs${p.timingOut ? ' (the invocations end at the timeout: give the function more time or make it faster)' : ''}. ` +
      'So that one bad record cannot block its partition again: split failing batches (BisectBatchOnFunctionError) and cap the retries' +
      (partial ? '' : ', return the failed records from the function (FunctionResponseTypes ReportBatchItemFailures, with batchItemFailures in its response)') +
      (destination ? ` (failed records go to ${destination})` : ', and send what still fails to an on-failure destination (an SQS queue, SNS topic, S3 bucket or Kafka topic) so that nothing is lost') +
      '. Retry controls need provisioned mode on Kafka mappings.',
    commands,
  };
}
