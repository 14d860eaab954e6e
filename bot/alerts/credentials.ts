/**
 * Credentials for another account: sts:AssumeRole with the ExternalId that account's trust policy
 * requires, cached until five minutes before they expire (one AssumeRole per hour per container,
 * not one per run). The same provider serves the watcher's listing and the alert's diagnosis.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { configuredEndpoint } from '../collect/endpoint';
import type { WatchedAccount } from './config';

const REFRESH_BEFORE_MS = 5 * 60_000;

export function assumeRoleProvider(
  account: WatchedAccount,
  options: { sts?: Pick<STSClient, 'send'>; region?: string; env?: Record<string, string | undefined>; now?: () => number } = {},
): AwsCredentialIdentityProvider {
  const env = options.env ?? process.env;
  const endpoint = configuredEndpoint('sts', env);
  const sts = options.sts ?? new STSClient({ ...(options.region ? { region: options.region } : {}), ...(endpoint ? { endpoint } : {}) });
  const now = options.now ?? Date.now;
  let cached: Promise<AwsCredentialIdentity> | undefined;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: account.roleArn,
        RoleSessionName: 'esm-doctor',
        DurationSeconds: 3600,
        ...(account.externalId ? { ExternalId: account.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole on ${account.roleArn} answered without credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: new Date(c.Expiration) } : {}),
    };
  };
  return async () => {
    const current = cached ? await cached.catch(() => undefined) : undefined;
    if (current && (!current.expiration || current.expiration.getTime() - now() > REFRESH_BEFORE_MS)) return current;
    cached = fetch();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
