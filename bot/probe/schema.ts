/**
 * What a live probe saw, step by step: a zod-validated, JSON-serialisable record that joins the
 * Snapshot as its optional `probe` fact. Facts only (addresses, error codes, certificate names,
 * timings): never a secret value, a username or a password. The probe.* checks judge it.
 */
import { z } from 'zod';
import { optionalStrings, strings } from '../model/fields';
import { ResolvedEndpoint } from '../model/snapshot/dns';

/** The probe's steps, in the order the ESM runs them (setup steps 3, 4, 5, 5, 6, 6). */
export const PROBE_STEPS = ['dns', 'tcp', 'tls', 'sasl', 'metadata', 'group'] as const;
export const ProbeStepName = z.enum(PROBE_STEPS);
export type ProbeStepName = z.infer<typeof ProbeStepName>;

/** The ESM setup step (checks.md) each probe step replays. */
export const PROBE_STEP_NUMBERS = { dns: 3, tcp: 4, tls: 5, sasl: 5, metadata: 6, group: 6 } as const satisfies Record<ProbeStepName, number>;

/** pass / fail / warn as a check would say; skip = did not run (the reason says why); error = could not run (e.g. the secret was unreadable). */
export const ProbeStatus = z.enum(['pass', 'fail', 'warn', 'skip', 'error']);
export type ProbeStatus = z.infer<typeof ProbeStatus>;

// ---------------------------------------------------------------------------------------------
// Evidence per step

/** A bootstrap entry resolved as the snapshot's `dns` fact resolves it (error may also be ETIMEOUT here), and how long it took. */
export const DnsAnswer = ResolvedEndpoint.extend({ ms: z.number() });
export type DnsAnswer = z.infer<typeof DnsAnswer>;

export const DnsEvidence = z.object({
  /** "system" (getaddrinfo, as the ESM resolves) or the DNS servers asked. */
  resolver: z.string(),
  answers: z.array(DnsAnswer),
});

export const TcpOutcome = z.enum(['connected', 'refused', 'timeout', 'unreachable', 'error']);
export type TcpOutcome = z.infer<typeof TcpOutcome>;

/** One connection to one address of a broker. */
const connection = { host: z.string(), port: z.number(), address: z.string() };

/** A Kafka error name (SASL_AUTHENTICATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION, ...) and the broker's or client's message, scrubbed of credentials. */
const kafkaError = optionalStrings('errorType', 'message');

export const TcpAttempt = z.object({
  ...connection,
  outcome: TcpOutcome,
  /** The socket error code: ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ... */
  code: z.string().optional(),
  ms: z.number(),
});
export type TcpAttempt = z.infer<typeof TcpAttempt>;

export const TcpEvidence = z.object({ attempts: z.array(TcpAttempt) });

export const CertificateSummary = z.object({
  ...strings('subject', 'issuer'),
  subjectAltNames: z.array(z.string()),
  ...strings('validFrom', 'validTo'),
  fingerprint256: z.string().optional(),
});
export type CertificateSummary = z.infer<typeof CertificateSummary>;

export const TlsOutcome = z.enum([
  'ok',
  /** The chain does not lead to a trusted root (self-signed, private CA without SERVER_ROOT_CA_CERTIFICATE, missing intermediate). */
  'untrusted',
  'hostname-mismatch',
  'expired',
  'not-yet-valid',
  /** The broker refused the client certificate (or wanted one and got none). */
  'client-certificate-rejected',
  /** The listener does not speak TLS (a plaintext port). */
  'no-tls',
  'timeout',
  'error',
]);
export type TlsOutcome = z.infer<typeof TlsOutcome>;

export const TlsAttempt = z.object({
  ...connection,
  /** The SNI / name verified against the certificate (absent when connecting to an IP). */
  servername: z.string().optional(),
  outcome: TlsOutcome,
  ...optionalStrings('code', 'message', 'protocol'),
  /** The server's leaf certificate, as received (also when it failed verification). */
  certificate: CertificateSummary.optional(),
  /** The chain as the server sent it, leaf first: subject ← issuer. */
  chain: z.array(CertificateSummary.pick({ subject: true, issuer: true })).optional(),
  /** The broker answered a Kafka ApiVersions request over the TLS connection (it speaks Kafka and accepted the client). */
  kafkaAnswered: z.boolean().optional(),
  ms: z.number(),
});
export type TlsAttempt = z.infer<typeof TlsAttempt>;

export const TlsEvidence = z.object({
  /** What the chain was verified against. */
  trust: z.enum(['default', 'SERVER_ROOT_CA_CERTIFICATE']),
  /** The client certificate presented for mTLS (public facts only: never the key). */
  clientCertificate: CertificateSummary.optional(),
  attempts: z.array(TlsAttempt),
});

export const SaslOutcome = z.enum(['authenticated', 'rejected', 'mechanism-not-enabled', 'timeout', 'error']);
export type SaslOutcome = z.infer<typeof SaslOutcome>;

export const SaslEvidence = z.object({
  /** SCRAM-SHA-512, SCRAM-SHA-256, PLAIN or OAUTHBEARER (MSK IAM). */
  mechanism: z.string(),
  broker: z.string(),
  outcome: SaslOutcome,
  ...kafkaError,
  /** For IAM: whose credentials signed the token (the probe's, not the ESM's execution role). */
  signedBy: z.string().optional(),
  ms: z.number(),
});

export const AdvertisedBroker = z.object({
  nodeId: z.number(),
  host: z.string(),
  port: z.number(),
  addresses: z.array(z.string()),
  outcome: z.enum(['reachable', 'dns-failed', 'refused', 'timeout', 'unreachable', 'tls-failed', 'error']),
  code: z.string().optional(),
  ms: z.number(),
});
export type AdvertisedBroker = z.infer<typeof AdvertisedBroker>;

export const PartitionState = z.object({
  partition: z.number(),
  leader: z.number(),
  errorType: z.string().optional(),
});

export const MetadataEvidence = z.object({
  topic: z.string(),
  /** The broker the client bootstrapped from. */
  broker: z.string(),
  /** true: listed; false: the broker answered UNKNOWN_TOPIC_OR_PARTITION; absent: could not tell. */
  found: z.boolean().optional(),
  ...kafkaError,
  partitions: z.array(PartitionState),
  /** The brokers as the cluster advertises them: the addresses the ESM connects to after bootstrapping. */
  brokers: z.array(AdvertisedBroker),
  /** Why the advertised brokers could not be listed, if they could not. */
  brokersError: z.string().optional(),
  ms: z.number(),
});

export const GroupEvidence = z.object({
  groupId: z.string(),
  outcome: z.enum(['described', 'not-authorized', 'coordinator-unavailable', 'unsupported', 'timeout', 'error']),
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead (no such group yet). */
  ...optionalStrings('state', 'protocolType'),
  members: z.array(z.object(strings('clientId', 'clientHost'))).optional(),
  ...kafkaError,
  ms: z.number(),
});

// ---------------------------------------------------------------------------------------------

const stepBase = {
  status: ProbeStatus,
  /** One factual line: what the step saw. */
  summary: z.string(),
  durationMs: z.number(),
};

export const ProbeStep = z.discriminatedUnion('step', [
  z.object({ step: z.literal('dns'), ...stepBase, evidence: DnsEvidence.optional() }),
  z.object({ step: z.literal('tcp'), ...stepBase, evidence: TcpEvidence.optional() }),
  z.object({ step: z.literal('tls'), ...stepBase, evidence: TlsEvidence.optional() }),
  z.object({ step: z.literal('sasl'), ...stepBase, evidence: SaslEvidence.optional() }),
  z.object({ step: z.literal('metadata'), ...stepBase, evidence: MetadataEvidence.optional() }),
  z.object({ step: z.literal('group'), ...stepBase, evidence: GroupEvidence.optional() }),
]);
export type ProbeStep = z.infer<typeof ProbeStep>;
export type ProbeStepOf<N extends ProbeStepName> = Extract<ProbeStep, { step: N }>;

export const ProbeResult = z.object({
  ranAt: z.string(),
  durationMs: z.number(),
  budgetMs: z.number(),
  /** Where it ran: this machine (local), or the probe function in the ESM's network position (remote). */
  where: z.object({
    mode: z.enum(['local', 'remote']),
    functionName: z.string().optional(),
    /** "msk" | "self-managed-vpc" | "internet", and the subnets / SGs when known. */
    placement: z.string().optional(),
  }),
  /** The auth mode Lambda chooses (model/esm AuthMode), replayed by the probe. */
  authMode: z.string().optional(),
  bootstrap: z.array(z.string()),
  topic: z.string().optional(),
  groupId: z.string(),
  /** Always the six steps, in order. */
  steps: z.array(ProbeStep),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export function probeStep<N extends ProbeStepName>(result: ProbeResult, name: N): ProbeStepOf<N> | undefined {
  return result.steps.find((s): s is ProbeStepOf<N> => s.step === name);
}
