/**
 * The ESM function's execution role, derived in one place: its ARN (GetRole's answer when it was
 * read, else GetFunction's Configuration.Role) and its name (what GetRole and the aws iam commands
 * take: the last part of the ARN, never the path).
 */
import type { FunctionInfo, Snapshot } from './snapshot';

/** `arn:aws:iam::123456789012:role/some/path/name` → `name`. */
export function roleNameFromArn(roleArn: string): string {
  const resource = roleArn.split(':').slice(5).join(':');
  return resource.split('/').pop() ?? resource;
}

/** The Role ARN GetFunction reports for the function. */
export function functionRoleArn(fn: FunctionInfo): string | undefined {
  return fn.Configuration.Role;
}

export function roleArnOf(snapshot: Pick<Snapshot, 'role' | 'function'>): string | undefined {
  if (snapshot.role?.ok) return snapshot.role.value.Arn;
  return snapshot.function?.ok ? functionRoleArn(snapshot.function.value) : undefined;
}

export function roleNameOf(snapshot: Pick<Snapshot, 'role' | 'function'>): string | undefined {
  if (snapshot.role?.ok) return snapshot.role.value.RoleName;
  const arn = roleArnOf(snapshot);
  return arn ? roleNameFromArn(arn) : undefined;
}
