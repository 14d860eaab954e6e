/**
 * The sandbox account's answer to a fix plan's calls: stand-ins for the four SDK clients the one
 * AWS writer (bot/remediate/apply.ts) sends its commands to, changing the facts of one ESM's
 * snapshot as AWS would change the account — so the production writer runs unchanged, and the
 * re-diagnosis sees the rule, the policy, the secret or the enabled mapping. Errors carry the names
 * the AWS APIs use (InvalidPermission.Duplicate, NoSuchEntityException, …), so the writer's
 * idempotency paths behave here as against AWS.
 *
 * IAM is the one place the snapshot holds a verdict rather than a fact (SimulatePrincipalPolicy's
 * EvaluationResults); an inline policy written here re-decides the results its Allow statements
 * match (action and resource, with IAM's * and ? wildcards), and deleting it restores them.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  BatchAssociateScramSecretCommand,
  BatchDisassociateScramSecretCommand,
  ListScramSecretsCommand,
  type KafkaClient,
} from '@aws-sdk/client-kafka';
import { GetEventSourceMappingCommand, UpdateEventSourceMappingCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RemediationClients } from '../remediate/apply';
import type { EvaluationResult, IpPermission, Snapshot } from '../model/snapshot';

/** One ESM's facts as the sandbox account holds them, plus the inline policies written since. */
export interface FakeAccountState {
  snapshot: Snapshot;
  /** The role's SimulatePrincipalPolicy results before any policy was written here. */
  basePermissions?: EvaluationResult[];
  inlinePolicies: Map<string, string>;
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, Code: name });
}

function glob(pattern: string, flags = ''): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function allows(document: string, action: string, resource: string | undefined): boolean {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(document) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((s) => {
    const st = s as { Effect?: string; Action?: unknown; Resource?: unknown };
    if (st?.Effect !== 'Allow') return false;
    const actionOk = asList(st.Action).some((a) => glob(a, 'i').test(action));
    const resourceOk = asList(st.Resource).some((r) => resource === undefined || glob(r).test(resource));
    return actionOk && resourceOk;
  });
}

function reevaluate(state: FakeAccountState): void {
  const permissions = state.snapshot.permissions;
  if (!permissions?.ok || !state.basePermissions) return;
  permissions.value = state.basePermissions.map((r) =>
    r.EvalDecision === 'allowed' || ![...state.inlinePolicies.values()].some((doc) => allows(doc, r.EvalActionName, r.EvalResourceName))
      ? { ...r }
      : { ...r, EvalDecision: 'allowed' },
  );
}

function samePermission(a: IpPermission, b: IpPermission): boolean {
  const groups = (p: IpPermission) => (p.UserIdGroupPairs ?? []).map((g) => g.GroupId).sort().join(',');
  const cidrs = (p: IpPermission) => (p.IpRanges ?? []).map((r) => r.CidrIp).sort().join(',');
  return a.IpProtocol === b.IpProtocol && a.FromPort === b.FromPort && a.ToPort === b.ToPort && groups(a) === groups(b) && cidrs(a) === cidrs(b);
}

function securityGroup(state: FakeAccountState, id: unknown) {
  const groups = state.snapshot.network?.securityGroups;
  const sg = groups?.ok ? groups.value.find((g) => g.GroupId === id) : undefined;
  if (!sg) throw awsError('InvalidGroup.NotFound', `The security group '${String(id)}' does not exist`);
  return sg;
}

function roleName(state: FakeAccountState, name: unknown): string {
  const role = state.snapshot.role;
  if (!role?.ok || role.value.RoleName !== name) throw awsError('NoSuchEntityException', `The role with name ${String(name)} cannot be found.`);
  return role.value.RoleName;
}

function scramList(state: FakeAccountState, clusterArn: unknown): string[] {
  const cluster = state.snapshot.cluster;
  if (!cluster?.ok || cluster.value.ClusterArn !== clusterArn) throw awsError('NotFoundException', `Cluster ${String(clusterArn)} not found`);
  const secrets = state.snapshot.scramSecrets;
  if (!secrets?.ok) {
    state.snapshot.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } };
  }
  return (state.snapshot.scramSecrets as { ok: true; value: { SecretArnList: string[] } }).value.SecretArnList;
}

type Command = { input: Record<string, unknown> };

function ec2(state: FakeAccountState) {
  return {
    send: async (command: Command) => {
      const input = command.input as { GroupId?: string; IpPermissions?: IpPermission[] };
      const sg = securityGroup(state, input.GroupId);
      const rules = (sg.IpPermissions ??= []);
      if (command instanceof AuthorizeSecurityGroupIngressCommand) {
        for (const p of input.IpPermissions ?? []) {
          if (rules.some((r) => samePermission(r, p))) throw awsError('InvalidPermission.Duplicate', 'the specified rule already exists');
        }
        rules.push(...structuredClone(input.IpPermissions ?? []));
        return { Return: true };
      }
      if (command instanceof RevokeSecurityGroupIngressCommand) {
        const unknown = (input.IpPermissions ?? []).filter((p) => !rules.some((r) => samePermission(r, p)));
        sg.IpPermissions = rules.filter((r) => !(input.IpPermissions ?? []).some((p) => samePermission(r, p)));
        return { Return: true, ...(unknown.length ? { UnknownIpPermissions: unknown } : {}) };
      }
      throw awsError('UnsupportedOperation', 'the sandbox account does not answer this EC2 call');
    },
  };
}

function iam(state: FakeAccountState) {
  return {
    send: async (command: Command) => {
      const input = command.input as { RoleName?: string; PolicyName?: string; PolicyDocument?: string };
      const role = roleName(state, input.RoleName);
      const name = String(input.PolicyName);
      if (command instanceof GetRolePolicyCommand) {
        const doc = state.inlinePolicies.get(name);
        if (doc === undefined) throw awsError('NoSuchEntityException', `The role policy with name ${name} cannot be found.`);
        // IAM returns policy documents URL-encoded.
        return { RoleName: role, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
      }
      if (command instanceof PutRolePolicyCommand) {
        state.inlinePolicies.set(name, String(input.PolicyDocument));
        reevaluate(state);
        return {};
      }
      if (command instanceof DeleteRolePolicyCommand) {
        if (!state.inlinePolicies.delete(name)) throw awsError('NoSuchEntityException', `The role policy with name ${name} cannot be found.`);
        reevaluate(state);
        return {};
      }
      throw awsError('UnsupportedOperation', 'the sandbox account does not answer this IAM call');
    },
  };
}

function kafka(state: FakeAccountState) {
  return {
    send: async (command: Command) => {
      const input = command.input as { ClusterArn?: string; SecretArnList?: string[] };
      const list = scramList(state, input.ClusterArn);
      if (command instanceof ListScramSecretsCommand) return { SecretArnList: [...list] };
      const known = new Set(state.snapshot.secrets.map((s) => s.arn));
      if (command instanceof BatchAssociateScramSecretCommand) {
        const unprocessed = (input.SecretArnList ?? []).filter((arn) => !known.has(arn)).map((SecretArn) => ({ SecretArn, ErrorCode: 'NotFoundException', ErrorMessage: 'secret not found' }));
        for (const arn of input.SecretArnList ?? []) if (known.has(arn) && !list.includes(arn)) list.push(arn);
        return { ClusterArn: input.ClusterArn, UnprocessedScramSecrets: unprocessed };
      }
      if (command instanceof BatchDisassociateScramSecretCommand) {
        for (const arn of input.SecretArnList ?? []) {
          const i = list.indexOf(arn);
          if (i >= 0) list.splice(i, 1);
        }
        return { ClusterArn: input.ClusterArn, UnprocessedScramSecrets: [] };
      }
      throw awsError('UnsupportedOperation', 'the sandbox account does not answer this MSK call');
    },
  };
}

function lambda(state: FakeAccountState) {
  return {
    send: async (command: Command) => {
      const input = command.input as { UUID?: string; Enabled?: boolean };
      const esm = state.snapshot.esm;
      if (input.UUID !== esm.UUID) throw awsError('ResourceNotFoundException', `The resource you requested does not exist. (Service: Lambda, UUID ${String(input.UUID)})`);
      if (command instanceof GetEventSourceMappingCommand) return structuredClone(esm);
      if (command instanceof UpdateEventSourceMappingCommand) {
        // Lambda goes through Enabling/Disabling; the sandbox settles at once.
        esm.State = input.Enabled ? 'Enabled' : 'Disabled';
        esm.StateTransitionReason = 'USER_INITIATED';
        if (input.Enabled) esm.LastProcessingResult = 'OK';
        return structuredClone(esm);
      }
      throw awsError('UnsupportedOperation', 'the sandbox account does not answer this Lambda call');
    },
  };
}

/** The four clients applyPlan takes, answering from (and writing to) one ESM's facts. */
export function fakeRemediationClients(state: FakeAccountState): RemediationClients {
  return { ec2: ec2(state) as unknown as EC2Client, iam: iam(state) as unknown as IAMClient, kafka: kafka(state) as unknown as KafkaClient, lambda: lambda(state) as unknown as LambdaClient };
}

export function fakeAccountState(snapshot: Snapshot): FakeAccountState {
  return {
    snapshot,
    ...(snapshot.permissions?.ok ? { basePermissions: structuredClone(snapshot.permissions.value) } : {}),
    inlinePolicies: new Map(),
  };
}
