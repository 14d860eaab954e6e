/** Helpers shared by the secrets checks; index.ts says what the area checks and why. */
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
