import { accessConfigs, isVpcConnectionArn } from '../../model/esm';
import { couldNotRead, pass, skip, type Outcome, defineCheck } from '../check';
import { esmArnOf, regionOf } from '../lib/resources';
import { AWS_DOCS } from '../lib/aws-docs';
import { describeVpcConnection } from '../lib/commands';

/** VpcConnectionState values (MSK API) and what each means for the ESM. */
const STATES: Record<string, { status: 'fail' | 'warn'; meaning: string }> = {
  CREATING: { status: 'warn', meaning: 'the connection is still being created; the ESM cannot reach the brokers until it is AVAILABLE' },
  INACTIVE: { status: 'fail', meaning: 'the connection is inactive: no traffic flows to the cluster' },
  DEACTIVATING: { status: 'fail', meaning: 'the connection is being deactivated' },
  DELETING: { status: 'fail', meaning: 'the connection is being deleted' },
  FAILED: { status: 'fail', meaning: 'MSK could not create the connection' },
  REJECTED: { status: 'fail', meaning: 'the cluster owner rejected the connection' },
  REJECTING: { status: 'fail', meaning: 'the cluster owner is rejecting the connection' },
};

/** The ESM's auth as MSK names a VPC connection's Authentication. */
function esmConnectionAuth(esm: Parameters<typeof accessConfigs>[0]): string {
  if (accessConfigs(esm, 'CLIENT_CERTIFICATE_TLS_AUTH').length) return 'TLS';
  if (accessConfigs(esm, 'SASL_SCRAM_512_AUTH').length) return 'SASL_SCRAM';
  return 'SASL_IAM';
}

export const vpcConnection = defineCheck({
  id: 'msk.vpc-connection',
  step: 3,
  title: 'The cross-account VPC connection to the cluster is AVAILABLE',
  docs: AWS_DOCS.crossAccount,
  explains: ['stuck'],
  run(snapshot): Outcome {
    const arn = snapshot.esm.EventSourceArn;
    if (!isVpcConnectionArn(arn)) return skip('The ESM reads a cluster of its own account, not through a cross-account VPC connection.');
    const f = snapshot.vpcConnection;
    if (!f) return skip('The VPC connection was not collected (kafka:DescribeVpcConnection).');
    if (!f.ok) return couldNotRead('the VPC connection to the other account\'s cluster', f);
    const c = f.value;
    const resources = [esmArnOf(snapshot), arn!];
    const target = c.TargetClusterArn ? ` to ${c.TargetClusterArn}` : '';
    const where = `${c.VpcId ?? 'a VPC'} (subnets ${(c.Subnets ?? []).join(', ') || 'unknown'}, security groups ${(c.SecurityGroups ?? []).join(', ') || 'unknown'})`;
    const describe = describeVpcConnection({ arn: arn!, region: regionOf(snapshot) });
    const state = (c.State ?? 'UNKNOWN').toUpperCase();
    const known = STATES[state];
    if (known) {
      return {
        status: known.status,
        title: `The VPC connection${target} is ${state}`,
        detail: `The ESM reads the other account's cluster through ${arn}, in ${where}: ${known.meaning}.`,
        remedy: {
          summary:
            state === 'REJECTED' || state === 'REJECTING'
              ? 'Ask the cluster owner to accept the connection (their cluster policy must allow this account), or create a new connection and a new ESM on it.'
              : state === 'CREATING'
                ? 'Wait for the connection to become AVAILABLE, then re-run.'
                : 'Create the connection again from this account (aws kafka create-vpc-connection) and point a new ESM at it; the EventSourceArn of an ESM cannot be changed.',
          commands: [describe],
        },
        resources,
      };
    }
    if (state !== 'AVAILABLE') {
      return { status: 'warn', title: `The VPC connection is in an unknown state (${state})`, detail: `DescribeVpcConnection of ${arn} reports State "${state}".`, remedy: { summary: 'Look at the connection.', commands: [describe] }, resources };
    }
    const wanted = esmConnectionAuth(snapshot.esm);
    if (c.Authentication && c.Authentication.toUpperCase() !== wanted) {
      return {
        status: 'fail',
        title: `The VPC connection uses ${c.Authentication}, the ESM authenticates with ${wanted}`,
        detail: `A multi-VPC connection carries one authentication type. ${arn} was created for ${c.Authentication}, but the ESM's secrets make Lambda use ${wanted}.`,
        remedy: {
          summary: `Create a VPC connection with ${wanted} authentication (the cluster must enable it for multi-VPC connectivity) and a new ESM on it, or give the ESM the secret matching ${c.Authentication}.`,
          commands: [describe],
        },
        resources,
      };
    }
    return pass(`The ESM reads the other account's cluster through ${arn}${target}: AVAILABLE, ${c.Authentication ?? 'authentication unknown'}, in ${where}. The cluster itself is not readable from this account.`, { resources });
  },
});
