/**
 * One spelling for "the same resource" whichever way an API or an event names it. A CloudTrail
 * event says `roleName: "orders-consumer"`, a finding says `arn:aws:iam::…:role/service/orders-consumer`;
 * a secret is named by its ARN (with Secrets Manager's random six-character suffix), its name or a
 * partial ARN; a key by its id or ARN; a function by name, ARN or qualified ARN. Both sides are turned
 * into keys and compared by key, so neither has to guess what the other wrote.
 */

/** EC2 ids that are their own key. */
const EC2_ID = /^(sg|subnet|rtb|rtbassoc|acl|aclassoc|nat|vpce|vpc|igw|eni|pl|tgw)-[0-9a-f]+$/;

/** Secrets Manager appends "-" and six random characters to a secret's name in its ARN. */
const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

export function secretName(idOrArn: string): string {
  const m = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(idOrArn);
  return m ? m[1]!.replace(SECRET_SUFFIX, '') : idOrArn;
}

export function roleName(idOrArn: string): string {
  const m = /^arn:[^:]+:iam::[^:]*:role\/(.+)$/.exec(idOrArn);
  return m ? m[1]!.split('/').pop()! : idOrArn;
}

export function functionName(idOrArn: string): string {
  const m = /^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:)?([^:]+)(?::.*)?$/.exec(idOrArn);
  return m ? m[1]! : idOrArn;
}

export function keyId(idOrArn: string): string {
  const m = /^arn:[^:]+:kms:[^:]*:[^:]*:key\/(.+)$/.exec(idOrArn);
  return m ? m[1]! : idOrArn;
}

export type ResourceKind = 'ec2' | 'role' | 'secret' | 'key' | 'function' | 'cluster' | 'esm';

/** The key of a resource of a known kind. */
export function keyOf(kind: ResourceKind, idOrArn: string): string {
  switch (kind) {
    case 'ec2':
      return idOrArn;
    case 'role':
      return `role/${roleName(idOrArn)}`;
    case 'secret':
      return `secret/${secretName(idOrArn)}`;
    case 'key':
      return `key/${keyId(idOrArn)}`;
    case 'function':
      return `function/${functionName(idOrArn)}`;
    case 'cluster':
    case 'esm':
      return idOrArn;
  }
}

/**
 * The key of a resource named by the user or a finding, kind unknown: told apart by ARN service or
 * EC2 id prefix. A bare name that could be several things gives a key per possible kind.
 */
export function keysOf(idOrArn: string): string[] {
  const value = idOrArn.trim();
  if (EC2_ID.test(value)) return [value];
  const arn = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.*)$/.exec(value);
  if (arn) {
    const [, service, rest] = arn;
    if (service === 'iam' && rest!.startsWith('role/')) return [keyOf('role', value)];
    if (service === 'secretsmanager') return [keyOf('secret', value)];
    if (service === 'kms' && rest!.startsWith('key/')) return [keyOf('key', value)];
    if (service === 'lambda' && rest!.startsWith('function:')) return [keyOf('function', value)];
    if (service === 'ec2') {
      const id = rest!.split('/').pop()!;
      return EC2_ID.test(id) ? [id] : [value];
    }
    return [value];
  }
  // A bare name: a role, a secret or a function may carry it; a KMS key id is a UUID.
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) return [keyOf('key', value), value];
  return [keyOf('role', value), keyOf('secret', value), keyOf('function', value)];
}

/** The keys of every resource a finding names (its `resources`). */
export function keysOfAll(resources: readonly string[] | undefined): Set<string> {
  return new Set((resources ?? []).flatMap((r) => keysOf(r)));
}
