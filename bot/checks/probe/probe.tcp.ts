import { type ProbeStep } from '../../probe/schema';
import { AWS_DOCS } from '../lib/aws-docs';
import { probeCheck } from './lib';

function tcpFix(step: Extract<ProbeStep, { step: 'tcp' }>): string {
  const bad = step.evidence?.attempts.filter((a) => a.outcome !== 'connected') ?? [];
  const port = bad[0]?.port ?? 'the port';
  const fixes: string[] = [];
  if (bad.some((a) => a.outcome === 'timeout')) {
    fixes.push(`Timed out = packets dropped: the brokers' security group must admit TCP ${port} from the ESM's security groups (a self-referencing rule; network.sg-broker-ingress gives the command), the ESM's groups must allow egress to ${port}, and the NACLs must allow ${port} and the return ports 1024–65535.`);
  }
  if (bad.some((a) => a.outcome === 'refused')) {
    fixes.push(`Refused = the host answered but nothing accepts on ${port}: check that the brokers are up and that the listener for this auth mode is on that port (MSK: 9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM).`);
  }
  if (bad.some((a) => a.outcome === 'unreachable')) fixes.push('Unreachable = no route to that address: check the subnets\' route tables (peering, transit gateway) and that the address is the broker\'s.');
  if (bad.some((a) => a.outcome === 'error')) fixes.push('Check the broker addresses and the network path.');
  return fixes.join('\n');
}


export const probeTcp = probeCheck({
  step: 'tcp',
  title: 'Live probe: TCP connects to the brokers',
  docs: AWS_DOCS.mskNetwork,
  explains: ['connection-error', 'broker-connection'],
  fix: (_snapshot, step) => tcpFix(step as Extract<ProbeStep, { step: 'tcp' }>),
});
