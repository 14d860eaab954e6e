/**
 * A CloudTrail management event as EventBridge delivers it (`detail-type: "AWS API Call via
 * CloudTrail"`) → the resources the call changed, for the calls that can break a Kafka ESM.
 *
 * `requestParameters` is the API request, lower-camel-cased by CloudTrail. The EC2 query API keeps
 * its older wire shapes (`ipPermissions: { items: [...] }`); EC2's newer calls (DeleteNatGateway,
 * DeleteVpcEndpoints, ModifyVpcEndpoint, ModifySecurityGroupRules) arrive wrapped in
 * `<Action>Request` with PascalCase members, and a list member with one entry may be a bare
 * `{ tag, content }` object; Lambda's event names carry the API version
 * (`PutFunctionConcurrency20171031`). Each family below reads its ids where the service documents
 * them (the CloudTrail examples in the EC2, IAM, Secrets Manager, KMS, MSK and Lambda guides), and
 * the fixtures in test/fixtures/cloudtrail pin those shapes.
 */
import { z } from 'zod';
import { keyOf, type ResourceKind } from './resources';

export const DETAIL_TYPE = 'AWS API Call via CloudTrail';

const UserIdentity = z.looseObject({
  type: z.string().optional(),
  arn: z.string().optional(),
  principalId: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z.looseObject({ sessionIssuer: z.looseObject({ arn: z.string().optional() }).optional() }).optional(),
});

export const CloudTrailCall = z.looseObject({
  'detail-type': z.literal(DETAIL_TYPE, { message: `detail-type must be "${DETAIL_TYPE}"` }),
  source: z.string(),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  detail: z.looseObject({
    eventSource: z.string(),
    eventName: z.string(),
    eventTime: z.string(),
    awsRegion: z.string(),
    userIdentity: UserIdentity.optional(),
    recipientAccountId: z.string().optional(),
    requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
    responseElements: z.unknown().optional(),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    eventID: z.string().optional(),
  }),
});
export type CloudTrailCall = z.infer<typeof CloudTrailCall>;

/** A resource the call changed: its kind, the id as the event wrote it, and its match key. */
export interface TouchedResource {
  kind: ResourceKind;
  id: string;
  key: string;
}

type Params = Record<string, unknown>;
type Extract = (params: Params, event: CloudTrailCall) => Array<[ResourceKind, unknown]>;

/** `{ items: [...] }`, `[...]`, a bare `{ tag, content }` or a string → the strings in it. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('items' in o) return strings(o.items);
    if ('content' in o) return strings(o.content);
    if ('item' in o) return strings(o.item);
  }
  return [];
}

/** EC2's newer calls: `{ DeleteNatGatewayRequest: { NatGatewayId } }`. */
function wrapped(params: Params, request: string): Params {
  const inner = params[request];
  return inner && typeof inner === 'object' ? (inner as Params) : params;
}

const field = (...names: string[]) => (params: Params) => names.flatMap((n) => strings(params[n]));

const ec2: (...names: string[]) => Extract = (...names) => (p) => field(...names)(p).map((id) => ['ec2', id]);
/** The same for EC2's newer calls, whose fields sit inside `request` (see `wrapped`). */
const ec2In = (request: string, ...names: string[]): Extract => (p, event) => ec2(...names)(wrapped(p, request), event);

export interface CallFamily {
  /** CloudTrail eventSource. */
  source: string;
  /** Event names; Lambda's carry a version suffix and are matched by prefix. */
  names: readonly string[];
  extract: Extract;
}

/**
 * The calls that can break a Kafka ESM. The EventBridge rules of the deployed pre-alert are built
 * from this table too, so a family added here is watched there.
 */
export const CALL_FAMILIES: readonly CallFamily[] = [
  {
    source: 'ec2.amazonaws.com',
    names: ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress'],
    extract: ec2('groupId'),
  },
  { source: 'ec2.amazonaws.com', names: ['ModifySecurityGroupRules'], extract: ec2In('ModifySecurityGroupRulesRequest', 'GroupId', 'groupId') },
  { source: 'ec2.amazonaws.com', names: ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'], extract: ec2('routeTableId') },
  // The association id names the subnet's current link; the route table id is the one it moves to.
  { source: 'ec2.amazonaws.com', names: ['ReplaceRouteTableAssociation'], extract: ec2('associationId', 'routeTableId') },
  { source: 'ec2.amazonaws.com', names: ['DeleteNatGateway'], extract: ec2In('DeleteNatGatewayRequest', 'NatGatewayId', 'natGatewayId') },
  { source: 'ec2.amazonaws.com', names: ['DeleteVpcEndpoints'], extract: ec2In('DeleteVpcEndpointsRequest', 'VpcEndpointId', 'vpcEndpointId') },
  { source: 'ec2.amazonaws.com', names: ['ModifyVpcEndpoint'], extract: ec2In('ModifyVpcEndpointRequest', 'VpcEndpointId', 'vpcEndpointId') },
  { source: 'ec2.amazonaws.com', names: ['CreateNetworkAclEntry', 'ReplaceNetworkAclEntry', 'DeleteNetworkAclEntry'], extract: ec2('networkAclId') },
  { source: 'ec2.amazonaws.com', names: ['ReplaceNetworkAclAssociation'], extract: ec2('associationId', 'networkAclId') },
  {
    source: 'iam.amazonaws.com',
    names: ['AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'UpdateAssumeRolePolicy', 'PutRolePermissionsBoundary'],
    extract: (p) => field('roleName')(p).map((id) => ['role', id]),
  },
  {
    source: 'secretsmanager.amazonaws.com',
    names: ['DeleteSecret', 'PutSecretValue', 'UpdateSecret'],
    extract: (p) => field('secretId')(p).map((id) => ['secret', id]),
  },
  {
    source: 'kms.amazonaws.com',
    names: ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy'],
    // The event's resources[] carries the key ARN even when the request named an alias.
    extract: (p, e) => [...field('keyId')(p), ...resourceArns(e, 'AWS::KMS::Key')].map((id) => ['key', id]),
  },
  {
    source: 'kafka.amazonaws.com',
    names: ['BatchDisassociateScramSecret', 'UpdateSecurity', 'UpdateConnectivity', 'DeleteCluster'],
    extract: (p) => field('clusterArn')(p).map((id) => ['cluster', id]),
  },
  {
    source: 'lambda.amazonaws.com',
    names: ['PutFunctionConcurrency', 'DeleteFunction'],
    extract: (p) => field('functionName')(p).map((id) => ['function', id]),
  },
];

function resourceArns(event: CloudTrailCall, type: string): string[] {
  const resources = (event.detail as { resources?: unknown }).resources ?? (event as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((r) => {
    const o = r as { type?: unknown; ARN?: unknown };
    return o && o.type === type && typeof o.ARN === 'string' ? [o.ARN] : [];
  });
}

/** Lambda writes `PutFunctionConcurrency20171031`; the bare name is what the family lists. */
export function baseEventName(eventName: string): string {
  return eventName.replace(/\d{8}(v\d+)?$/, '');
}

export function familyOf(event: Pick<CloudTrailCall['detail'], 'eventSource' | 'eventName'>): CallFamily | undefined {
  const name = baseEventName(event.eventName);
  return CALL_FAMILIES.find((f) => f.source === event.eventSource && f.names.includes(name));
}

export function supportedCalls(): string[] {
  return CALL_FAMILIES.flatMap((f) => f.names.map((n) => `${f.source.split('.')[0]}:${n}`));
}

/** Who made the call, as one string: the role session or user ARN, else the service that invoked it. */
export function principalOf(event: CloudTrailCall): string {
  const who = event.detail.userIdentity;
  return who?.arn ?? who?.sessionContext?.sessionIssuer?.arn ?? who?.invokedBy ?? who?.principalId ?? 'unknown principal';
}

export interface ParsedCall {
  event: CloudTrailCall;
  name: string;
  time: string;
  region: string;
  account?: string;
  principal: string;
  /** Empty when the call failed (errorCode): a denied or invalid call changed nothing. */
  resources: TouchedResource[];
  failed?: string;
}

/** Why an event cannot be used, in one line. */
export class UnusableEvent extends Error {}

export function parseCall(json: unknown): ParsedCall {
  const parsed = CloudTrailCall.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnusableEvent(`not a CloudTrail API call event as EventBridge delivers it: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const event = parsed.data;
  const family = familyOf(event.detail);
  if (!family) {
    throw new UnusableEvent(`${event.detail.eventSource} ${event.detail.eventName} is not a call esm-doctor assesses (it assesses ${supportedCalls().length} calls; see esm-doctor impact --help)`);
  }
  const base = {
    event,
    name: baseEventName(event.detail.eventName),
    time: event.detail.eventTime,
    region: event.detail.awsRegion,
    ...(event.detail.recipientAccountId ?? event.account ? { account: event.detail.recipientAccountId ?? event.account } : {}),
    principal: principalOf(event),
  };
  if (event.detail.errorCode) return { ...base, resources: [], failed: event.detail.errorCode };
  const seen = new Set<string>();
  const resources: TouchedResource[] = [];
  for (const [kind, id] of family.extract(event.detail.requestParameters ?? {}, event)) {
    if (typeof id !== 'string' || id === '') continue;
    const key = keyOf(kind, id);
    if (seen.has(key)) continue;
    seen.add(key);
    resources.push({ kind, id, key });
  }
  if (resources.length === 0) {
    throw new UnusableEvent(`${event.detail.eventName} event names no resource in requestParameters (is it redacted or truncated?)`);
  }
  return { ...base, resources };
}
