/**
 * The live probe: replays steps 3–6 of the ESM's setup, the way the ESM does it, from wherever it
 * runs (this machine with --probe, or the probe function in the ESM's own subnets and security
 * groups with --probe=remote):
 *
 *   dns       resolve every bootstrap host
 *   tcp       connect to each address (refused / timed out / unreachable kept apart)
 *   tls       handshake, chain and name verified (default roots + SERVER_ROOT_CA_CERTIFICATE),
 *             client certificate presented for mTLS; the server certificate reported
 *   sasl      SCRAM-SHA-512/256 or PLAIN with the ESM's secret; MSK IAM as OAUTHBEARER
 *   metadata  the topic exists and its partitions have leaders; every advertised broker resolves
 *             and connects too (the ESM fetches from the addresses the cluster advertises)
 *   group     the consumer group (ESM UUID or ConsumerGroupId): coordinator, state, members
 *
 * A step that cannot run because an earlier one failed is `skip` with that reason. Every step has
 * its own timeout and the whole probe ends within the budget (20 s by default).
 */
import { splitHostPort } from '../model/esm';
import { DEFAULT_BUDGET_MS, Deadline, STEP_TIMEOUTS_MS, elapsed, withTimeout } from './budget';
import {
  SecretReadError,
  SecretShapeError,
  readClientCertificate,
  readRootCa,
  readUserPassword,
  scrub,
  type SecretReader,
} from './credentials';
import { closeAdmin, createAdmin, saslOptions, timedCall, type ProbeAdmin } from './kafka';
import { errorCode, summariseCertificate, systemResolver, tcpConnect, tlsHandshake, type Resolver, type TlsMaterial } from './net';
import { SASL_LABELS, placementText, planProbe, type ProbePlan, type ProbeRequest } from './plan';
import {
  ProbeResult,
  type AdvertisedBroker,
  type CertificateSummary,
  type DnsAnswer,
  type ProbeStatus,
  type ProbeStep,
  type ProbeStepName,
  type TcpAttempt,
  type TlsAttempt,
} from './schema';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface ProbeOptions {
  /** Reads the ESM's secrets (SecretString). Without it, steps that need a secret are `error`. */
  readSecret?: SecretReader;
  /** Default: getaddrinfo (systemResolver). */
  resolver?: Resolver;
  /** How the resolver is described in the evidence ("system", "127.0.0.1:5353"). */
  resolverName?: string;
  /** The whole probe's budget; default request.budgetMs or 20 s. */
  budgetMs?: number;
  /** Per-step limits (tests shorten them). */
  stepTimeouts?: Partial<Record<ProbeStepName, number>>;
  /** MSK IAM: returns a signed token (default: aws-msk-iam-sasl-signer-js with the default credential chain). */
  iamToken?: (region: string) => Promise<string>;
  /** Whose credentials sign the IAM token, for the evidence. */
  signedBy?: string;
  where?: ProbeResult['where'];
  /** Extra trust roots for the TLS step, besides the default ones and the ESM's SERVER_ROOT_CA_CERTIFICATE (tests, a private MSK test double). */
  extraCa?: string[];
  /** At most this many addresses per host are connected to (a name with 8 A records need not cost 8 connects). */
  maxAddressesPerHost?: number;
}

/** aws-msk-iam-sasl-signer-js, loaded only for IAM so that other modes need not load the AWS SDK's signer. */
export async function defaultIamToken(region: string): Promise<string> {
  const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
  return (await generateAuthToken({ region })).token;
}

type StepOf<N extends ProbeStepName> = Extract<ProbeStep, { step: N }>;

function skipped<N extends ProbeStepName>(step: N, reason: string): StepOf<N> {
  return { step, status: 'skip', summary: reason, durationMs: 0 } as StepOf<N>;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** pass when all succeeded, fail when none did, warn in between. */
function allSomeNone(ok: number, total: number): ProbeStatus {
  if (total === 0) return 'skip';
  if (ok === total) return 'pass';
  return ok === 0 ? 'fail' : 'warn';
}

function secretFailureText(err: unknown): { code: string; text: string } {
  if (err instanceof SecretReadError) return { code: err.code, text: err.message };
  if (err instanceof SecretShapeError) return { code: 'SecretFormat', text: err.message };
  return { code: errorCode(err), text: `the secret could not be used (${errorCode(err)})` };
}

const CERT_WARN_DAYS = 30;

/** What the steps share: the plan, the limits, and what an earlier step found for a later one. */
interface StepContext {
  plan: ProbePlan;
  options: ProbeOptions;
  deadline: Deadline;
  limits: Record<ProbeStepName, number>;
  resolver: Resolver;
  /** Every credential string met during the run, so that no message kept can carry one. */
  credentials: Array<string | undefined>;
  /** Bootstrap addresses that resolved (dns). */
  resolved: DnsAnswer[];
  /** Connections that succeeded (tcp). */
  connected: TcpAttempt[];
  material?: TlsMaterial;
  /** host:port entries that passed TCP (and TLS, when TLS is used): where the Kafka client bootstraps. */
  usable: string[];
  admin?: ProbeAdmin;
  /** The admin has connected (and authenticated, with SASL). */
  adminConnected: boolean;
}

/** A step's record and, when the steps after it cannot run, why: the runner marks them `skip` with that reason. */
interface StepRun {
  step: ProbeStep;
  halt?: string;
}

interface StepSpec {
  name: ProbeStepName;
  /** Whether the step needs time left in the budget before it starts (a step that only reports a skip does not). */
  needsTime(ctx: StepContext): boolean;
  run(ctx: StepContext): Promise<StepRun>;
}

/** Steps 3-6 of the ESM's setup, in the order the ESM takes them. */
const STEPS: readonly StepSpec[] = [
  { name: 'dns', needsTime: () => false, run: runDns },
  { name: 'tcp', needsTime: () => true, run: runTcp },
  { name: 'tls', needsTime: (ctx) => ctx.plan.tls, run: runTls },
  { name: 'sasl', needsTime: () => true, run: runSasl },
  { name: 'metadata', needsTime: () => true, run: runMetadata },
  { name: 'group', needsTime: () => true, run: runGroup },
];

export async function runProbe(request: ProbeRequest, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const ranAt = new Date().toISOString();
  const plan = planProbe(request);
  const budgetMs = options.budgetMs ?? request.budgetMs ?? DEFAULT_BUDGET_MS;
  const deadline = new Deadline(budgetMs);
  const ctx: StepContext = {
    plan,
    options,
    deadline,
    limits: { ...STEP_TIMEOUTS_MS, ...options.stepTimeouts },
    resolver: options.resolver ?? systemResolver,
    credentials: [],
    resolved: [],
    connected: [],
    usable: [],
    adminConnected: false,
  };
  const steps: ProbeStep[] = [];
  const skipFrom = (index: number, reason: string) => {
    for (const spec of STEPS.slice(index)) steps.push(skipped(spec.name, reason));
  };
  const finish = (): ProbeResult =>
    ProbeResult.parse({
      ranAt,
      durationMs: elapsed(started),
      budgetMs,
      where: withPlacement(options.where ?? { mode: 'local' }, plan),
      ...(plan.authMode ? { authMode: plan.authMode } : {}),
      bootstrap: plan.bootstrap,
      ...(plan.topic ? { topic: plan.topic } : {}),
      groupId: plan.groupId,
      // Defence in depth: whatever a broker or a library echoed, no credential leaves in any string value.
      steps: steps.map((s) => scrubValues(s, ctx.credentials)),
    });
  try {
    for (const [index, spec] of STEPS.entries()) {
      if (spec.needsTime(ctx) && deadline.remaining() < 50) {
        skipFrom(index, `the probe's time budget (${budgetMs} ms) ran out`);
        break;
      }
      const { step, halt } = await spec.run(ctx);
      steps.push(step);
      if (halt) {
        skipFrom(index + 1, halt);
        break;
      }
    }
    return finish();
  } finally {
    if (ctx.admin) await closeAdmin(ctx.admin);
  }
}

// ------------------------------------------------------------------ 1. DNS
async function runDns(ctx: StepContext): Promise<StepRun> {
  const { plan, options } = ctx;
  if (plan.problem) {
    return { step: { step: 'dns', status: 'error', summary: `Nothing to probe: ${plan.problem}.`, durationMs: 0 }, halt: `there are no brokers to connect to (${plan.problem})` };
  }
  const dns = await dnsStep(plan, ctx.resolver, options.resolverName ?? (options.resolver ? 'injected' : 'system'), ctx.deadline.cap(ctx.limits.dns));
  ctx.resolved = dns.resolved;
  return { step: dns.step, ...(dns.resolved.length ? {} : { halt: 'no bootstrap host resolved (probe.dns)' }) };
}

// ------------------------------------------------------------------ 2. TCP
async function runTcp(ctx: StepContext): Promise<StepRun> {
  const maxPerHost = ctx.options.maxAddressesPerHost ?? 3;
  const targets = ctx.resolved.flatMap((a) => a.addresses.slice(0, maxPerHost).map((address) => ({ host: a.host!, port: a.port!, address, entry: a.entry })));
  const tcpStarted = performance.now();
  const tcpCap = ctx.deadline.cap(ctx.limits.tcp);
  const attempts = await Promise.all(targets.map((t) => tcpConnect(t.host, t.address, t.port, tcpCap)));
  const connected = attempts.filter((a) => a.outcome === 'connected');
  ctx.connected = connected;
  ctx.usable = unique(connected.map((a) => `${a.host}:${a.port}`));
  const step: ProbeStep = { step: 'tcp', status: allSomeNone(connected.length, attempts.length), summary: tcpSummary(attempts), durationMs: elapsed(tcpStarted), evidence: { attempts } };
  return { step, ...(connected.length ? {} : { halt: 'no TCP connection to any bootstrap broker (probe.tcp)' }) };
}

// ------------------------------------------------------------------ 3. TLS
async function runTls(ctx: StepContext): Promise<StepRun> {
  const { plan, options, deadline, limits } = ctx;
  if (!plan.tls) return { step: skipped('tls', `Lambda connects without TLS: ${plan.authMode ?? 'no auth mode'} (${plan.authReason}).`) };
  const tlsStarted = performance.now();
  let clientCertificate: CertificateSummary | undefined;
  let material: TlsMaterial;
  try {
    material = options.extraCa?.length ? { rootCa: options.extraCa.join('\n') } : {};
    if (plan.rootCaSecret) material.rootCa = [material.rootCa, await withTimeout(deadline.cap(limits.tls), 'reading SERVER_ROOT_CA_CERTIFICATE', () => readRootCa(need(options.readSecret), plan.rootCaSecret!))].filter(Boolean).join('\n');
    if (plan.authMode === 'mtls' && plan.authSecret) {
      const client = await withTimeout(deadline.cap(limits.tls), 'reading the client certificate secret', () => readClientCertificate(need(options.readSecret), plan.authSecret!.arn));
      ctx.credentials.push(client.key, client.passphrase);
      Object.assign(material, client);
      try {
        clientCertificate = summariseCertificate(new X509Certificate(client.cert));
      } catch {
        // an unparsable certificate is reported by the handshake itself
      }
    }
  } catch (err) {
    const f = secretFailureText(err);
    return {
      step: { step: 'tls', status: 'error', summary: `Could not read the ESM's ${plan.authMode === 'mtls' ? 'client certificate' : 'root CA'} secret: ${f.text}.`, durationMs: elapsed(tlsStarted) },
      halt: 'the TLS material could not be read (probe.tls)',
    };
  }
  ctx.material = material;
  const tlsCap = deadline.cap(limits.tls);
  const handshakes = await Promise.all(ctx.connected.map((c) => tlsHandshake({ host: c.host, address: c.address, port: c.port, material, timeoutMs: tlsCap })));
  const good = handshakes.filter((h) => h.outcome === 'ok');
  const expiring = good.filter((h) => h.certificate && Date.parse(h.certificate.validTo) - Date.now() < CERT_WARN_DAYS * 86_400_000);
  let status = allSomeNone(good.length, handshakes.length);
  if (status === 'pass' && expiring.length) status = 'warn';
  ctx.usable = unique(good.map((h) => `${h.host}:${h.port}`));
  const step: ProbeStep = {
    step: 'tls',
    status,
    summary: tlsSummary(handshakes, expiring.length),
    durationMs: elapsed(tlsStarted),
    evidence: { trust: plan.rootCaSecret ? 'SERVER_ROOT_CA_CERTIFICATE' : 'default', ...(clientCertificate ? { clientCertificate } : {}), attempts: handshakes },
  };
  return { step, ...(ctx.usable.length ? {} : { halt: 'no TLS handshake succeeded (probe.tls)' }) };
}

// ------------------------------------------------------------------ 4. SASL
async function runSasl(ctx: StepContext): Promise<StepRun> {
  const { plan, options, deadline, limits, credentials } = ctx;
  if (!plan.sasl) {
    return { step: skipped('sasl', plan.authMode === 'mtls' ? 'mTLS: Lambda authenticates with the client certificate during the TLS handshake (probe.tls), not with SASL.' : `No SASL: Lambda uses ${plan.authMode ?? 'no auth mode'} (${plan.authReason}).`) };
  }
  const broker = ctx.usable[0]!;
  const saslStarted = performance.now();
  const mechanism = SASL_LABELS[plan.sasl];
  let sasl;
  try {
    if (plan.sasl === 'oauthbearer') {
      const tokenOf = options.iamToken ?? defaultIamToken;
      sasl = saslOptions('oauthbearer', {
        token: async () => {
          const token = await tokenOf(plan.region);
          credentials.push(token);
          return token;
        },
      });
    } else {
      if (!plan.authSecret) throw new SecretShapeError('(none)', 'the ESM names no secret for this mechanism');
      const user = await withTimeout(deadline.cap(limits.sasl), 'reading the SASL secret', () => readUserPassword(need(options.readSecret), plan.authSecret!.arn));
      credentials.push(user.username, user.password);
      sasl = saslOptions(plan.sasl, user);
    }
  } catch (err) {
    const f = secretFailureText(err);
    return {
      step: { step: 'sasl', status: 'error', summary: `Could not read the ESM's SASL secret: ${f.text}.`, durationMs: elapsed(saslStarted), evidence: { mechanism, broker, outcome: 'error', errorType: f.code, ms: elapsed(saslStarted) } },
      halt: 'the SASL credentials could not be read (probe.sasl)',
    };
  }
  const cap = deadline.cap(limits.sasl);
  const a = createAdmin({ broker, tls: plan.tls, material: ctx.material, sasl, resolver: ctx.resolver, connectTimeoutMs: Math.min(cap, limits.tcp), requestTimeoutMs: cap });
  ctx.admin = a;
  const r = await timedCall(a, 'SASL authentication', cap, () => a.connect());
  const signedBy = plan.sasl === 'oauthbearer' ? { signedBy: options.signedBy ?? 'the probe\'s own AWS credentials (not the ESM\'s execution role)' } : {};
  if (r.ok) {
    ctx.adminConnected = true;
    return { step: { step: 'sasl', status: 'pass', summary: `${broker} accepted ${mechanism} authentication in ${Math.round(r.ms)} ms.`, durationMs: elapsed(saslStarted), evidence: { mechanism, broker, outcome: 'authenticated', ...signedBy, ms: r.ms } } };
  }
  const f = r.failure!;
  const message = scrub(f.message, credentials);
  const notEnabled = f.type === 'UNSUPPORTED_SASL_MECHANISM' || /mechanism is not supported/i.test(f.message);
  const rejected = !notEnabled && (f.type === 'SASL_AUTHENTICATION_FAILED' || f.type === 'KafkaJSSASLAuthenticationError' || /SASL|authentication failed/i.test(f.message));
  const outcome = f.timeout ? 'timeout' : notEnabled ? 'mechanism-not-enabled' : rejected ? 'rejected' : 'error';
  const summary =
    outcome === 'timeout' ? `${broker} did not complete ${mechanism} authentication within ${cap} ms.`
    : outcome === 'mechanism-not-enabled' ? `${broker} does not enable ${mechanism}.`
    : outcome === 'rejected' ? `${broker} rejected the ${mechanism} credentials: ${message}`
    : `${mechanism} authentication with ${broker} failed: ${message}`;
  return {
    step: { step: 'sasl', status: 'fail', summary, durationMs: elapsed(saslStarted), evidence: { mechanism, broker, outcome, errorType: f.type, message, ...signedBy, ms: r.ms } },
    halt: 'SASL authentication failed (probe.sasl)',
  };
}

// ------------------------------------------------------------------ 5. Metadata
async function runMetadata(ctx: StepContext): Promise<StepRun> {
  const { plan, deadline, limits } = ctx;
  const broker = ctx.usable[0]!;
  const mdStarted = performance.now();
  const mdCap = deadline.cap(limits.metadata);
  ctx.admin ??= createAdmin({ broker, tls: plan.tls, material: ctx.material, resolver: ctx.resolver, connectTimeoutMs: Math.min(mdCap, limits.tcp), requestTimeoutMs: mdCap });
  const a = ctx.admin;
  if (!ctx.adminConnected) {
    const r = await timedCall(a, 'Kafka connect', mdCap, () => a.connect());
    if (!r.ok) {
      const message = scrub(r.failure!.message, ctx.credentials);
      return {
        step: {
          step: 'metadata',
          status: 'fail',
          summary: `Could not open a Kafka session with ${broker}: ${message}`,
          durationMs: elapsed(mdStarted),
          evidence: { topic: plan.topic ?? '', broker, errorType: r.failure!.type, message, partitions: [], brokers: [], ms: r.ms },
        },
        halt: 'no Kafka session (probe.metadata)',
      };
    }
    ctx.adminConnected = true;
  }
  const md = await metadataStep(a, plan, broker, ctx.material, ctx.resolver, deadline, limits);
  return { step: { ...md, durationMs: elapsed(mdStarted), summary: scrub(md.summary, ctx.credentials) } };
}

// ------------------------------------------------------------------ 6. Group
async function runGroup(ctx: StepContext): Promise<StepRun> {
  return { step: await groupStep(ctx.admin!, ctx.plan, ctx.deadline.cap(ctx.limits.group)) };
}

/** Every string value (never a key) with the credentials removed. */
function scrubValues<T>(value: T, credentials: Array<string | undefined>): T {
  if (typeof value === 'string') return scrub(value, credentials) as T;
  if (Array.isArray(value)) return value.map((v) => scrubValues(v, credentials)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValues(v, credentials)])) as T;
  }
  return value;
}

/** A remote probe runs in the ESM's position: say which (subnets, security groups) in the evidence. */
function withPlacement(where: ProbeResult['where'], plan: ProbePlan): ProbeResult['where'] {
  const placement = placementText(plan.placement);
  return where.mode === 'remote' && placement && !where.placement ? { ...where, placement } : where;
}

function need(reader: SecretReader | undefined): SecretReader {
  if (!reader) throw new SecretReadError('(secret)', 'NoSecretReader');
  return reader;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------

async function dnsStep(plan: ProbePlan, resolver: Resolver, resolverName: string, capMs: number): Promise<{ step: StepOf<'dns'>; resolved: DnsAnswer[] }> {
  const started = performance.now();
  const answers = await Promise.all(
    plan.bootstrap.map(async (entry): Promise<DnsAnswer> => {
      const t = performance.now();
      const hp = splitHostPort(entry);
      if (!hp) return { entry, addresses: [], error: 'malformed', ms: 0 };
      if (isIP(hp.host)) return { entry, host: hp.host, port: hp.port, addresses: [hp.host], ms: 0 };
      try {
        const addresses = await withTimeout(capMs, `resolving ${hp.host}`, () => resolver(hp.host));
        return { entry, host: hp.host, port: hp.port, addresses: unique(addresses), ms: elapsed(t) };
      } catch (err) {
        return { entry, host: hp.host, port: hp.port, addresses: [], error: errorCode(err), ms: elapsed(t) };
      }
    }),
  );
  const resolved = answers.filter((a) => a.addresses.length > 0);
  const failed = answers.filter((a) => !a.addresses.length);
  const status = allSomeNone(resolved.length, answers.length);
  const summary =
    status === 'pass'
      ? `All ${plural(answers.length, 'bootstrap host')} resolved (${answers.map((a) => `${a.host} → ${a.addresses.join(', ')}`).join('; ')}).`
      : `${failed.length} of ${answers.length} bootstrap hosts did not resolve: ${failed.map((a) => `${a.host ?? a.entry} (${a.error})`).join(', ')}.`;
  return { step: { step: 'dns', status, summary, durationMs: elapsed(started), evidence: { resolver: resolverName, answers } }, resolved };
}

function tcpSummary(attempts: TcpAttempt[]): string {
  const ok = attempts.filter((a) => a.outcome === 'connected');
  if (ok.length === attempts.length) return `Connected to all ${plural(attempts.length, 'broker address')} (${attempts.map((a) => `${a.address}:${a.port} in ${Math.round(a.ms)} ms`).join(', ')}).`;
  const bad = attempts.filter((a) => a.outcome !== 'connected');
  const by = (o: string) => bad.filter((a) => a.outcome === o).map((a) => `${a.host === a.address ? '' : `${a.host} `}${a.address}:${a.port}`);
  const parts = [
    by('refused').length ? `refused by ${by('refused').join(', ')}` : '',
    by('timeout').length ? `timed out to ${by('timeout').join(', ')} (no answer: packets dropped)` : '',
    by('unreachable').length ? `unreachable: ${by('unreachable').join(', ')}` : '',
    by('error').length ? `failed to ${by('error').join(', ')}` : '',
  ].filter(Boolean);
  return `${bad.length} of ${attempts.length} TCP connections failed: ${parts.join('; ')}.`;
}

function tlsSummary(handshakes: TlsAttempt[], expiring: number): string {
  const ok = handshakes.filter((h) => h.outcome === 'ok');
  const cert = ok[0]?.certificate ?? handshakes.find((h) => h.certificate)?.certificate;
  const certText = cert ? ` Server certificate: ${cert.subject}, issued by ${cert.issuer}, valid until ${cert.validTo}.` : '';
  if (ok.length === handshakes.length) {
    return `TLS handshake verified with all ${plural(handshakes.length, 'broker')} (${ok[0]?.protocol ?? 'TLS'}).${certText}${expiring ? ` ${expiring} certificate(s) expire within ${CERT_WARN_DAYS} days.` : ''}`;
  }
  const bad = handshakes.filter((h) => h.outcome !== 'ok');
  return `${bad.length} of ${handshakes.length} TLS handshakes failed: ${bad.map((h) => `${h.host}:${h.port} ${h.outcome}${h.code ? ` (${h.code})` : ''}`).join('; ')}.${certText}`;
}

// ---------------------------------------------------------------------------------------------

async function advertisedBroker(
  b: { nodeId: number; host: string; port: number },
  plan: ProbePlan,
  material: TlsMaterial | undefined,
  resolver: Resolver,
  capMs: number,
): Promise<AdvertisedBroker> {
  const started = performance.now();
  const base = { nodeId: b.nodeId, host: b.host, port: b.port };
  let addresses: string[];
  try {
    addresses = isIP(b.host) ? [b.host] : unique(await withTimeout(capMs, `resolving ${b.host}`, () => resolver(b.host)));
  } catch (err) {
    return { ...base, addresses: [], outcome: 'dns-failed', code: errorCode(err), ms: elapsed(started) };
  }
  const tcp = await tcpConnect(b.host, addresses[0]!, b.port, capMs);
  if (tcp.outcome !== 'connected') {
    return { ...base, addresses, outcome: tcp.outcome, ...(tcp.code ? { code: tcp.code } : {}), ms: elapsed(started) };
  }
  if (plan.tls) {
    const h = await tlsHandshake({ host: b.host, address: addresses[0]!, port: b.port, material, timeoutMs: capMs, askKafka: false });
    if (h.outcome !== 'ok') return { ...base, addresses, outcome: 'tls-failed', code: h.code ?? h.outcome, ms: elapsed(started) };
  }
  return { ...base, addresses, outcome: 'reachable', ms: elapsed(started) };
}

async function metadataStep(
  admin: ProbeAdmin,
  plan: ProbePlan,
  broker: string,
  material: TlsMaterial | undefined,
  resolver: Resolver,
  deadline: Deadline,
  limits: Record<ProbeStepName, number>,
): Promise<StepOf<'metadata'>> {
  const started = performance.now();
  const topic = plan.topic;
  // kafkajs sends a metadata request to a broker of its choosing (the bootstrap one, or any it
  // knows); when that one refuses, the next attempt goes to another, as the ESM's client would.
  const attempt = async <T>(what: string, run: () => Promise<T>) => {
    let r = await timedCall(admin, what, deadline.cap(limits.metadata), run);
    for (let i = 0; i < 2 && !r.ok && r.failure!.type === 'KafkaJSConnectionError' && deadline.remaining() > 100; i++) {
      r = await timedCall(admin, what, deadline.cap(limits.metadata), run);
    }
    return r;
  };
  // The brokers first: on a real cluster this Metadata request names no topic, so a topic error cannot hide them.
  let cluster = await attempt('Metadata (brokers)', () => admin.describeCluster());
  const topicMd = topic ? await attempt(`Metadata (${topic})`, () => admin.fetchTopicMetadata({ topics: [topic] })) : undefined;
  if (!cluster.ok && topicMd?.ok) cluster = await attempt('Metadata (brokers)', () => admin.describeCluster());

  const brokersList = cluster.ok ? cluster.value!.brokers : [];
  const advertised = await Promise.all(brokersList.map((b) => advertisedBroker(b, plan, material, resolver, deadline.cap(limits.tcp))));
  const unreachable = advertised.filter((b) => b.outcome !== 'reachable');

  const partitions = topicMd?.ok
    ? (topicMd.value!.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        ...(p.partitionErrorCode ? { errorType: String(p.partitionErrorCode) } : {}),
      }))
    : [];
  const leaderless = partitions.filter((p) => p.leader < 0 || (brokersList.length > 0 && !brokersList.some((b) => b.nodeId === p.leader)));
  const f = topicMd && !topicMd.ok ? topicMd.failure! : undefined;
  const found = topicMd?.ok ? true : f?.type === 'UNKNOWN_TOPIC_OR_PARTITION' ? false : undefined;

  const evidence = {
    topic: topic ?? '',
    broker,
    ...(found !== undefined ? { found } : {}),
    ...(f ? { errorType: f.type, message: f.message } : {}),
    partitions,
    brokers: advertised,
    ...(!cluster.ok ? { brokersError: `${cluster.failure!.type}: ${cluster.failure!.message}` } : {}),
    ms: elapsed(started),
  };
  const advertisedText = advertised.length
    ? unreachable.length
      ? ` ${unreachable.length} of ${advertised.length} advertised brokers cannot be reached from here: ${unreachable.map((b) => `${b.nodeId} ${b.host}:${b.port} (${b.outcome}${b.code ? ` ${b.code}` : ''})`).join(', ')}.`
      : ` All ${plural(advertised.length, 'advertised broker')} resolve and connect (${advertised.map((b) => `${b.host}:${b.port}`).join(', ')}).`
    : cluster.ok ? '' : ` The advertised brokers could not be listed (${cluster.failure!.type}).`;

  let status: ProbeStatus;
  let summary: string;
  if (!topic) {
    status = unreachable.length ? 'fail' : cluster.ok ? 'pass' : 'warn';
    summary = `The ESM names no topic; metadata from ${broker}.${advertisedText}`;
  } else if (f) {
    status = 'fail';
    summary =
      f.type === 'UNKNOWN_TOPIC_OR_PARTITION' ? `Topic "${topic}" does not exist: ${broker} answered UNKNOWN_TOPIC_OR_PARTITION.${advertisedText}`
      : f.type === 'TOPIC_AUTHORIZATION_FAILED' ? `Not authorized to describe topic "${topic}": ${broker} answered TOPIC_AUTHORIZATION_FAILED (an ACL or kafka-cluster:DescribeTopic is missing).${advertisedText}`
      : f.timeout ? `Metadata for "${topic}" did not arrive within ${deadline.cap(limits.metadata)} ms.${advertisedText}`
      : `Metadata for "${topic}" failed: ${f.type}: ${f.message}.${advertisedText}`;
  } else {
    const leaders = leaderless.length
      ? `${leaderless.length} of ${partitions.length} partitions have no leader (${leaderless.map((p) => p.partition).join(', ')})`
      : `all ${plural(partitions.length, 'partition')} have a leader`;
    status = unreachable.length || (partitions.length > 0 && leaderless.length === partitions.length) ? 'fail' : leaderless.length || !cluster.ok ? 'warn' : 'pass';
    summary = `Topic "${topic}" exists; ${leaders}.${advertisedText}`;
  }
  return { step: 'metadata', status, summary, durationMs: elapsed(started), evidence };
}

async function groupStep(admin: ProbeAdmin, plan: ProbePlan, capMs: number): Promise<StepOf<'group'>> {
  const started = performance.now();
  const groupId = plan.groupId;
  const r = await timedCall(admin, `DescribeGroups (${groupId})`, capMs, () => admin.describeGroups([groupId]));
  if (r.ok) {
    const g = r.value!.groups.find((x) => x.groupId === groupId) ?? r.value!.groups[0];
    const members = (g?.members ?? []).map((m) => ({ clientId: m.clientId, clientHost: m.clientHost }));
    const state = g?.state ?? 'Unknown';
    const summary =
      state === 'Dead' || (state === 'Empty' && members.length === 0)
        ? `Consumer group "${groupId}" is ${state === 'Dead' ? 'not there yet (Lambda creates it when it joins)' : 'Empty (no member; committed offsets, if any, are kept)'}; the coordinator answered.`
        : `Consumer group "${groupId}" is ${state} with ${plural(members.length, 'member')}${members.length ? ` (${members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ')})` : ''}.`;
    return {
      step: 'group',
      status: 'pass',
      summary,
      durationMs: elapsed(started),
      evidence: { groupId, outcome: 'described', state, ...(g?.protocolType ? { protocolType: g.protocolType } : {}), members, ms: r.ms },
    };
  }
  const raw = r.failure!;
  // "Failed to find group coordinator" hides the broker's answer; the admin kept it.
  const f = raw.type === 'KafkaJSGroupCoordinatorNotFound' ? { ...raw, type: admin.coordinatorError() ?? raw.type } : raw;
  const unsupported = /does not support the requested API version/i.test(f.message);
  if (unsupported) {
    return {
      step: 'group',
      status: 'pass',
      summary: `The coordinator of "${groupId}" was found and connected, but the broker does not support DescribeGroups: state and members unknown.`,
      durationMs: elapsed(started),
      evidence: { groupId, outcome: 'unsupported', errorType: f.type, message: f.message, ms: r.ms },
    };
  }
  const outcome = f.type === 'GROUP_AUTHORIZATION_FAILED' ? 'not-authorized' : /COORDINATOR/i.test(f.type) ? 'coordinator-unavailable' : f.timeout ? 'timeout' : 'error';
  const summary =
    outcome === 'not-authorized' ? `Not authorized for consumer group "${groupId}": GROUP_AUTHORIZATION_FAILED (an ACL, or kafka-cluster:DescribeGroup / AlterGroup, is missing).`
    : outcome === 'coordinator-unavailable' ? `No coordinator for consumer group "${groupId}": ${f.type} (the __consumer_offsets topic is unavailable or the cluster is unhealthy).`
    : outcome === 'timeout' ? `DescribeGroups for "${groupId}" did not answer within ${capMs} ms.`
    : `DescribeGroups for "${groupId}" failed: ${f.type}: ${f.message}`;
  return { step: 'group', status: 'fail', summary, durationMs: elapsed(started), evidence: { groupId, outcome, errorType: f.type, message: f.message, ms: r.ms } };
}
