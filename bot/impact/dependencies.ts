/**
 * What a diagnosis of one ESM depends on: the resources it reads, as match keys (./resources). Pure:
 * computed from a Snapshot, or from the smaller set of facts `esm-doctor dependents` reads live
 * (bot/collect/dependencies.ts), which has the same field names.
 */
import { esmPlacement } from '../model/esm';
import { secretConfigs } from '../model/esm';
import type { Snapshot } from '../model/snapshot';
import { keyOf } from './resources';

export type DependencyFacts = Pick<Snapshot, 'esm'> & Partial<Pick<Snapshot, 'function' | 'cluster' | 'network' | 'secrets' | 'vpcConnection'>>;

export interface Dependencies {
  uuid: string;
  arn?: string;
  functionArn: string;
  /** Match keys of every resource the diagnosis reads. */
  keys: string[];
}

export function dependenciesOf(facts: DependencyFacts): Dependencies {
  const keys = new Set<string>();
  const add = (key: string | undefined) => {
    if (key) keys.add(key);
  };
  const { esm } = facts;
  add(esm.EventSourceMappingArn);
  add(keyOf('function', esm.FunctionArn));
  const cluster = facts.cluster?.ok ? facts.cluster.value : undefined;
  if (esm.EventSourceArn?.startsWith('arn:')) add(esm.EventSourceArn);
  const role = facts.function?.ok ? facts.function.value.Configuration.Role : undefined;
  if (role) add(keyOf('role', role));

  // A cross-account ESM sits where its VPC connection is (model/esm.ts esmPlacement).
  const placement = esmPlacement(esm, cluster, facts.vpcConnection?.ok ? facts.vpcConnection.value : undefined);
  const subnetIds = new Set(placement && placement.kind !== 'internet' ? placement.subnetIds : []);
  for (const id of subnetIds) add(id);
  if (placement && placement.kind !== 'internet') for (const id of placement.securityGroupIds) add(id);

  const network = facts.network;
  add(network?.vpcId);
  const routeTables = network?.routeTables?.ok ? network.routeTables.value : [];
  // A subnet with no explicit association uses the VPC's main route table.
  const explicit = new Set(routeTables.flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId).filter(Boolean)));
  const usesMain = [...subnetIds].some((id) => !explicit.has(id));
  for (const table of routeTables) {
    const links = (table.Associations ?? []).filter((a) => (a.SubnetId && subnetIds.has(a.SubnetId)) || (a.Main && usesMain));
    if (links.length === 0) continue;
    add(table.RouteTableId);
    for (const a of links) add(a.RouteTableAssociationId);
    for (const r of table.Routes ?? []) add(r.NatGatewayId);
  }
  // Every endpoint in the VPC: with private DNS, one endpoint answers for the whole VPC.
  for (const endpoint of network?.vpcEndpoints?.ok ? network.vpcEndpoints.value : []) {
    add(endpoint.VpcEndpointId);
    for (const g of endpoint.Groups ?? []) add(g.GroupId);
  }
  for (const acl of network?.networkAcls?.ok ? network.networkAcls.value : []) {
    const links = (acl.Associations ?? []).filter((a) => a.SubnetId && subnetIds.has(a.SubnetId));
    if (links.length === 0) continue;
    add(acl.NetworkAclId);
    for (const a of links) add(a.NetworkAclAssociationId);
  }

  for (const config of secretConfigs(esm)) add(keyOf('secret', config.URI));
  for (const secret of facts.secrets ?? []) {
    add(keyOf('secret', secret.arn));
    if (secret.describe.ok && secret.describe.value.KmsKeyId) add(keyOf('key', secret.describe.value.KmsKeyId));
    if (secret.kmsKey?.ok) {
      add(keyOf('key', secret.kmsKey.value.KeyId));
      if (secret.kmsKey.value.Arn) add(keyOf('key', secret.kmsKey.value.Arn));
    }
  }
  return {
    uuid: esm.UUID,
    ...(esm.EventSourceMappingArn ? { arn: esm.EventSourceMappingArn } : {}),
    functionArn: esm.FunctionArn,
    keys: [...keys].sort(),
  };
}

/** The dependency index: key → the ESMs that depend on it. */
export function indexDependencies(all: readonly Dependencies[]): Map<string, Dependencies[]> {
  const index = new Map<string, Dependencies[]>();
  for (const d of all) {
    for (const key of d.keys) {
      const list = index.get(key) ?? [];
      list.push(d);
      index.set(key, list);
    }
  }
  return index;
}

/** The ESMs that depend on any of `keys`, each once, in index order. */
export function dependentsOf(index: Map<string, Dependencies[]>, keys: Iterable<string>): Dependencies[] {
  const out = new Map<string, Dependencies>();
  for (const key of keys) for (const d of index.get(key) ?? []) out.set(d.uuid, d);
  return [...out.values()];
}
