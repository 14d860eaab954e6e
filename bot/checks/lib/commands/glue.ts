/** Glue schema registry. */
import { aws } from './aws';

export function createGlueRegistry(o: { name: string; region: string }): string {
  return aws('glue', 'create-registry', [['registry-name', o.name]], o.region);
}

export function getGlueRegistry(o: { arn: string; region: string }): string {
  return aws('glue', 'get-registry', [['registry-id', `RegistryArn=${o.arn}`]], o.region);
}
