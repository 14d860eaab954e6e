/**
 * Steps 3–6 as the live probe saw them (probe.dns, probe.tcp, probe.tls, probe.sasl,
 * probe.metadata, probe.group). The probe records what happened; these checks turn each step into
 * a finding with the evidence, where the probe ran from, the time it took, and the fix for what
 * broke. Without a probe they `skip` ("run with --probe").
 *
 * Each static check names the probe steps that can confirm or contradict it (its `probe` rules);
 * the engine's reconciliation pass reads them, and trusts the probe when they disagree.
 */
import { MSK_LISTENERS, esmSource } from '../model/esm';
import type { Snapshot } from '../model/snapshot';
import { PROBE_STEP_NUMBERS, probeStep, type ProbeResult, type ProbeStep, type ProbeStepName } from '../probe/schema';
import { couldNotRead, fixFields, skip, type Check, type Fix, type Outcome } from './check';
import { remedy } from './lib/remedy';
import { shellQuote } from './lib/shell';
import { AWS_DOCS } from './lib/aws-docs';

export const NO_PROBE = 'No live probe ran: run with --probe (from this machine) or --probe=remote (from the ESM\'s own subnets and security groups) to replay this step.';

function whereText(r: ProbeResult): string {
  if (r.where.mode === 'remote') {
    return `from the ESM's network position (probe function ${r.where.functionName ?? '?'}${r.where.placement ? `; ${r.where.placement}` : ''})`;
  }
  return 'from this machine, not from the ESM\'s network position (--probe=remote replays it from there)';
}

function evidenceText(step: ProbeStep): string {
  switch (step.step) {
    case 'dns':
      return step.evidence ? `Resolver: ${step.evidence.resolver}. ${step.evidence.answers.map((a) => `${a.entry} → ${a.addresses.join(', ') || a.error} (${Math.round(a.ms)} ms)`).join('; ')}.` : '';
    case 'tcp':
      return step.evidence ? step.evidence.attempts.map((a) => `${a.host}:${a.port} via ${a.address}: ${a.outcome}${a.code && a.outcome !== 'connected' ? ` (${a.code})` : ''} in ${Math.round(a.ms)} ms`).join('; ') + '.' : '';
    case 'tls': {
      const e = step.evidence;
      if (!e) return '';
      const client = e.clientCertificate ? ` Client certificate presented: ${e.clientCertificate.subject} (issuer ${e.clientCertificate.issuer}, valid until ${e.clientCertificate.validTo}).` : '';
      const lines = e.attempts.map((a) => {
        const c = a.certificate;
        const cert = c ? `; certificate ${c.subject}, issuer ${c.issuer}, SANs ${c.subjectAltNames.join(' ') || 'none'}, valid ${c.validFrom} – ${c.validTo}` : '';
        return `${a.host}:${a.port}: ${a.outcome}${a.code ? ` (${a.code})` : ''}${a.protocol ? `, ${a.protocol}` : ''}${cert}${a.message && a.outcome !== 'ok' ? ` — ${a.message}` : ''}`;
      });
      return `Trust: ${e.trust === 'default' ? 'the default roots' : 'the default roots plus the ESM\'s SERVER_ROOT_CA_CERTIFICATE'}.${client} ${lines.join('; ')}.`;
    }
    case 'sasl':
      return step.evidence ? `${step.evidence.mechanism} with ${step.evidence.broker}: ${step.evidence.outcome}${step.evidence.errorType ? ` (${step.evidence.errorType})` : ''}${step.evidence.signedBy ? `; token signed by ${step.evidence.signedBy}` : ''}.` : '';
    case 'metadata': {
      const e = step.evidence;
      if (!e) return '';
      const partitions = e.partitions.length ? ` Partitions → leaders: ${e.partitions.map((p) => `${p.partition}→${p.leader}`).join(', ')}.` : '';
      const brokers = e.brokers.length ? ` Advertised brokers: ${e.brokers.map((b) => `${b.nodeId} ${b.host}:${b.port} ${b.outcome}${b.code ? ` (${b.code})` : ''}`).join('; ')}.` : '';
      return `Bootstrapped from ${e.broker}.${partitions}${brokers}`;
    }
    case 'group':
      return step.evidence ? `Group ${step.evidence.groupId}: ${step.evidence.outcome}${step.evidence.state ? `, state ${step.evidence.state}` : ''}${step.evidence.errorType ? ` (${step.evidence.errorType})` : ''}.` : '';
  }
}

function portOf(entry: string | undefined): string {
  return entry?.split(':').pop() ?? 'the port';
}

// ---------------------------------------------------------------------------------------------
// Fixes, per step and outcome

function dnsFix(snapshot: Snapshot, r: ProbeResult): string {
  const local = r.where.mode === 'local' ? ' This probe ran from this machine: run --probe=remote to resolve from the ESM\'s subnets, which is what counts.' : '';
  return esmSource(snapshot.esm) === 'msk'
    ? `MSK broker names are public DNS names; check that the VPC ${snapshot.network?.vpcId ?? ''} has DNS resolution (enableDnsSupport) on and that no resolver rule overrides kafka.${snapshot.target.region}.amazonaws.com.${local}`
    : `Make every KAFKA_BOOTSTRAP_SERVERS name resolvable from the ESM's position: a Route 53 private hosted zone must be associated with ${snapshot.network?.vpcId ?? 'the ESM\'s VPC'} (route53 associate-vpc-with-hosted-zone), or fix the names (the list cannot be changed: create a new mapping).${local}`;
}

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

function tlsFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'tls' }>): string {
  const msk = esmSource(snapshot.esm) === 'msk';
  const bad = step.evidence?.attempts.filter((a) => a.outcome !== 'ok') ?? [];
  const fixes = new Set<string>();
  for (const a of bad) {
    const c = a.certificate;
    switch (a.outcome) {
      case 'untrusted':
        fixes.add(
          msk
            ? 'MSK brokers present Amazon Trust Services certificates: something between the ESM and the brokers presents another certificate (a proxy, or not an MSK broker).'
            : `The chain ends at ${c?.issuer ?? 'a CA'} that is not trusted: store that root CA as {"certificate":"-----BEGIN CERTIFICATE-----…"} in Secrets Manager and add it to the ESM as SERVER_ROOT_CA_CERTIFICATE (update-event-source-mapping; esm.last-result gives the list), or have the brokers send the full chain.`,
        );
        break;
      case 'hostname-mismatch':
        fixes.add(`The certificate of ${a.host} covers ${c?.subjectAltNames.join(', ') || c?.subject || 'other names'}: reissue it with a SAN for ${a.host}, or use a bootstrap name it covers.`);
        break;
      case 'expired':
      case 'not-yet-valid':
        fixes.add(`Renew the broker certificate of ${a.host} (valid ${c?.validFrom ?? '?'} – ${c?.validTo ?? '?'}).`);
        break;
      case 'client-certificate-rejected':
        fixes.add(
          msk
            ? 'The brokers did not accept the client certificate: issue it from the ACM Private CA listed in the cluster\'s Tls.CertificateAuthorityArnList, with the chain in order (client certificate first) and a PKCS#8 key.'
            : 'The brokers did not accept the client certificate: issue it from a CA in the brokers\' truststore (ssl.truststore), with the chain in order (client certificate first) and a PKCS#8 key; or the broker requires a client certificate and the ESM has no CLIENT_CERTIFICATE_TLS_AUTH secret.',
        );
        break;
      case 'no-tls':
        fixes.add(`Port ${a.port} does not speak TLS, but Lambda connects with TLS in this auth mode: use the TLS listener's port${msk ? ` (${Object.values(MSK_LISTENERS).filter((l) => l!.port !== 9092).map((l) => l!.port).join('/')})` : ''}.`);
        break;
      case 'timeout':
        fixes.add(`No TLS handshake from ${a.host}:${a.port}: a plaintext listener waits silently for a Kafka request — check that the port is a TLS listener.`);
        break;
      default:
        fixes.add(`TLS with ${a.host}:${a.port} failed (${a.code ?? a.outcome}): check the brokers' TLS listener.`);
    }
  }
  return [...fixes].join('\n');
}

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

function metadataFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'metadata' }>, r: ProbeResult): Fix {
  const e = step.evidence;
  const topic = e?.topic || snapshot.esm.Topics?.[0];
  const broker = r.bootstrap[0];
  const fixes: string[] = [];
  const commands: string[] = [];
  if (e?.found === false) {
    fixes.push('Create the topic (names are case-sensitive), then disable and re-enable the trigger.');
    if (broker && topic) commands.push(`kafka-topics.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --create --topic ${shellQuote(topic)} --partitions 3`);
  }
  if (e?.errorType === 'TOPIC_AUTHORIZATION_FAILED') {
    if (r.authMode === 'iam') fixes.push('Grant the execution role kafka-cluster:DescribeTopic and kafka-cluster:ReadData on the topic ARN (iam.execution-role names the statement).');
    else {
      fixes.push('Allow the ESM\'s principal (set KAFKA_USER to the secret\'s user name) to Describe and Read the topic.');
      if (broker && topic) commands.push(`kafka-acls.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --add --allow-principal "User:$KAFKA_USER" --operation Describe --operation Read --topic ${shellQuote(topic)}`);
    }
  }
  const unreachable = e?.brokers.filter((b) => b.outcome !== 'reachable') ?? [];
  if (unreachable.length) {
    fixes.push(`After bootstrapping, the ESM connects to the addresses the brokers advertise: ${unreachable.map((b) => `${b.host}:${b.port}`).join(', ')} must resolve and accept connections from the ESM's network position (fix advertised.listeners, DNS, or the security groups for ${portOf(`x:${unreachable[0]!.port}`)}).`);
  }
  if (e?.partitions.some((p) => p.leader < 0)) fixes.push('Some partitions have no leader: a broker is down or the cluster is unhealthy; check the brokers (MSK: the cluster\'s metrics and state).');
  return remedy(fixes.join('\n') || 'Check the cluster\'s health and the ESM\'s permissions on the topic.', commands);
}

function groupFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'group' }>, r: ProbeResult): Fix {
  const group = step.evidence?.groupId ?? r.groupId;
  if (step.evidence?.outcome === 'not-authorized') {
    return r.authMode === 'iam'
      ? `Grant the execution role kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on the group ARN (…:group/cluster-name/cluster-uuid/${group}; iam.execution-role names the statement).`
      : remedy(
        'Allow the ESM\'s principal (set KAFKA_USER to the secret\'s user name) to use the group.',
        r.bootstrap[0] ? [`kafka-acls.sh --bootstrap-server ${shellQuote(r.bootstrap[0])} --command-config client.properties --add --allow-principal "User:$KAFKA_USER" --operation Read --operation Describe --group ${shellQuote(group)}`] : [],
      );
  }
  if (step.evidence?.outcome === 'coordinator-unavailable') return 'No group coordinator: the __consumer_offsets topic is unavailable (brokers down, under-replicated); check the cluster\'s health.';
  void snapshot;
  return 'Check the cluster\'s health and the ESM\'s rights on its consumer group.';
}

// ---------------------------------------------------------------------------------------------

interface ProbeCheckSpec {
  step: ProbeStepName;
  title: string;
  docs: string;
  fix(snapshot: Snapshot, step: ProbeStep, result: ProbeResult): Fix;
}

function probeCheck(spec: ProbeCheckSpec): Check {
  return {
    id: `probe.${spec.step}`,
    step: PROBE_STEP_NUMBERS[spec.step],
    title: spec.title,
    docs: spec.docs,
    run(snapshot): Outcome {
      const f = snapshot.probe;
      if (!f) return skip(NO_PROBE);
      if (!f.ok) return couldNotRead('the live probe', f);
      const result = f.value;
      const step = probeStep(result, spec.step);
      if (!step) return skip(`The probe did not report this step.`);
      if (step.status === 'skip') return skip(`The probe skipped this step: ${step.summary}`);
      const detail = `${step.summary} ${evidenceText(step)} Probed ${whereText(result)} in ${Math.round(step.durationMs)} ms.`.replace(/\s+/g, ' ').trim();
      if (step.status === 'pass') return { status: 'pass', detail };
      const title = `Live probe: ${step.summary.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '')}`;
      if (step.status === 'error') {
        return { status: 'error', title, detail, fix: 'Let the identity running the probe read the ESM\'s secrets (secretsmanager:GetSecretValue, kms:Decrypt), then re-run.' };
      }
      const fix = spec.fix(snapshot, step, result);
      return { status: step.status, title, detail, ...fixFields(fix) };
    },
  };
}

export const probeDns = probeCheck({
  step: 'dns',
  title: 'Live probe: the bootstrap hosts resolve',
  docs: AWS_DOCS.selfManagedNetwork,
  fix: (snapshot, _step, r) => dnsFix(snapshot, r),
});
export const probeTcp = probeCheck({
  step: 'tcp',
  title: 'Live probe: TCP connects to the brokers',
  docs: AWS_DOCS.mskNetwork,
  fix: (_snapshot, step) => tcpFix(step as Extract<ProbeStep, { step: 'tcp' }>),
});
export const probeTls = probeCheck({
  step: 'tls',
  title: 'Live probe: the TLS handshake verifies',
  docs: AWS_DOCS.selfManagedAuth,
  fix: (snapshot, step) => tlsFix(snapshot, step as Extract<ProbeStep, { step: 'tls' }>),
});
export const probeSasl = probeCheck({
  step: 'sasl',
  title: 'Live probe: SASL authentication succeeds',
  docs: AWS_DOCS.mskAuth,
  fix: (snapshot, step) => saslFix(snapshot, step as Extract<ProbeStep, { step: 'sasl' }>),
});
export const probeMetadata = probeCheck({
  step: 'metadata',
  title: 'Live probe: the topic exists, has leaders, and every advertised broker is reachable',
  docs: AWS_DOCS.troubleshoot,
  fix: (snapshot, step, r) => metadataFix(snapshot, step as Extract<ProbeStep, { step: 'metadata' }>, r),
});
export const probeGroup = probeCheck({
  step: 'group',
  title: 'Live probe: the consumer group can be used',
  docs: AWS_DOCS.consumerGroupId,
  fix: (snapshot, step, r) => groupFix(snapshot, step as Extract<ProbeStep, { step: 'group' }>, r),
});

export const checks: Check[] = [probeDns, probeTcp, probeTls, probeSasl, probeMetadata, probeGroup];
