/**
 * What each probe step observed, and how it is said: the DNS answers, the TCP and TLS summaries, the
 * metadata (topic, partitions, advertised brokers) and the consumer group. bot/probe/run.ts decides
 * which steps run and what to skip; these functions only look and describe.
 */
import { isIP } from 'node:net';
import { splitHostPort } from '../model/esm';
import { elapsed, withTimeout, type Deadline } from './budget';
import { timedCall, type ProbeAdmin } from './kafka';
import { errorCode, tcpConnect, tlsHandshake, type Resolver, type TlsMaterial } from './net';
import type { ProbePlan } from './plan';
import type { AdvertisedBroker, DnsAnswer, ProbeStatus, ProbeStep, ProbeStepName, TcpAttempt, TlsAttempt } from './schema';

export type StepOf<N extends ProbeStepName> = Extract<ProbeStep, { step: N }>;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** pass when all succeeded, fail when none did, warn in between. */
export function allSomeNone(ok: number, total: number): ProbeStatus {
  if (total === 0) return 'skip';
  if (ok === total) return 'pass';
  return ok === 0 ? 'fail' : 'warn';
}

export const CERT_WARN_DAYS = 30;

export function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

export async function dnsStep(plan: ProbePlan, resolver: Resolver, resolverName: string, capMs: number): Promise<{ step: StepOf<'dns'>; resolved: DnsAnswer[] }> {
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

export function tcpSummary(attempts: TcpAttempt[]): string {
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

export function tlsSummary(handshakes: TlsAttempt[], expiring: number): string {
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

export async function metadataStep(
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

export async function groupStep(admin: ProbeAdmin, plan: ProbePlan, capMs: number): Promise<StepOf<'group'>> {
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
