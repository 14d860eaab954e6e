import { esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type ProbeStep } from '../../probe/schema';
import { AWS_DOCS } from '../lib/aws-docs';
import { probeCheck } from './lib';

function saslFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'sasl' }>): string {
  const e = step.evidence;
  const secret = (snapshot.esm.SourceAccessConfigurations ?? []).find((c) => /SASL_SCRAM|BASIC_AUTH/.test(c.Type))?.URI ?? 'the secret';
  if (e?.mechanism.startsWith('OAUTHBEARER')) {
    return 'The brokers refused the IAM token. The ESM signs with its execution role: it needs kafka-cluster:Connect on the cluster (iam.execution-role checks it), and IAM access control must be on for the cluster. (The probe signs with its own credentials; a failure here can also mean those lack kafka-cluster:Connect.)';
  }
  if (e?.outcome === 'mechanism-not-enabled') return `The brokers do not offer ${e.mechanism}: enable it on the listener (sasl.enabled.mechanisms), or give the ESM a secret of the type the brokers offer.`;
  if (esmSource(snapshot.esm) === 'msk') {
    return `The brokers rejected the username and password of ${secret}: check that the secret is associated with the cluster (secret.msk-scram gives the command), that changes had 10 minutes to propagate, and that the password has no \\ / " characters.`;
  }
  return `The brokers rejected the username and password of ${secret}: check the user exists on the cluster with this mechanism (kafka-configs.sh --alter --add-config '${e?.mechanism ?? 'SCRAM-SHA-512'}=[password=…]' --entity-type users --entity-name "$KAFKA_USER") and that the secret holds its current password.`;
}


export const probeSasl = probeCheck({
  step: 'sasl',
  title: 'Live probe: SASL authentication succeeds',
  docs: AWS_DOCS.mskAuth,
  fix: (snapshot, step) => saslFix(snapshot, step as Extract<ProbeStep, { step: 'sasl' }>),
});
