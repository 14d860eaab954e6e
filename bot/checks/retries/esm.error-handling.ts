import { esmSource, isProvisionedMode } from '../../model/esm';
import { pass, skip, valueOf, type Outcome, defineCheck } from '../check';
import { esmArnOf, regionOf } from '../lib/resources';
import { updateEsm } from '../lib/commands';
import { AWS_DOCS } from '../lib/aws-docs';

function unlimited(v: number | undefined): boolean {
  return v === undefined || v === -1;
}

export const errorHandling = defineCheck({
  id: 'esm.error-handling',
  step: 9,
  title: 'One failing record cannot block its partition for ever',
  docs: AWS_DOCS.retries,
  run(snapshot): Outcome {
    const esm = snapshot.esm;
    if (!esmSource(esm)) return skip('This is not a Kafka event source mapping.');
    const guards: string[] = [];
    if (esm.DestinationConfig?.OnFailure?.Destination) guards.push(`an on-failure destination (${esm.DestinationConfig.OnFailure.Destination})`);
    if (esm.BisectBatchOnFunctionError) guards.push('BisectBatchOnFunctionError');
    if (esm.FunctionResponseTypes?.includes('ReportBatchItemFailures')) guards.push('ReportBatchItemFailures');
    if (!unlimited(esm.MaximumRetryAttempts)) guards.push(`MaximumRetryAttempts ${esm.MaximumRetryAttempts}`);
    if (!unlimited(esm.MaximumRecordAgeInSeconds)) guards.push(`MaximumRecordAgeInSeconds ${esm.MaximumRecordAgeInSeconds}`);
    if (guards.length) return pass(`A failing record does not hold its partition indefinitely: ${guards.join(', ')}.`);

    const risk =
      'Retries are unlimited (MaximumRetryAttempts and MaximumRecordAgeInSeconds are -1, the default) and nothing isolates a bad record ' +
      '(no on-failure destination, no BisectBatchOnFunctionError, no ReportBatchItemFailures): one record the function always fails on is retried until it expires from the topic, ' +
      'and every later record of its partition waits behind it.';
    if (!isProvisionedMode(esm)) {
      // The controls need provisioned mode (a cost); on-demand mappings keep Lambda's default, so the
      // risk is stated, not counted against the mapping.
      return pass(`${risk} The error handling controls need provisioned mode; this on-demand mapping keeps the default. Note only: handle poison records in the function (catch, log, skip).`);
    }
    const topic = valueOf(snapshot.topic);
    const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
    return {
      status: 'warn',
      title: 'One poison record can block its partition: retries are unlimited and nothing isolates a failing record',
      detail: `ESM ${esmArnOf(snapshot)}: ${risk}${partitions ? ` The topic has ${partitions} partitions; each can stall this way.` : ''}`,
      remedy: {
        summary:
          'Bound the retries and isolate failures: split failing batches, retry at most a few times, and let the function report the records it failed on ' +
          '(ReportBatchItemFailures needs the function to return {"batchItemFailures":[...]}); add an on-failure destination to keep the records that still fail.',
        commands: [updateEsm({ uuid: snapshot.esm.UUID, region: regionOf(snapshot), maximumRetryAttempts: 10, bisectBatchOnFunctionError: true, functionResponseTypes: ['ReportBatchItemFailures'] })],
      },
      resources: [esmArnOf(snapshot)],
    };
  },
});
