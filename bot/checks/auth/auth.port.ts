import { AUTH_LABELS, MSK_LISTENERS, bootstrapServers, chooseMskAuth, chooseSelfManagedAuth, esmSource, splitHostPort, type AuthMode } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, pass, skip, valueOf, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type Problem, outcomeOf } from '../lib/problems';
import { mskBrokers, regionOf } from '../lib/resources';
import { createKafkaEsm, deleteEsm } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { SASL_MODES, MSK_HOST } from './lib';

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
  const strings = mskBrokers(snapshot, listener.field);
  if (!strings.ok) return strings.outcome;
  const { brokers } = strings.value;
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

export const authPort = defineCheck({
  id: 'auth.port',
  step: 5,
  title: 'The broker port matches the auth mode',
  docs: AWS_DOCS.mskNetwork,
  explains: ['connection-error', 'broker-connection'],
  probe: [
    { probe: 'probe.tls', probeCanClear: false, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    return esmSource(snapshot.esm) === 'msk' ? mskAuthPort(snapshot) : selfManagedAuthPort(snapshot);
  },
});
