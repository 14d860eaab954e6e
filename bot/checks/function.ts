/**
 * Step 9: the invoke. The ESM calls the function synchronously; it must exist, be Active with a
 * successful last update, and be allowed to run concurrently.
 */
import type { Snapshot } from '../model/snapshot';
import { type Check, type Outcome, couldNotRead, fail, pass, valueOf, warn } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { notCollected } from './lib/problems';
import { functionNameOf, regionOf } from './lib/resources';
import type { Remedy } from '../model/report';
import { deleteEsm, deleteFunctionConcurrency, getFunctionState, putFunctionConcurrency, touchFunction } from './lib/commands';
import { remedy } from './lib/remedy';

// ---------------------------------------------------------------------------------------------
// function.state

/** What to do for the StateReasonCode / LastUpdateStatusReasonCode values seen most often (Lambda API reference). */
const REASON_FIXES: Record<string, string> = {
  SubnetOutOfIPAddresses: 'Free IP addresses in the function\'s subnets, or add subnets with room to its VPC configuration.',
  InsufficientRolePermissions: 'Give the execution role the permissions the reason names (for a VPC function: AWSLambdaVPCAccessExecutionRole).',
  InvalidSubnet: 'Fix the subnet ids of the function\'s VPC configuration.',
  InvalidSecurityGroup: 'Fix the security group ids of the function\'s VPC configuration.',
  EniLimitExceeded: 'Raise the account\'s network interface quota or reduce the number of subnet / security group combinations.',
  KMSKeyAccessDenied: 'Let the execution role use the function\'s KMS key (kms:Decrypt) or remove the custom key.',
  KMSKeyNotFound: 'Point the function at an existing KMS key, or remove the custom key.',
  ImageDeleted: 'Push the container image again and update the function\'s code to it.',
  ImageAccessDenied: 'Let Lambda pull the image (ECR repository policy) and update the function\'s code.',
};

function fixFor(code: string | undefined, name: string, region: string): Remedy {
  const specific = code ? REASON_FIXES[code] : undefined;
  return remedy(`${specific ?? 'Fix the cause the reason names.'} Then update the function so Lambda retries (the command changes only its description).`, [
    touchFunction({ functionName: name, region }),
  ]);
}

export const functionState: Check = {
  id: 'function.state',
  step: 9,
  title: 'The function is Active (a failed last update, which leaves the previous version running, is a warning)',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const fnArn = snapshot.esm.FunctionArn;
    const region = regionOf(snapshot);
    const f = snapshot.function;
    if (!f) return notCollected('function (GetFunction)', 'lambda:GetFunction');
    if (!f.ok) {
      if (f.error.code === 'ResourceNotFoundException') {
        return fail(
          'The ESM\'s function does not exist',
          `GetFunction answered ResourceNotFoundException for ${fnArn}: the function was deleted (or the version/alias the ESM names is gone). ` +
            'The mapping has nothing to invoke.',
          remedy('Deploy the function again under the same name, or delete the mapping (the command).', [deleteEsm({ uuid: snapshot.esm.UUID, region })]),
          { resources: [fnArn] },
        );
      }
      return couldNotRead('the function', f);
    }
    const c = f.value.Configuration;
    const name = c.FunctionName;
    const arn = c.FunctionArn;
    const state = c.State ?? 'Active';
    const reason = [c.StateReasonCode, c.StateReason].filter(Boolean).join(': ');
    const resources = [arn];

    if (state === 'Pending') {
      return warn(
        'The function is still being created (Pending)',
        `Function ${arn} is Pending${reason ? ` (${reason})` : ''}: invokes fail until it is Active, usually within a minute or two.`,
        remedy('Wait until the command prints Active, then re-run esm-doctor.', [getFunctionState({ functionName: name, region })]),
        { resources },
      );
    }
    // Lambda makes an idle function Inactive and wakes it on the next invoke: the first invokes
    // fail while it goes back through Pending, and the ESM retries them.
    if (state === 'Inactive' && c.StateReasonCode === 'Idle') {
      return warn(
        'The function is Inactive after being idle',
        `Function ${arn} is Inactive (${reason}). The next invoke wakes it up; the first invokes fail while it does and the ESM retries them.`,
        'Nothing to do: the next batch wakes it. If it stays Inactive, the reason code says what blocks it.',
        { resources },
      );
    }
    if (state !== 'Active') {
      return fail(
        `The function is ${state}, not Active`,
        `Function ${arn} is ${state}${reason ? `: ${reason}` : ''}. Lambda cannot invoke it, so every batch fails.`,
        fixFor(c.StateReasonCode, name, region),
        { resources },
      );
    }
    // Lambda docs (functions-states.html, states during updates): a failed update leaves the function
    // Active on its previous code and configuration. The ESM still invokes it, so an Active function whose last
    // update failed is a warning: the next deployment is what is at risk, not the records.
    if (c.LastUpdateStatus === 'Failed') {
      const why = [c.LastUpdateStatusReasonCode, c.LastUpdateStatusReason].filter(Boolean).join(': ');
      return warn(
        'The function\'s last update failed',
        `Function ${arn} is Active but its last update failed${why ? `: ${why}` : ''}. It keeps running the previous code and configuration, so the ESM still invokes it; the change you deployed is not live.`,
        fixFor(c.LastUpdateStatusReasonCode, name, region),
        { resources },
      );
    }
    const update = c.LastUpdateStatus === 'InProgress' ? ' An update is in progress; invokes keep using the current version meanwhile.' : '';
    return pass(`Function ${arn} is Active (last update ${c.LastUpdateStatus ?? 'status unknown'}).${update}`, { resources });
  },
};

// ---------------------------------------------------------------------------------------------
// function.concurrency

export const functionConcurrency: Check = {
  id: 'function.concurrency',
  step: 9,
  title: 'The function may run concurrently',
  docs: AWS_DOCS.scaling,
  run(snapshot: Snapshot): Outcome {
    const name = functionNameOf(snapshot);
    const arn = valueOf(snapshot.function)?.Configuration.FunctionArn ?? snapshot.esm.FunctionArn;
    const region = regionOf(snapshot);
    const f = snapshot.concurrency;
    if (!f) return notCollected('function\'s reserved concurrency (GetFunctionConcurrency)', 'lambda:GetFunctionConcurrency');
    if (!f.ok) return couldNotRead('the function\'s reserved concurrency', f);
    const reserved = f.value.ReservedConcurrentExecutions;
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
};

export const checks: Check[] = [functionState, functionConcurrency];
