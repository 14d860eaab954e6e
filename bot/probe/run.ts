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
import { X509Certificate } from 'node:crypto';
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
import { CERT_WARN_DAYS, allSomeNone, dnsStep, groupStep, metadataStep, tcpSummary, tlsSummary, unique, type StepOf } from './observations';
import { SASL_LABELS, placementText, planProbe, type ProbePlan, type ProbeRequest } from './plan';
import { ProbeResult, type CertificateSummary, type DnsAnswer, type ProbeStep, type ProbeStepName, type TcpAttempt } from './schema';

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

function skipped<N extends ProbeStepName>(step: N, reason: string): StepOf<N> {
  return { step, status: 'skip', summary: reason, durationMs: 0 } as StepOf<N>;
}

function secretFailureText(err: unknown): { code: string; text: string } {
  if (err instanceof SecretReadError) return { code: err.code, text: err.message };
  if (err instanceof SecretShapeError) return { code: 'SecretFormat', text: err.message };
  return { code: errorCode(err), text: `the secret could not be used (${errorCode(err)})` };
}

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
