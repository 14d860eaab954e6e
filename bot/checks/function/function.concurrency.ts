import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, valueOf, warn, defineCheck, need } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { functionNameOf, regionOf } from '../lib/resources';
import { deleteFunctionConcurrency, putFunctionConcurrency } from '../lib/commands';
import { remedy } from '../lib/remedy';

export const functionConcurrency = defineCheck({
  id: 'function.concurrency',
  step: 9,
  title: 'The function may run concurrently',
  docs: AWS_DOCS.scaling,
  explains: ['function-call', 'FUNCTION_CONFIG_NOT_VALID'],
  needs: (snapshot) => need(snapshot.concurrency, 'the function\'s reserved concurrency', 'lambda:GetFunctionConcurrency'),
  run(snapshot: Snapshot, concurrency): Outcome {
    const name = functionNameOf(snapshot);
    const arn = valueOf(snapshot.function)?.Configuration.FunctionArn ?? snapshot.esm.FunctionArn;
    const region = regionOf(snapshot);
    const reserved = concurrency.ReservedConcurrentExecutions;
    const resources = [arn];
    if (reserved === undefined) {
      return pass(`Function ${name} has no reserved concurrency: it shares the account's unreserved concurrency (not visible here).`, { resources });
    }
    if (reserved === 0) {
      return fail(
        'The function\'s reserved concurrency is 0: every invoke is throttled',
        `Function ${arn} has ReservedConcurrentExecutions = 0, which stops it from running at all: every batch the ESM sends is throttled and retried, and the lag grows.`,
        remedy('Remove the reservation (first command), or reserve what the ESM needs instead (second command, 10 as an example).', [
          deleteFunctionConcurrency({ functionName: name, region }),
          putFunctionConcurrency({ functionName: name, reserved: 10, region }),
        ]),
        { resources },
      );
    }
    // Lambda runs at most one concurrent invoke per partition (on-demand), so fewer reserved
    // executions than partitions means throttles. Throttled batches are retried and the ESM scales
    // its pollers down, so records are delayed, not lost: a risk to watch, not a breakage.
    const topic = valueOf(snapshot.topic);
    const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
    if (partitions !== undefined && reserved < partitions) {
      return warn(
        `Reserved concurrency ${reserved} is below the topic's ${partitions} partitions`,
        `Function ${arn} has ReservedConcurrentExecutions = ${reserved}, while topic "${topic!.TopicName}" has ${partitions} partitions that Lambda can process in parallel. ` +
          'Invokes beyond the reservation are throttled: Lambda retries them and scales its pollers down, so the lag grows under load.',
        remedy('If the lag matters, reserve at least one execution per partition.', [putFunctionConcurrency({ functionName: name, reserved: partitions, region })]),
        { resources },
      );
    }
    const note = partitions === undefined ? ' The partition count is unknown, so whether this is enough under load cannot be judged here.' : '';
    return pass(`Function ${name} has ReservedConcurrentExecutions = ${reserved}.${note}`, { resources });
  },
});
