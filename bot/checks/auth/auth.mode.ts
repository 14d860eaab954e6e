import { AUTH_LABELS, MSK_LISTENERS, accessConfigs, bootstrapServers, chooseMskAuth, chooseSelfManagedAuth, clusterClientAuth, esmSource, splitHostPort } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, need, pass, skip, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type Problem, outcomeOf } from '../lib/problems';
import { regionOf } from '../lib/resources';
import { remedy } from '../lib/remedy';
import { MSK_UNSUPPORTED, SASL_MODES, SASL_SSL_ON_9092, configsWithout, updateSecurity, clusterModes } from './lib';

function mskAuthMode(snapshot: Snapshot): Outcome {
  const arn = snapshot.esm.EventSourceArn!;
  const region = regionOf(snapshot);
  const f = need(snapshot.cluster, 'the MSK cluster\'s authentication settings', 'kafka:DescribeClusterV2', (e) =>
    e.code === 'NotFoundException' ? skip(`The cluster ${arn} does not exist (msk.cluster): there is no auth mode to compare.`) : undefined,
  );
  if (!f.ok) return f.outcome;
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

export const authMode = defineCheck({
  id: 'auth.mode',
  step: 5,
  title: 'Lambda\'s auth mode is one the brokers accept',
  docs: AWS_DOCS.mskAuth,
  explains: ['sasl', 'tls-both-directions', 'server-rejected-lambda', 'lambda-rejected-server', 'authentication', 'ESM_CONFIG_NOT_VALID', 'EVENT_SOURCE_AUTHN_ERROR', 'stuck'],
  probe: [
    { probe: 'probe.sasl', probeCanClear: true, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    return esmSource(snapshot.esm) === 'msk' ? mskAuthMode(snapshot) : selfManagedAuthMode(snapshot);
  },
});
