/**
 * What the probe replays, derived purely from the ESM's configuration (and its MSK cluster) the
 * way Lambda derives it: the auth mode it chooses (model/esm `chooseAuth`, no fallback), the
 * broker string of that mode, whether the connection is TLS, which SASL mechanism, which secrets,
 * the topic and the consumer group. No I/O.
 */
import { z } from 'zod';
import {
  MSK_LISTENERS,
  accessConfigs,
  bootstrapServers,
  brokerList,
  chooseAuth,
  consumerGroupId,
  esmPlacement,
  esmSource,
  type AuthMode,
  type Placement,
} from '../model/esm';
import { BootstrapBrokers, ClusterInfo, EsmConfig } from '../model/snapshot';
import { Target } from '../model/target';

/** The probe's input: the part of a Snapshot it needs (what the remote probe function receives). */
export const ProbeRequest = z.object({
  target: Target,
  esm: EsmConfig,
  cluster: ClusterInfo.optional(),
  bootstrapBrokers: BootstrapBrokers.optional(),
  /** The whole probe's time budget; default 20 s. */
  budgetMs: z.number().int().min(1_000).max(120_000).optional(),
});
export type ProbeRequest = z.infer<typeof ProbeRequest>;

/** kafkajs's names for the SASL mechanisms the ESM can use. */
export type SaslMechanism = 'scram-sha-512' | 'scram-sha-256' | 'plain' | 'oauthbearer';

export const SASL_LABELS: Record<SaslMechanism, string> = {
  'scram-sha-512': 'SCRAM-SHA-512',
  'scram-sha-256': 'SCRAM-SHA-256',
  plain: 'PLAIN',
  oauthbearer: 'OAUTHBEARER (MSK IAM)',
};

export interface ProbePlan {
  source: 'msk' | 'self-managed';
  authMode?: AuthMode;
  authReason: string;
  /** host:port entries, as the ESM would bootstrap from them. */
  bootstrap: string[];
  /** Where they come from ("GetBootstrapBrokers BootstrapBrokerStringSaslIam", "KAFKA_BOOTSTRAP_SERVERS"). */
  bootstrapFrom: string;
  tls: boolean;
  sasl?: SaslMechanism;
  /** The secret holding the credentials (SCRAM / PLAIN) or the client certificate (mTLS). */
  authSecret?: { type: string; arn: string };
  /** SERVER_ROOT_CA_CERTIFICATE (self-managed only). */
  rootCaSecret?: string;
  topic?: string;
  groupId: string;
  region: string;
  placement?: Placement;
  /** Set when there is nothing to connect to; the probe then reports every step as skipped or in error. */
  problem?: string;
}

const SASL_OF: Partial<Record<AuthMode, SaslMechanism>> = {
  'sasl-scram-512': 'scram-sha-512',
  'sasl-scram-256': 'scram-sha-256',
  'sasl-plain': 'plain',
  iam: 'oauthbearer',
};

const AUTH_SECRET_TYPE: Partial<Record<AuthMode, string>> = {
  mtls: 'CLIENT_CERTIFICATE_TLS_AUTH',
  'sasl-scram-512': 'SASL_SCRAM_512_AUTH',
  'sasl-scram-256': 'SASL_SCRAM_256_AUTH',
  'sasl-plain': 'BASIC_AUTH',
};

export function planProbe(request: ProbeRequest): ProbePlan {
  const { esm, cluster } = request;
  const source = esmSource(esm) ?? 'self-managed';
  const choice = chooseAuth(esm, cluster);
  const mode = choice.mode;
  const rootCaSecret = source === 'self-managed' ? accessConfigs(esm, 'SERVER_ROOT_CA_CERTIFICATE')[0]?.URI : undefined;
  const secretType = mode ? AUTH_SECRET_TYPE[mode] : undefined;
  const secretArn = secretType ? accessConfigs(esm, secretType)[0]?.URI : undefined;
  const base = {
    source,
    ...(mode ? { authMode: mode } : {}),
    authReason: choice.reason,
    ...(mode && SASL_OF[mode] ? { sasl: SASL_OF[mode] } : {}),
    ...(secretType && secretArn ? { authSecret: { type: secretType, arn: secretArn } } : {}),
    ...(rootCaSecret ? { rootCaSecret } : {}),
    ...(esm.Topics?.[0] ? { topic: esm.Topics[0] } : {}),
    groupId: consumerGroupId(esm),
    region: request.target.region,
    ...(esmPlacement(esm, cluster) ? { placement: esmPlacement(esm, cluster)! } : {}),
  };

  if (source === 'msk') {
    // MSK: plaintext only on 9092; every other mode (mTLS, SCRAM, IAM, unauthenticated TLS) is TLS.
    const tlsOn = mode !== 'plaintext';
    const listener = mode ? MSK_LISTENERS[mode] : undefined;
    if (!mode || !listener) return { ...base, bootstrap: [], bootstrapFrom: 'GetBootstrapBrokers', tls: tlsOn, problem: `Lambda has no authentication mode it can use with this cluster (${choice.reason})` };
    const field = listener.field;
    const value = (request.bootstrapBrokers as Record<string, unknown> | undefined)?.[field];
    const bootstrap = brokerList(typeof value === 'string' ? value : undefined);
    if (!request.bootstrapBrokers) return { ...base, bootstrap, bootstrapFrom: `GetBootstrapBrokers ${field}`, tls: tlsOn, problem: 'the cluster\'s bootstrap brokers could not be read (GetBootstrapBrokers)' };
    if (!bootstrap.length) return { ...base, bootstrap, bootstrapFrom: `GetBootstrapBrokers ${field}`, tls: tlsOn, problem: `GetBootstrapBrokers has no ${field}: the listener for ${mode} is off` };
    return { ...base, bootstrap, bootstrapFrom: `GetBootstrapBrokers ${field}`, tls: tlsOn };
  }

  // Self-managed: SCRAM and PLAIN only over TLS (SASL_SSL), mTLS is TLS; with no authentication the
  // connection is plaintext unless a SERVER_ROOT_CA_CERTIFICATE asks for TLS encryption.
  const tlsOn = mode === 'mtls' || !!SASL_OF[mode ?? 'unauthenticated'] || !!rootCaSecret;
  const bootstrap = bootstrapServers(esm);
  return {
    ...base,
    bootstrap,
    bootstrapFrom: 'KAFKA_BOOTSTRAP_SERVERS',
    tls: tlsOn,
    ...(bootstrap.length ? {} : { problem: 'the ESM has no KAFKA_BOOTSTRAP_SERVERS' }),
  };
}

export function placementText(p: Placement | undefined): string | undefined {
  if (!p) return undefined;
  if (p.kind === 'internet') return 'internet (no VPC_SUBNET / VPC_SECURITY_GROUP)';
  return `${p.kind}: subnets ${p.subnetIds.join(', ') || 'none'}; security groups ${p.securityGroupIds.join(', ') || 'none'}`;
}

/** The probe's input from a Snapshot. */
export function probeRequestOf(snapshot: {
  target: Target;
  esm: EsmConfig;
  cluster?: { ok: true; value: ClusterInfo } | { ok: false } | undefined;
  bootstrapBrokers?: { ok: true; value: BootstrapBrokers } | { ok: false } | undefined;
}, budgetMs?: number): ProbeRequest {
  return {
    target: snapshot.target,
    esm: snapshot.esm,
    ...(snapshot.cluster?.ok ? { cluster: snapshot.cluster.value } : {}),
    ...(snapshot.bootstrapBrokers?.ok ? { bootstrapBrokers: snapshot.bootstrapBrokers.value } : {}),
    ...(budgetMs ? { budgetMs } : {}),
  };
}
