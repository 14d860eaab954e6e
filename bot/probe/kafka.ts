/**
 * The Kafka-protocol steps (SASL, metadata, consumer group) through kafkajs.
 *
 * Why kafkajs 2.2.4: it runs on Node 20 (our CLI's floor) and on the Lambda nodejs22.x runtime
 * alike, is pure JavaScript (the probe bundles with esbuild, no native build for arm64), and has
 * every mechanism the ESM uses — SCRAM-SHA-512/256, PLAIN, and OAUTHBEARER, which is how MSK IAM
 * tokens from aws-msk-iam-sasl-signer-js are presented. Its admin client gives the three calls
 * the probe needs (connect = ApiVersions + SASL; fetchTopicMetadata / describeCluster = Metadata;
 * describeGroups = FindCoordinator + DescribeGroups) with typed protocol errors. @platformatic/kafka
 * 2.x is maintained and faster but needs Node ≥ 22; node-rdkafka / confluent-kafka-javascript
 * need a native build. kafkajs is unmaintained upstream, so it is used for these few calls only,
 * behind this module, with retries off and our own timeouts.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Kafka, logLevel, type Admin, type ISocketFactory, type SASLOptions } from 'kafkajs';
import { withTimeout, elapsed, TimeoutError } from './budget';
import { errorCode, tlsOptions, type Resolver, type TlsMaterial } from './net';
import type { SaslMechanism } from './plan';

export interface KafkaSessionInput {
  /** host:port of the broker to bootstrap from. */
  broker: string;
  tls: boolean;
  material?: TlsMaterial;
  sasl?: SASLOptions;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Names are resolved as the DNS step resolved them (the same resolver), not by kafkajs on its own. */
  resolver?: Resolver;
}

/** kafkajs's default socket factory, with the probe's resolver as the `lookup` of every connection. */
function socketFactory(resolver: Resolver): ISocketFactory {
  const lookup = (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolver(hostname).then(
      (addresses) => {
        if (!addresses.length) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
        if (options?.all) return callback(null, addresses.map((address) => ({ address, family: net.isIP(address) })));
        return callback(null, addresses[0], net.isIP(addresses[0]!));
      },
      (err: unknown) => callback(err),
    );
  };
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect({ host, port, lookup, ...(!net.isIP(host) ? { servername: host } : {}), ...ssl } as tls.ConnectionOptions, onConnect)
      : net.connect({ host, port, lookup } as net.NetConnectOpts, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

export interface ProbeAdmin extends Admin {
  /**
   * The protocol error of the last failed FindCoordinator. kafkajs tries every broker and then
   * throws a bare "Failed to find group coordinator", dropping the broker's answer; it only
   * reports that answer to its logger, so the probe's logger keeps that one field (and nothing else).
   */
  coordinatorError(): string | undefined;
}

/** An admin client on one bootstrap broker, with retries off so that a failure is seen at once. */
export function createAdmin(input: KafkaSessionInput): ProbeAdmin {
  let coordinatorError: string | undefined;
  const kafka = new Kafka({
    clientId: 'esm-doctor-probe',
    brokers: [input.broker],
    ssl: input.tls ? { ...tlsOptions(input.material), rejectUnauthorized: true } : false,
    ...(input.sasl ? { sasl: input.sasl } : {}),
    connectionTimeout: Math.max(100, input.connectTimeoutMs),
    authenticationTimeout: Math.max(100, input.requestTimeoutMs),
    requestTimeout: Math.max(100, input.requestTimeoutMs),
    enforceRequestTimeout: true,
    ...(input.resolver ? { socketFactory: socketFactory(input.resolver) } : {}),
    retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 500 },
    // Nothing is printed or kept: the logger only picks the coordinator lookup's error name.
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => {
      const log = entry.log as { message?: string; error?: { type?: string; name?: string } };
      if (log.message === 'Tried to find group coordinator' && log.error) coordinatorError = log.error.type ?? log.error.name;
    },
  });
  const admin = kafka.admin({ retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 500 } });
  return Object.assign(admin, { coordinatorError: () => coordinatorError });
}

export function saslOptions(mechanism: SaslMechanism, creds: { username?: string; password?: string; token?: () => Promise<string> }): SASLOptions {
  if (mechanism === 'oauthbearer') {
    const token = creds.token!;
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await token() }) };
  }
  return { mechanism, username: creds.username ?? '', password: creds.password ?? '' };
}

/** A kafkajs error, unwrapped from its retry wrapper: the protocol error name and message. */
export interface KafkaFailure {
  /** The Kafka error name (TOPIC_AUTHORIZATION_FAILED) or the kafkajs error class. */
  type: string;
  message: string;
  timeout: boolean;
}

export function kafkaFailure(err: unknown): KafkaFailure {
  let e = err as { name?: string; type?: string; message?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 3 && e && (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError') && (e.originalError || e.cause); i++) {
    e = (e.originalError ?? e.cause) as typeof e;
  }
  const timeout = err instanceof TimeoutError || e?.name === 'KafkaJSRequestTimeoutError' || /timed? ?out/i.test(e?.message ?? '');
  return {
    type: e?.type && e.type !== 'UNKNOWN' ? e.type : e?.name ?? errorCode(err),
    message: e?.message ?? String(err),
    timeout,
  };
}

/** Bounded, best-effort disconnect: a half-open session must not keep the process alive. */
export async function closeAdmin(admin: Admin, timeoutMs = 1_000): Promise<void> {
  try {
    await withTimeout(timeoutMs, 'disconnect', () => admin.disconnect());
  } catch {
    // nothing left to do: sockets are destroyed with the process or by kafkajs itself
  }
}

export interface TimedResult<T> {
  ok: boolean;
  value?: T;
  failure?: KafkaFailure;
  ms: number;
}

/** One admin call under the step's limit; a timeout disconnects the admin. */
export async function timedCall<T>(admin: Admin, what: string, ms: number, run: () => Promise<T>): Promise<TimedResult<T>> {
  const started = performance.now();
  try {
    const value = await withTimeout(ms, what, run, () => void admin.disconnect().catch(() => undefined));
    return { ok: true, value, ms: elapsed(started) };
  } catch (err) {
    return { ok: false, failure: kafkaFailure(err), ms: elapsed(started) };
  }
}
