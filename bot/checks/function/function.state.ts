import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, need, pass, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { regionOf } from '../lib/resources';
import type { Remedy } from '../../model/report';
import { deleteEsm, getFunctionState, touchFunction } from '../lib/commands';
import { remedy } from '../lib/remedy';

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

function functionGone(snapshot: Snapshot, fnArn: string, region: string): Outcome {
  return fail(
    'The ESM\'s function does not exist',
    `GetFunction answered ResourceNotFoundException for ${fnArn}: the function was deleted (or the version/alias the ESM names is gone). ` +
      'The mapping has nothing to invoke.',
    remedy('Deploy the function again under the same name, or delete the mapping (the command).', [deleteEsm({ uuid: snapshot.esm.UUID, region })]),
    { resources: [fnArn] },
  );
}

export const functionState = defineCheck({
  id: 'function.state',
  step: 9,
  title: 'The function is Active (a failed last update, which leaves the previous version running, is a warning)',
  docs: AWS_DOCS.troubleshoot,
  explains: ['function-call', 'FUNCTION_CONFIG_NOT_VALID'],
  run(snapshot: Snapshot): Outcome {
    const fnArn = snapshot.esm.FunctionArn;
    const region = regionOf(snapshot);
    const f = need(snapshot.function, 'the function', 'lambda:GetFunction', (e) => (e.code === 'ResourceNotFoundException' ? functionGone(snapshot, fnArn, region) : undefined));
    if (!f.ok) return f.outcome;
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
});
