/**
 * Step 2: the auth secret. Lambda reads it with the execution role (not the service principal), so
 * it must exist, live in the ESM's region, be decryptable by the role, hold the JSON shape Lambda
 * expects, and — for MSK SASL/SCRAM — follow MSK's own rules (AmazonMSK_ name, customer managed
 * key, associated with the cluster). Values are never read here: only DescribeSecret, DescribeKey,
 * the simulation and the format facts the collector derived in memory.
 */
import { AUTH_LABELS, chooseAuth } from '../../model/esm';
import type { SecretFacts, Snapshot, SourceAccessConfiguration } from '../../model/snapshot';
import { valueOf } from '../check';
import { regionOf } from '../lib/resources';
import { updateEsm } from '../lib/commands';

export function authLabel(snapshot: Snapshot): string {
  const mode = chooseAuth(snapshot.esm, valueOf(snapshot.cluster)).mode;
  return mode ? AUTH_LABELS[mode] : 'undetermined';
}

export function factsFor(snapshot: Snapshot, config: SourceAccessConfiguration): SecretFacts | undefined {
  return snapshot.secrets.find((s) => s.arn === config.URI);
}

/** The ESM's access configurations with one secret URI replaced: what update-event-source-mapping needs (it replaces the list). */
export function withSecretReplaced(snapshot: Snapshot, oldUri: string, newUri: string): string {
  const configs = (snapshot.esm.SourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, URI: c.URI === oldUri ? newUri : c.URI }));
  return updateEsm({ uuid: snapshot.esm.UUID, sourceAccessConfigurations: configs, region: regionOf(snapshot) });
}

/** The secret name inside an ARN, without the 6-character suffix Secrets Manager appends. */
export function secretNameFromArn(arn: string): string {
  const name = arn.split(':secret:')[1] ?? arn;
  return name.replace(/-[A-Za-z0-9]{6}$/, '');
}

/** Two references to the same secret: full ARNs, or a partial ARN (no random suffix) and a full one. */
export function sameSecret(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (arn: string) => arn.replace(/-[A-Za-z0-9]{6}$/, '');
  return strip(a) === strip(b) || strip(a) === b || a === strip(b);
}
