import { esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type ProbeResult } from '../../probe/schema';
import { AWS_DOCS } from '../lib/aws-docs';
import { probeCheck } from './lib';

function dnsFix(snapshot: Snapshot, r: ProbeResult): string {
  const local = r.where.mode === 'local' ? ' This probe ran from this machine: run --probe=remote to resolve from the ESM\'s subnets, which is what counts.' : '';
  return esmSource(snapshot.esm) === 'msk'
    ? `MSK broker names are public DNS names; check that the VPC ${snapshot.network?.vpcId ?? ''} has DNS resolution (enableDnsSupport) on and that no resolver rule overrides kafka.${snapshot.target.region}.amazonaws.com.${local}`
    : `Make every KAFKA_BOOTSTRAP_SERVERS name resolvable from the ESM's position: a Route 53 private hosted zone must be associated with ${snapshot.network?.vpcId ?? 'the ESM\'s VPC'} (route53 associate-vpc-with-hosted-zone), or fix the names (the list cannot be changed: create a new mapping).${local}`;
}


export const probeDns = probeCheck({
  step: 'dns',
  title: 'Live probe: the bootstrap hosts resolve',
  docs: AWS_DOCS.selfManagedNetwork,
  explains: ['dns'],
  fix: (snapshot, _step, r) => dnsFix(snapshot, r),
});
