import { esmSource, isProvisionedMode } from '../../model/esm';
import { pass, skip, valueOf, type Outcome, defineCheck } from '../check';
import { esmArnOf, regionOf } from '../lib/resources';
import { updateEsm } from '../lib/commands';
import { AWS_DOCS } from '../lib/aws-docs';

function unlimited(v: number | undefined): boolean {
  return v === undefined || v === -1;
}

/**
 * What stops one poison record from holding its partition (Lambda commits a partition's offsets in
 * order, so nothing after a record that keeps failing is committed):
 *
 * - kafka-retry-configurations: MaximumRetryAttempts and MaximumRecordAgeInSeconds default to -1
 *   (infinite); "When you configure both infinite retries and an on-failure destination, Lambda
 *   automatically applies a maximum of 10 retry attempts". A bound or a destination ends the retries.
 * - Same page: "Split batch on error" and "Partial batch response" isolate the failing record and retry
 *   only it; with retries still infinite that record is retried until it expires, so they narrow the
 *   stall but do not end it.
 * - Same page: the console sets these four controls under provisioned mode (its CLI example passes
 *   --provisioned-poller-config). An on-demand mapping keeps the defaults.
 * - kafka-on-failure: SQS, SNS and S3 on-failure destinations serve MSK and self-managed mappings in
 *   either mode (they predate provisioned mode; Jan 2024), with a VPC endpoint (or NAT) for the
 *   destination service; a kafka:// topic destination needs provisioned mode (kafka-on-failure-destination).
 *
 * So: a mapping with a bound or a destination passes; a provisioned mapping without one warns (the
 * control is a flag away); an on-demand mapping without one passes with the risk and its prevention
 * named, because the prevention is new infrastructure (a destination and its endpoint), the behaviour is
 * Lambda's default, and function.errors already fails a mapping whose function is failing its batches.
 */
export const errorHandling = defineCheck({
  id: 'esm.error-handling',
  step: 9,
  title: 'One failing record cannot block its partition for ever',
  docs: AWS_DOCS.retries,
  run(snapshot): Outcome {
    const esm = snapshot.esm;
    if (!esmSource(esm)) return skip('This is not a Kafka event source mapping.');
    const bounds: string[] = [];
    const destination = esm.DestinationConfig?.OnFailure?.Destination;
    if (!unlimited(esm.MaximumRetryAttempts)) bounds.push(`MaximumRetryAttempts ${esm.MaximumRetryAttempts}`);
    if (!unlimited(esm.MaximumRecordAgeInSeconds)) bounds.push(`MaximumRecordAgeInSeconds ${esm.MaximumRecordAgeInSeconds}`);
    if (destination) {
      bounds.push(
        unlimited(esm.MaximumRetryAttempts)
          ? `an on-failure destination (${destination}), with which Lambda retries an unlimited mapping at most 10 times`
          : `an on-failure destination (${destination})`,
      );
    }
    const isolation: string[] = [];
    if (esm.BisectBatchOnFunctionError) isolation.push('BisectBatchOnFunctionError');
    if (esm.FunctionResponseTypes?.includes('ReportBatchItemFailures')) isolation.push('ReportBatchItemFailures');
    if (bounds.length) {
      return pass(`A failing record does not hold its partition indefinitely: ${[...bounds, ...isolation].join(', ')}.`);
    }

    const topic = valueOf(snapshot.topic);
    const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
    const unbounded = 'Retries are unlimited (MaximumRetryAttempts and MaximumRecordAgeInSeconds are -1, the default) and there is no on-failure destination';
    if (!isProvisionedMode(esm)) {
      return pass(
        `${unbounded}: one poison record blocks its partition, retried until it expires from the topic while every later record of the partition waits. ` +
          'The retry controls (MaximumRetryAttempts, MaximumRecordAgeInSeconds, BisectBatchOnFunctionError, ReportBatchItemFailures) need provisioned mode; ' +
          'in on-demand mode an SQS, SNS or S3 on-failure destination prevents it (Lambda then retries at most 10 times and sends the batch there; ' +
          'the destination service needs a VPC endpoint or NAT from the cluster\'s VPC). Note only: this is Lambda\'s default, and function.errors reports a function that is failing its batches.',
      );
    }
    const remedyCommand = isolation.length
      ? updateEsm({ uuid: esm.UUID, region: regionOf(snapshot), maximumRetryAttempts: 10 })
      : updateEsm({ uuid: esm.UUID, region: regionOf(snapshot), maximumRetryAttempts: 10, bisectBatchOnFunctionError: true, functionResponseTypes: ['ReportBatchItemFailures'] });
    const risk = isolation.length
      ? `${unbounded}. ${isolation.join(' and ')} narrow a retry down to the failing record, but that record is still retried until it expires from the topic, ` +
        'and every later record of its partition waits behind it.'
      : `${unbounded}, and nothing isolates a bad record (no BisectBatchOnFunctionError, no ReportBatchItemFailures): one record the function always fails on ` +
        'is retried until it expires from the topic, and every later record of its partition waits behind it.';
    return {
      status: 'warn',
      title: isolation.length
        ? 'One poison record can block its partition: failing records are isolated but retried for ever'
        : 'One poison record can block its partition: retries are unlimited and nothing isolates a failing record',
      detail: `ESM ${esmArnOf(snapshot)}: ${risk}${partitions ? ` The topic has ${partitions} partitions; each can stall this way.` : ''}`,
      remedy: {
        summary: isolation.length
          ? 'Bound the retries (or the record age) so that a record that keeps failing is given up on; add an on-failure destination to keep it.'
          : 'Bound the retries and isolate failures: split failing batches, retry at most a few times, and let the function report the records it failed on ' +
            '(ReportBatchItemFailures needs the function to return {"batchItemFailures":[...]}); add an on-failure destination to keep the records that still fail.',
        commands: [remedyCommand],
      },
      resources: [esmArnOf(snapshot)],
    };
  },
});
