/**
 * Step 5: authentication. Which mode Lambda will use (MSK: a secret decides, else the strongest mode
 * on the cluster, never a fallback; self-managed: the secret decides), whether the other side
 * accepts that mode, and whether the broker ports agree with it.
 */
import {
  AUTH_LABELS,
  MSK_LISTENERS,
  accessConfigs,
  bootstrapServers,
  brokerList,
  chooseMskAuth,
  chooseSelfManagedAuth,
  clientBrokerEncryption,
  clusterClientAuth,
  esmSource,
  splitHostPort,
  type AuthMode,
} from '../model/esm';
import type { ClusterInfo, Snapshot } from '../model/snapshot';
import { type Check, type Outcome, couldNotRead, pass, skip, valueOf } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { type Problem, notCollected, outcomeOf } from './lib/problems';
import { regionOf } from './lib/resources';
import { createKafkaEsm, deleteEsm, updateClusterSecurity, updateEsm } from './lib/commands';
import { remedy } from './lib/remedy';

/** Access types Lambda accepts only for self-managed Kafka (Lambda API, SourceAccessConfiguration). */
const MSK_UNSUPPORTED: Record<string, string> = {
  SASL_SCRAM_256_AUTH: 'MSK supports SASL/SCRAM with SHA-512 only',
  BASIC_AUTH: 'MSK has no SASL/PLAIN',
  SERVER_ROOT_CA_CERTIFICATE: 'MSK broker certificates come from Amazon Trust Services, which Lambda trusts already',
  VPC_SUBNET: 'an MSK ESM always uses the cluster\'s client subnets',
  VPC_SECURITY_GROUP: 'an MSK ESM always uses the cluster\'s security groups',
  VIRTUAL_HOST: 'it is for RabbitMQ only',
};

const SASL_MODES: AuthMode[] = ['sasl-scram-512', 'sasl-scram-256', 'sasl-plain'];

/** Hosts whose listener layout is MSK's own, fixed by the service (port-info). */
const MSK_HOST = /\.kafka(-serverless)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i;
/** Confluent Cloud serves SASL_SSL on 9092. */
const SASL_SSL_ON_9092 = /\.confluent\.cloud$/i;

function configsWithout(snapshot: Snapshot, type: string): string {
  const configs = (snapshot.esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== type).map((c) => ({ Type: c.Type, URI: c.URI }));
  return updateEsm({ uuid: snapshot.esm.UUID, sourceAccessConfigurations: configs, region: regionOf(snapshot) });
}

function updateSecurity(cluster: ClusterInfo, region: string, auth: unknown): string {
  const version = (cluster as { CurrentVersion?: string }).CurrentVersion;
  return updateClusterSecurity({ clusterArn: cluster.ClusterArn, ...(version ? { currentVersion: version } : {}), clientAuthentication: auth, region });
}

function clusterModes(cluster: ClusterInfo): string {
  const auth = clusterClientAuth(cluster);
  const on = [
    auth?.Sasl?.Iam?.Enabled || cluster.Serverless ? 'IAM' : undefined,
    auth?.Sasl?.Scram?.Enabled ? 'SASL/SCRAM' : undefined,
    auth?.Tls?.Enabled ? 'mTLS' : undefined,
    auth?.Unauthenticated?.Enabled ? 'unauthenticated' : undefined,
  ].filter(Boolean);
  return `${on.length ? on.join(', ') : 'no client authentication'} (client-broker encryption ${clientBrokerEncryption(cluster)})`;
}

// ---------------------------------------------------------------------------------------------
// auth.mode

function mskAuthMode(snapshot: Snapshot): Outcome {
  const arn = snapshot.esm.EventSourceArn!;
  const region = regionOf(snapshot);
  const f = snapshot.cluster;
  if (f && !f.ok && f.error.code === 'NotFoundException') return skip(`The cluster ${arn} does not exist (msk.cluster): there is no auth mode to compare.`);
  if (!f) return notCollected('MSK cluster (DescribeClusterV2)', 'kafka:DescribeClusterV2');
  if (!f.ok) return couldNotRead('the MSK cluster\'s authentication settings', f);
  const cluster = f.value;
  const auth = clusterClientAuth(cluster);
  const problems: Problem[] = [];
  const notes: string[] = [];

  for (const config of snapshot.esm.SourceAccessConfigurations ?? []) {
    const why = MSK_UNSUPPORTED[config.Type];
    if (!why) continue;
    problems.push({
      severity: 'fail',
      title: `The ESM has a ${config.Type} entry, which MSK does not support`,
      detail: `The ESM lists ${config.Type} (${config.URI}) for MSK cluster ${arn}: ${why}.`,
      remedy: remedy(`Remove ${config.Type} from the mapping (the command sets the whole list, without it).`, [configsWithout(snapshot, config.Type)]),
      resources: [snapshot.esm.EventSourceMappingArn ?? snapshot.esm.UUID, ...(config.URI.startsWith('arn:') ? [config.URI] : [])],
    });
  }

  const choice = chooseMskAuth(snapshot.esm, cluster);
  const chosen = choice.mode ? `Lambda uses ${AUTH_LABELS[choice.mode]} because ${choice.reason}.` : `Lambda has no mode it can use: ${choice.reason}.`;
  const has = `Cluster ${arn} has ${clusterModes(cluster)} on.`;
  if (!choice.mode) {
    problems.push({
      severity: 'fail',
      title: 'Lambda has no auth mode it can use with this cluster',
      detail: `${chosen} ${has}`,
      remedy: remedy('Give the ESM a SASL_SCRAM_512_AUTH or CLIENT_CERTIFICATE_TLS_AUTH secret for a mode the cluster has on, or turn on IAM access control (the command).', [
        updateSecurity(cluster, region, { Sasl: { Iam: { Enabled: true } } }),
      ]),
      resources: [arn],
    });
  } else if (choice.mode === 'mtls' && auth?.Tls?.Enabled !== true) {
    problems.push({
      severity: 'fail',
      title: 'The ESM has a client certificate but the cluster has TLS client authentication off',
      detail: `${chosen} ${has} The brokers will not accept a client certificate, and Lambda will not try another mode ("Server failed to authenticate Lambda").`,
      remedy: remedy(
        'Turn on TLS client authentication with the ACM Private CA that issued the certificate (kafka update-security --client-authentication Tls, with its ARN in CertificateAuthorityArnList), ' +
          'or remove the certificate secret so Lambda picks another mode (the command).',
        [configsWithout(snapshot, 'CLIENT_CERTIFICATE_TLS_AUTH')],
      ),
      resources: [arn, ...accessConfigs(snapshot.esm, 'CLIENT_CERTIFICATE_TLS_AUTH').map((c) => c.URI)],
    });
  } else if (choice.mode === 'sasl-scram-512' && auth?.Sasl?.Scram?.Enabled !== true) {
    problems.push({
      severity: 'fail',
      title: 'The ESM has a SCRAM secret but the cluster has SASL/SCRAM off',
      detail: `${chosen} ${has} The cluster has no SASL/SCRAM listener (port 9096), and Lambda will not fall back to another mode.`,
      remedy: cluster.Serverless || cluster.ClusterType === 'SERVERLESS'
        ? remedy('MSK Serverless supports IAM only: remove the SCRAM secret so Lambda uses IAM.', [configsWithout(snapshot, 'SASL_SCRAM_512_AUTH')])
        : remedy('Either turn SASL/SCRAM on for the cluster (first command), or remove the secret so Lambda picks the cluster\'s strongest mode (second command).', [
          updateSecurity(cluster, region, { Sasl: { Scram: { Enabled: true } } }),
          configsWithout(snapshot, 'SASL_SCRAM_512_AUTH'),
        ]),
      resources: [arn, ...accessConfigs(snapshot.esm, 'SASL_SCRAM_512_AUTH').map((c) => c.URI)],
    });
  }

  if (choice.mode === 'mtls' && accessConfigs(snapshot.esm, 'SASL_SCRAM_512_AUTH').length) {
    notes.push('The ESM also has a SCRAM secret; Lambda ignores it because the client certificate wins.');
  }
  if (choice.mode === 'iam') {
    const weaker = [
      auth?.Unauthenticated?.Enabled ? 'unauthenticated access' : undefined,
      auth?.Sasl?.Scram?.Enabled ? 'SASL/SCRAM' : undefined,
      auth?.Tls?.Enabled ? 'mTLS' : undefined,
    ].filter(Boolean);
    if (weaker.length) {
      notes.push(
        `The cluster also has ${weaker.join(' and ')} on, but without a secret Lambda uses IAM and never falls back: the execution role needs the kafka-cluster:* permissions (iam.execution-role).`,
      );
    }
  }
  if (choice.mode === 'tls' || choice.mode === 'plaintext') {
    notes.push('Lambda connects without authenticating; anyone with network access to the brokers can read the topic.');
  }
  const port = choice.mode ? MSK_LISTENERS[choice.mode]?.port : undefined;
  return outcomeOf(
    problems,
    pass(`${chosen} ${has}${port ? ` Lambda connects on port ${port}.` : ''}`, { resources: [arn] }),
    notes,
  );
}

function selfManagedAuthMode(snapshot: Snapshot): Outcome {
  const esmArn = snapshot.esm.EventSourceMappingArn ?? snapshot.esm.UUID;
  const choice = chooseSelfManagedAuth(snapshot.esm);
  const mode = choice.mode!;
  const chosen = `Lambda uses ${AUTH_LABELS[mode]} because ${choice.reason}.`;
  const problems: Problem[] = [];
  const notes: string[] = [];

  for (const config of accessConfigs(snapshot.esm, 'VIRTUAL_HOST')) {
    problems.push({
      severity: 'fail',
      title: 'The ESM has a VIRTUAL_HOST entry, which is for RabbitMQ only',
      detail: `The ESM lists VIRTUAL_HOST (${config.URI}), which Kafka does not use.`,
      remedy: remedy('Remove VIRTUAL_HOST from the mapping (the command sets the whole list, without it).', [configsWithout(snapshot, 'VIRTUAL_HOST')]),
      resources: [esmArn],
    });
  }
  const authSecrets = (snapshot.esm.SourceAccessConfigurations ?? []).filter((c) =>
    ['CLIENT_CERTIFICATE_TLS_AUTH', 'SASL_SCRAM_512_AUTH', 'SASL_SCRAM_256_AUTH', 'BASIC_AUTH'].includes(c.Type),
  );
  if (authSecrets.length > 1) {
    notes.push(`The ESM has ${authSecrets.length} authentication secrets (${authSecrets.map((c) => c.Type).join(', ')}); only the one named above is used.`);
  }

  if (SASL_MODES.includes(mode)) {
    const rootCa = accessConfigs(snapshot.esm, 'SERVER_ROOT_CA_CERTIFICATE').length > 0;
    const entries = bootstrapServers(snapshot.esm);
    const plain = entries.filter((e) => splitHostPort(e)?.port === 9092 && !SASL_SSL_ON_9092.test(splitHostPort(e)!.host));
    if (rootCa) {
      notes.push('The ESM has a SERVER_ROOT_CA_CERTIFICATE secret, so the brokers speak TLS: SASL runs over SASL_SSL as Lambda requires.');
    } else if (plain.length) {
      problems.push({
        severity: 'warn',
        title: `${AUTH_LABELS[mode]} on port 9092, which is usually a plaintext listener`,
        detail:
          `${chosen} Lambda only does SASL over TLS (SASL_SSL) — never SASL_PLAINTEXT — but ${plain.join(', ')} use${plain.length === 1 ? 's' : ''} port 9092, ` +
          'Kafka\'s usual PLAINTEXT / SASL_PLAINTEXT port. Ports are a convention, so this is a warning: if that listener is SASL_SSL, all is well.',
        fix:
          'Check the listener: in server.properties, listeners / listener.security.protocol.map must map that port to SASL_SSL. If it is SASL_PLAINTEXT, add a SASL_SSL listener and create a new ESM ' +
          'with its port (an ESM\'s bootstrap servers cannot be changed).',
        resources: [esmArn],
      });
    } else {
      notes.push('Lambda requires SASL over TLS (SASL_SSL); the bootstrap ports do not suggest a plaintext listener, but only a live probe can confirm the listener\'s protocol.');
    }
  }
  if (mode === 'unauthenticated') {
    notes.push('Without a secret Lambda connects without authenticating; the brokers must allow anonymous clients on that listener.');
  }
  return outcomeOf(problems, pass(`${chosen} Self-managed Kafka: the secret decides the mode.`, { resources: [esmArn] }), notes);
}

export const authMode: Check = {
  id: 'auth.mode',
  step: 5,
  title: 'Lambda\'s auth mode is one the brokers accept',
  docs: AWS_DOCS.mskAuth,
  probe: [
    { probe: 'probe.sasl', probeCanClear: true, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    return esmSource(snapshot.esm) === 'msk' ? mskAuthMode(snapshot) : selfManagedAuthMode(snapshot);
  },
};

// ---------------------------------------------------------------------------------------------
// auth.port

/**
 * A bootstrap port that contradicts the auth mode, or undefined. On MSK broker names the port→listener
 * mapping is fixed by the service (9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM; +100 public), so a
 * contradiction is certain. Elsewhere ports are conventions an operator may ignore, so the caller
 * reports them as warnings.
 */
export function portContradiction(port: number, mode: AuthMode, mskHost: boolean): string | undefined {
  if (port === 9098 || port === 9198) {
    return `${port} is MSK's IAM listener, and a self-managed ESM cannot authenticate with IAM`;
  }
  if (port === 9096 || port === 9196) {
    const ok = mskHost ? mode === 'sasl-scram-512' : mode === 'sasl-scram-512' || mode === 'sasl-scram-256';
    if (!ok) return `${port} is the SASL/SCRAM listener${mskHost ? ' (SHA-512)' : ' by MSK\'s convention'}, but the ESM uses ${AUTH_LABELS[mode]}`;
  }
  if (port === 9092 && (SASL_MODES.includes(mode) || mode === 'mtls')) {
    return `9092 is the plaintext listener${mskHost ? '' : ' by convention'}, but ${AUTH_LABELS[mode]} needs TLS`;
  }
  if (mskHost && (port === 9094 || port === 9194) && SASL_MODES.includes(mode)) {
    return `${port} is MSK's TLS listener, which has no SASL, but the ESM uses ${AUTH_LABELS[mode]}`;
  }
  return undefined;
}

/** The port that fits the mode on an MSK broker name. */
function mskPortFor(mode: AuthMode): number | undefined {
  return mode === 'sasl-scram-256' || mode === 'sasl-plain' ? undefined : MSK_LISTENERS[mode === 'unauthenticated' ? 'tls' : mode]?.port;
}

function mskAuthPort(snapshot: Snapshot): Outcome {
  const arn = snapshot.esm.EventSourceArn!;
  const f = snapshot.cluster;
  if (f && !f.ok && f.error.code === 'NotFoundException') return skip(`The cluster ${arn} does not exist (msk.cluster).`);
  const choice = chooseMskAuth(snapshot.esm, valueOf(f));
  if (!choice.mode) return skip(`Lambda has no auth mode for this cluster (${choice.reason}); msk.bootstrap and auth.mode report it.`);
  const listener = MSK_LISTENERS[choice.mode]!;
  const b = snapshot.bootstrapBrokers;
  if (!b) return notCollected('broker strings (GetBootstrapBrokers)', 'kafka:GetBootstrapBrokers');
  if (!b.ok) return couldNotRead('the broker strings', b);
  const raw = (b.value as Record<string, unknown>)[listener.field];
  const brokers = brokerList(typeof raw === 'string' ? raw : undefined);
  if (!brokers.length) return skip(`GetBootstrapBrokers has no ${listener.field} (msk.bootstrap reports it), so there is no port to compare.`);
  const odd = brokers.filter((e) => splitHostPort(e)?.port !== listener.port);
  if (odd.length) {
    return {
      status: 'warn',
      title: `MSK's broker string for ${AUTH_LABELS[choice.mode]} does not use port ${listener.port}`,
      detail: `${listener.field} of ${arn} lists ${odd.join(', ')}, not port ${listener.port} as MSK documents for ${AUTH_LABELS[choice.mode]}. Lambda connects to what the string says; the security groups must admit that port.`,
      fix: 'Open the port the broker string uses in the cluster security group (network.sg-broker-ingress checks it).',
      resources: [arn],
    };
  }
  return pass(
    `Lambda uses ${AUTH_LABELS[choice.mode]} and connects on port ${listener.port}: every entry of ${listener.field} uses it. ` +
      'The cluster security group must admit that port (network.sg-broker-ingress).',
    { resources: [arn] },
  );
}

function selfManagedAuthPort(snapshot: Snapshot): Outcome {
  const esm = snapshot.esm;
  const esmArn = esm.EventSourceMappingArn ?? esm.UUID;
  const mode = chooseSelfManagedAuth(esm).mode!;
  const entries = bootstrapServers(esm);
  if (!entries.length) return skip('The ESM has no KAFKA_BOOTSTRAP_SERVERS to compare.');
  const problems: Problem[] = [];
  const notes: string[] = [];
  const malformed = entries.filter((e) => !splitHostPort(e));
  if (malformed.length) notes.push(`Not of the form host:port (kafka.bootstrap-dns reports them): ${malformed.join(', ')}.`);
  const region = regionOf(snapshot);

  for (const entry of entries) {
    const hp = splitHostPort(entry);
    if (!hp) continue;
    const mskHost = MSK_HOST.test(hp.host);
    const why = portContradiction(hp.port, mode, mskHost);
    if (!why) continue;
    const right = mskHost ? mskPortFor(mode) : undefined;
    const servers = entries.map((e) => {
      const p = splitHostPort(e);
      return p && right && MSK_HOST.test(p.host) ? `${p.host}:${right}` : e;
    });
    // With an MSK host the right port is known; otherwise the reader gives the list (KAFKA_BOOTSTRAP_SERVERS).
    const commands = esm.Topics?.length
      ? [
        createKafkaEsm({ functionArn: esm.FunctionArn, ...(esm.StartingPosition ? { startingPosition: esm.StartingPosition } : {}), topics: esm.Topics, source: right ? { bootstrapServers: servers } : { bootstrapServersVariable: 'KAFKA_BOOTSTRAP_SERVERS' }, sourceAccessConfigurations: esm.SourceAccessConfigurations ?? [], region }),
        deleteEsm({ uuid: esm.UUID, region }),
      ]
      : [];
    problems.push({
      severity: mskHost ? 'fail' : 'warn',
      title: `Bootstrap server ${entry} uses a port that does not match ${AUTH_LABELS[mode]}`,
      detail:
        `${entry}: ${why}.` +
        (mskHost
          ? ' This is an MSK broker name, where each port is one fixed listener: the connection cannot work. (An MSK trigger, with the cluster ARN as event source, would pick the port itself.)'
          : ' Ports are conventions on self-managed Kafka, so this is a warning: check what that listener really speaks.'),
      remedy: remedy(
        (right ? `Use port ${right} for ${AUTH_LABELS[mode]}. ` : 'Use the port of the listener that speaks the ESM\'s mode. ') +
          `The bootstrap servers of an ESM cannot be changed: create a new mapping${right ? ' (with the corrected ports)' : ' (set KAFKA_BOOTSTRAP_SERVERS to the host:port list of the right listener first)'} and delete this one.`,
        commands,
      ),
      resources: [esmArn],
    });
  }
  const ports = [...new Set(entries.map((e) => splitHostPort(e)?.port).filter((p): p is number => p !== undefined))];
  if (ports.length > 1) notes.push(`The bootstrap servers use different ports (${ports.join(', ')}); a cluster normally serves one listener on one port.`);
  return outcomeOf(
    problems,
    pass(`Lambda uses ${AUTH_LABELS[mode]} on port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}; nothing in the ports contradicts it (a live probe confirms what the listener speaks).`, {
      resources: [esmArn],
    }),
    notes,
  );
}

export const authPort: Check = {
  id: 'auth.port',
  step: 5,
  title: 'The broker port matches the auth mode',
  docs: AWS_DOCS.mskNetwork,
  probe: [
    { probe: 'probe.tls', probeCanClear: false, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    return esmSource(snapshot.esm) === 'msk' ? mskAuthPort(snapshot) : selfManagedAuthPort(snapshot);
  },
};

export const checks: Check[] = [authMode, authPort];
