/**
 * IAM and STS reads: who is running esm-doctor, the execution role, and what that role may do
 * (SimulatePrincipalPolicy for exactly the requirements model/permissions lists).
 */
import { GetRoleCommand, SimulatePrincipalPolicyCommand, type EvaluationResult as SdkEvaluationResult, type IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { CallerIdentity, EvaluationResult, RoleInfo, type Fact } from '../model/snapshot';
import { roleNameFromArn } from '../model/role';
import { paginate, readFact } from './fact';

export function readCallerIdentity(client: STSClient): Promise<Fact<CallerIdentity>> {
  return readFact('sts:GetCallerIdentity', CallerIdentity, () => client.send(new GetCallerIdentityCommand({})));
}

/** GetRole takes the role's name, never its path. */
export { roleNameFromArn };

export function readRole(client: IAMClient, roleArn: string): Promise<Fact<RoleInfo>> {
  return readFact('iam:GetRole', RoleInfo, async () => (await client.send(new GetRoleCommand({ RoleName: roleNameFromArn(roleArn) })))?.Role);
}

/**
 * SimulatePrincipalPolicy for each (resource, actions) request, concurrently, every page of each
 * (IsTruncated / Marker). One failed request fails the fact: a partial answer would read as "not
 * required" to the checks. `*` is the API's default resource and is not sent.
 */
export function simulateRole(
  client: IAMClient,
  roleArn: string,
  requests: Array<{ resource: string; actions: string[] }>,
): Promise<Fact<EvaluationResult[]>> {
  return readFact('iam:SimulatePrincipalPolicy', z.array(EvaluationResult), async () => {
    const pages = await Promise.all(
      requests.map(({ resource, actions }) =>
        paginate<SdkEvaluationResult>(async (Marker) => {
          const out = await client.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: roleArn,
              ActionNames: actions,
              ...(resource !== '*' ? { ResourceArns: [resource] } : {}),
              ...(Marker ? { Marker } : {}),
            }),
          );
          return { items: out?.EvaluationResults, next: out?.IsTruncated ? out.Marker : undefined };
        }),
      ),
    );
    return pages.flat();
  });
}
