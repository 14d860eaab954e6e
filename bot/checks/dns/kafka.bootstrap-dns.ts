import { bootstrapServers, esmSource, splitHostPort } from '../../model/esm';
import type { ResolvedEndpoint, Snapshot } from '../../model/snapshot';
import { fail, pass, skip, warn, defineCheck, type Outcome } from '../check';
import { isPrivateAddress } from '../lib/net/cidr';
import { esmPosition, needFact } from '../lib/esm-network';
import { AWS_DOCS } from '../lib/aws-docs';
import type { Remedy } from '../../model/report';
import { createKafkaEsm, deleteEsm, enableVpcDns } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { regionOf } from '../lib/resources';

/** Resolver errors that say "try again later", not "no such name". */
const TRANSIENT_DNS_ERRORS = ['EAI_AGAIN', 'ETIMEOUT', 'ETIMEDOUT', 'ESERVFAIL', 'ECONNREFUSED', 'ECANCELLED'];

function hostsTitle(entries: Array<{ entry: string }>): string {
  const hosts = entries.map((e) => e.entry.split(':')[0]).join(', ');
  return entries.length === 1 ? `Bootstrap server ${hosts} does not resolve` : `Bootstrap servers ${hosts} do not resolve`;
}

const WHERE = 'resolved from where esm-doctor ran, which may see different records than the ESM\'s network';

/**
 * KAFKA_BOOTSTRAP_SERVERS cannot be changed in place. The commands recreate the mapping with the
 * entries that do resolve (the corrected names are the reader's to add); with none, prose only.
 */
function recreateFix(snapshot: Snapshot, lead: string, resolving: string[]): Remedy {
  const esm = snapshot.esm;
  const region = regionOf(snapshot);
  const summary = `${lead ? `${lead} ` : ''}KAFKA_BOOTSTRAP_SERVERS cannot be changed on an existing ESM: create a new one with the corrected list (same topic and source access configurations) and delete ${esm.UUID}.`;
  if (!esm.Topics?.length) return remedy(summary);
  if (!resolving.length) {
    return remedy(`${summary} Set KAFKA_BOOTSTRAP_SERVERS to the corrected list (host:port, comma-separated) before the first command.`, [
      createKafkaEsm({ functionArn: esm.FunctionArn, ...(esm.StartingPosition ? { startingPosition: esm.StartingPosition } : {}), topics: esm.Topics, source: { bootstrapServersVariable: 'KAFKA_BOOTSTRAP_SERVERS' }, sourceAccessConfigurations: esm.SourceAccessConfigurations ?? [], region }),
      deleteEsm({ uuid: esm.UUID, region }),
    ]);
  }
  return remedy(`${summary} The commands keep only the entries that resolve; add the corrected names to the list first.`, [
    createKafkaEsm({ functionArn: esm.FunctionArn, ...(esm.StartingPosition ? { startingPosition: esm.StartingPosition } : {}), topics: esm.Topics, source: { bootstrapServers: resolving }, sourceAccessConfigurations: esm.SourceAccessConfigurations ?? [], region }),
    deleteEsm({ uuid: esm.UUID, region }),
  ]);
}

export const bootstrapDns = defineCheck({
  id: 'kafka.bootstrap-dns',
  step: 3,
  title: 'The bootstrap servers are well-formed and resolve',
  docs: AWS_DOCS.selfManagedNetwork,
  explains: ['dns', 'connection-error', 'broker-connection'],
  probe: [
    { probe: 'probe.dns', probeCanClear: true, networkPosition: true },
  ],
  run(snapshot): Outcome {
    const source = esmSource(snapshot.esm);
    if (source === 'msk') return skip('MSK ESMs take the broker names from GetBootstrapBrokers (msk.bootstrap checks them), not from a list you maintain.');
    if (!source) return skip('This is not a Kafka event source mapping.');
    const servers = bootstrapServers(snapshot.esm);
    if (servers.length === 0) return fail('KAFKA_BOOTSTRAP_SERVERS is empty', 'The ESM lists no bootstrap server, so Lambda has nowhere to connect.', recreateFix(snapshot, '', []));

    const malformed = servers.filter((e) => !splitHostPort(e));
    const dns = needFact(snapshot.dns, 'the DNS answers for the bootstrap servers', 'dns');
    const answers: ResolvedEndpoint[] = dns.ok ? dns.value : [];
    for (const a of answers) if (a.error?.toLowerCase() === 'malformed' && !malformed.includes(a.entry)) malformed.push(a.entry);
    if (malformed.length) {
      return fail(
        malformed.length === 1 ? `Bootstrap server "${malformed[0]}" is not host:port` : `Bootstrap servers ${malformed.map((m) => `"${m}"`).join(', ')} are not host:port`,
        `KAFKA_BOOTSTRAP_SERVERS entries must be host:port (e.g. kafka-1.example.com:9092); ${malformed.map((m) => `"${m}"`).join(', ')} ${malformed.length === 1 ? 'is' : 'are'} not. The Kafka client rejects the whole list when one entry is malformed.`,
        recreateFix(snapshot, 'Use host:port entries.', []),
      );
    }
    if (!dns.ok) return dns.outcome;

    const pos = esmPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const inVpc = pos.value.placement.kind !== 'internet';
    const byEntry = servers.map((entry) => ({ entry, answer: answers.find((a) => a.entry === entry) }));
    const unresolved = byEntry.filter((e) => !e.answer || e.answer.error || e.answer.addresses.length === 0);
    const resolved = byEntry.filter((e) => !unresolved.includes(e));
    const describe = (e: (typeof byEntry)[number]) => `${e.entry} → ${e.answer?.error ?? (e.answer ? 'no address' : 'not looked up')}`;

    if (unresolved.length) {
      const transient = unresolved.every((e) => e.answer?.error && TRANSIENT_DNS_ERRORS.includes(e.answer.error.toUpperCase()));
      const privateZone = inVpc
        ? ` The ESM resolves through ${snapshot.network?.vpcId ?? 'its VPC'}'s resolver: if the name lives in a Route 53 private hosted zone, associate the zone with that VPC and confirm from inside it (esm-doctor diagnose --probe).`
        : '';
      const detail = `${unresolved.map(describe).join('; ')} (${WHERE}).${resolved.length ? ` The others resolve: ${resolved.map((e) => `${e.entry} → ${e.answer!.addresses.join(', ')}`).join('; ')}.` : ''}${privateZone}`;
      const fix = recreateFix(snapshot, 'Correct the hostname or its DNS record.', resolved.map((e) => e.entry));
      if (transient) return warn('The bootstrap servers could not be resolved just now', `${detail} The resolver answered with a temporary error; re-run to confirm.`, fix, { resources: unresolved.map((e) => e.entry) });
      if (resolved.length === 0) return fail(hostsTitle(unresolved), `No bootstrap server resolves: ${detail}`, fix, { resources: unresolved.map((e) => e.entry) });
      return warn(
        hostsTitle(unresolved),
        `${detail} The Kafka client bootstraps from any entry that works, so this is not fatal yet, but the list is one failure away from it.`,
        fix,
        { resources: unresolved.map((e) => e.entry) },
      );
    }

    const privateOnly = resolved.filter((e) => e.answer!.addresses.every(isPrivateAddress));
    const addresses = resolved.map((e) => `${e.entry} → ${e.answer!.addresses.join(', ')}`).join('; ');
    if (!inVpc && privateOnly.length) {
      const all = privateOnly.length === resolved.length;
      const detail = `The ESM has no VPC configuration, so Lambda connects from the internet, but ${privateOnly.map((e) => `${e.entry} → ${e.answer!.addresses.join(', ')}`).join('; ')} ${privateOnly.length === 1 ? 'resolves' : 'resolve'} only to private addresses (${WHERE}), which are unreachable from there.`;
      // Which subnets and groups of the brokers' VPC to use is the reader's choice: a document to fill in, not a command.
      const fix = remedy(
        'Either expose the brokers on public addresses, or give the ESM access to the brokers\' VPC: set its source access configurations (update-event-source-mapping) to the list below, with subnets and a security group of that VPC.',
        [],
        [{
          title: 'SourceAccessConfigurations with VPC access',
          json: [
            ...(snapshot.esm.SourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, URI: c.URI })),
            { Type: 'VPC_SUBNET', URI: 'subnet:SUBNET_ID' },
            { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:SECURITY_GROUP_ID' },
          ],
        }],
      );
      return all
        ? fail('The bootstrap servers resolve to private addresses the ESM cannot reach', detail, fix, { resources: privateOnly.map((e) => e.entry) })
        : warn('Some bootstrap servers resolve to private addresses the ESM cannot reach', detail, fix, { resources: privateOnly.map((e) => e.entry) });
    }
    if (inVpc && privateOnly.length) {
      const vpcDns = snapshot.network?.vpcDns?.ok ? snapshot.network.vpcDns.value : undefined;
      if (vpcDns?.EnableDnsSupport === false) {
        const vpcId = snapshot.network?.vpcId;
        return warn(
          `${vpcId ?? 'The VPC'} has DNS resolution turned off`,
          `The bootstrap servers resolve to private addresses (${addresses}; ${WHERE}), which suggests a private zone, but ${vpcId} has enableDnsSupport off: the ESM's ENIs get no answer from the VPC resolver, so private names will not resolve for it.`,
          remedy('Turn DNS resolution on for the VPC.', vpcId ? [enableVpcDns({ vpcId, attribute: 'enableDnsSupport', region: regionOf(snapshot) })] : []),
          { resources: vpcId ? [vpcId] : [] },
        );
      }
    }
    return pass(`Every bootstrap server resolves (${WHERE}): ${addresses}.`);
  },
});
