/** Helpers shared by the status checks (step 0): what an ESM's position and auth say, the fixes Lambda's messages point to. */
import { MSK_LISTENERS, chooseAuth, esmPlacement, esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Fix, valueOf } from '../check';
import { regionOf } from '../lib/resources';
import { authorizeSgIngress, createInterfaceEndpoint } from '../lib/commands';
import { remedy } from '../lib/remedy';
import type { CheckId } from '../registry';
import { stepChecks } from '../steps';
import type { Symptom } from './symptoms';

export function topicOf(s: Snapshot): string {
  return s.esm.Topics?.[0] ?? 'the topic';
}

/**
 * The checks that declare they explain a symptom (`explains`), in setup-step order: what would
 * confirm Lambda's word. Read from the step checks, not the registry, which lists the status checks.
 */
export function confirmersOf(symptom: Symptom): CheckId[] {
  return [...stepChecks].sort((a, b) => a.step - b.step).filter((c) => c.explains?.includes(symptom)).map((c) => c.id);
}

/**
 * The checks that could confirm a symptom, for this ESM's position: a self-managed ESM has no MSK
 * cluster to check, and one that is not in a VPC has no security groups, ACLs, subnets or VPC paths.
 */
export function relatedFor(s: Snapshot, symptom: Symptom): CheckId[] {
  const selfManaged = esmSource(s.esm) === 'self-managed';
  const internet = onInternet(s);
  return confirmersOf(symptom).filter((id) => !(selfManaged && id.startsWith('msk.')) && !(internet && (id.startsWith('network.') || id.startsWith('egress.'))));
}

/** Not in a VPC: Lambda reaches the brokers from its own network, so there are no groups, ACLs or subnets of the user's to advise on. */
export function onInternet(s: Snapshot): boolean {
  return esmPlacement(s.esm, valueOf(s.cluster), valueOf(s.vpcConnection))?.kind === 'internet';
}

export function authOf(s: Snapshot) {
  return chooseAuth(s.esm, valueOf(s.cluster));
}

export function portOf(s: Snapshot): number | undefined {
  const mode = authOf(s).mode;
  if (esmSource(s.esm) === 'msk') return mode ? MSK_LISTENERS[mode]?.port : undefined;
  const first = s.esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.[0];
  const port = first ? Number(first.split(':').pop()) : NaN;
  return Number.isFinite(port) ? port : undefined;
}

export function placementText(s: Snapshot): string {
  const p = esmPlacement(s.esm, valueOf(s.cluster), valueOf(s.vpcConnection));
  if (!p) return 'the cluster\'s subnets and security groups';
  if (p.kind === 'internet') return 'the internet (the ESM has no VPC_SUBNET / VPC_SECURITY_GROUP)';
  return `subnets ${p.subnetIds.join(', ') || '(none)'} with security groups ${p.securityGroupIds.join(', ') || '(none)'}, from ${p.from}`;
}

export function endpointCommands(s: Snapshot): string[] {
  const p = esmPlacement(s.esm, valueOf(s.cluster), valueOf(s.vpcConnection));
  const vpc = s.network?.vpcId;
  const region = regionOf(s);
  if (!p || p.kind === 'internet' || !vpc || !p.subnetIds.length || !p.securityGroupIds.length) return [];
  const services = ['sts', 'lambda', ...(s.esm.SourceAccessConfigurations?.some((c) => /AUTH|CERTIFICATE/.test(c.Type)) ? ['secretsmanager'] : [])];
  return services.map((svc) =>
    createInterfaceEndpoint({ vpcId: vpc, serviceName: `com.amazonaws.${region}.${svc}`, subnetIds: p.subnetIds, securityGroupIds: p.securityGroupIds, region }),
  );
}

export function isIam(s: Snapshot): boolean {
  return authOf(s).mode === 'iam';
}

export function brokerHint(s: Snapshot): string | undefined {
  const first = s.esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.[0];
  if (first) return first;
  const mode = authOf(s).mode;
  const field = mode ? MSK_LISTENERS[mode]?.field : undefined;
  const brokers = valueOf(s.bootstrapBrokers) as Record<string, string | undefined> | undefined;
  return (field && brokers?.[field]?.split(',')[0]) || undefined;
}

export const TLS_SERVER_REJECTED = /(server|broker|cluster)s?\s+failed\s+to\s+authenticate\s+(lambda|the\s+client|client)/i;
export const TLS_LAMBDA_REJECTED = /lambda\s+failed\s+to\s+authenticate\s+(the\s+)?(server|broker|cluster)/i;

export const serverRejectedExplanation =
  'The brokers did not accept Lambda during the TLS handshake: mutual TLS is on but the ESM gives no client certificate, ' +
  'a certificate is given but the brokers do not use mutual TLS, or the brokers do not trust the CA that signed the client certificate.';
export const lambdaRejectedExplanation =
  'Lambda could not verify the brokers\' certificate: the brokers use a self-signed or private-CA certificate and the ESM has no ' +
  'SERVER_ROOT_CA_CERTIFICATE secret, the CA in that secret did not sign the broker certificate, or the certificate\'s SAN does not ' +
  'hold the host name Lambda connected to.';

export function serverRejectedFix(s: Snapshot): string {
  return esmSource(s.esm) === 'msk'
    ? `Give the ESM a CLIENT_CERTIFICATE_TLS_AUTH secret whose certificate was issued by a CA in the cluster's Tls.CertificateAuthorityArnList, or, if the ESM should not use mutual TLS, remove the certificate secret (see auth.mode for the mode Lambda picks).`
    : 'Give the ESM a CLIENT_CERTIFICATE_TLS_AUTH secret whose certificate is signed by a CA in the brokers\' truststore (ssl.truststore), or remove it if the brokers do not use mutual TLS (ssl.client.auth).';
}

export function lambdaRejectedFix(s: Snapshot): Fix {
  const configs = [
    ...(s.esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== 'SERVER_ROOT_CA_CERTIFICATE').map((c) => ({ Type: c.Type, URI: c.URI })),
    { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: 'ARN of the root CA secret' },
  ];
  return remedy(
    'Store the root CA that signed the broker certificates in Secrets Manager as {"certificate":"-----BEGIN CERTIFICATE-----..."}, then set the ESM\'s ' +
      'source access configurations to the list below with that secret\'s ARN (update-event-source-mapping replaces the whole list, so it repeats the current entries). ' +
      'Every broker certificate must name, in its SAN, the host names in KAFKA_BOOTSTRAP_SERVERS and the advertised listeners.',
    [],
    [{ title: 'SourceAccessConfigurations with the root CA', json: configs }],
  );
}

export function brokerConnectionFix(s: Snapshot): Fix {
  const port = portOf(s);
  if (onInternet(s)) {
    // No VPC on the ESM side: Lambda connects from its own public addresses, so nothing of the user's VPC is in the way.
    return (
      `The ESM is not in a VPC: Lambda connects from its own network over the internet, so the brokers must be publicly reachable${port ? ` on TCP ${port}` : ''} ` +
      '(public DNS names, a firewall open to Lambda\'s public addresses in this region, advertised listeners that are public too). Check the brokers\' health as well; ' +
      'esm-doctor diagnose --probe replays the connection.'
    );
  }
  const p = esmPlacement(s.esm, valueOf(s.cluster), valueOf(s.vpcConnection));
  const sg = p?.securityGroupIds[0];
  return remedy(
    `Let the ESM's security groups reach the brokers${port ? ` on TCP ${port}` : ''} (a self-referencing rule on the broker security group is the minimal one${sg && port ? ': the command adds it' : ''}), ` +
      'check the network ACLs of those subnets, and check the brokers\' health (CPU, disk); esm-doctor diagnose --probe replays the connection from the ESM\'s subnets.',
    sg && port ? [authorizeSgIngress({ groupId: sg, port, from: { groupId: sg }, region: regionOf(s) })] : [],
  );
}
