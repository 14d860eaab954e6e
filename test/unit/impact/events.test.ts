import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALL_FAMILIES, baseEventName, parseCall, UnusableEvent } from '../../../bot/impact/events';

const DIR = path.resolve(__dirname, '../../fixtures/cloudtrail');
const load = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));

const SG = 'sg-0a1b2c3d4e5f60718';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-AbCdEf';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:123456789012:key/${KEY}`;
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-4';

/** fixture → [event name as the family lists it, the keys of what it touched] */
const EXPECTED: Record<string, [string, string[]]> = {
  'authorize-security-group-ingress': ['AuthorizeSecurityGroupIngress', [SG]],
  'revoke-security-group-ingress': ['RevokeSecurityGroupIngress', [SG]],
  'authorize-security-group-egress': ['AuthorizeSecurityGroupEgress', [SG]],
  'revoke-security-group-egress': ['RevokeSecurityGroupEgress', [SG]],
  'modify-security-group-rules': ['ModifySecurityGroupRules', [SG]],
  'create-route': ['CreateRoute', ['rtb-0f1e2d3c4b5a69788']],
  'replace-route': ['ReplaceRoute', ['rtb-0f1e2d3c4b5a69788']],
  'delete-route': ['DeleteRoute', ['rtb-0f1e2d3c4b5a69788']],
  'replace-route-table-association': ['ReplaceRouteTableAssociation', ['rtbassoc-0a9b8c7d6e5f43210', 'rtb-0123456789abcdef0']],
  'delete-nat-gateway': ['DeleteNatGateway', ['nat-0123456789abcdef0']],
  'delete-vpc-endpoints': ['DeleteVpcEndpoints', ['vpce-0123456789abcdef0']],
  'modify-vpc-endpoint': ['ModifyVpcEndpoint', ['vpce-0123456789abcdef0']],
  'create-network-acl-entry': ['CreateNetworkAclEntry', ['acl-0123456789abcdef0']],
  'replace-network-acl-entry': ['ReplaceNetworkAclEntry', ['acl-0123456789abcdef0']],
  'delete-network-acl-entry': ['DeleteNetworkAclEntry', ['acl-0123456789abcdef0']],
  'replace-network-acl-association': ['ReplaceNetworkAclAssociation', ['aclassoc-0123456789abcdef0', 'acl-0fedcba9876543210']],
  'attach-role-policy': ['AttachRolePolicy', ['role/orders-consumer-role']],
  'detach-role-policy': ['DetachRolePolicy', ['role/orders-consumer-role']],
  'put-role-policy': ['PutRolePolicy', ['role/orders-consumer-role']],
  'delete-role-policy': ['DeleteRolePolicy', ['role/orders-consumer-role']],
  'update-assume-role-policy': ['UpdateAssumeRolePolicy', ['role/orders-consumer-role']],
  'put-role-permissions-boundary': ['PutRolePermissionsBoundary', ['role/orders-consumer-role']],
  'delete-secret': ['DeleteSecret', ['secret/AmazonMSK_orders']],
  'put-secret-value': ['PutSecretValue', ['secret/AmazonMSK_orders']],
  'update-secret': ['UpdateSecret', ['secret/AmazonMSK_orders']],
  'disable-key': ['DisableKey', [`key/${KEY}`]],
  'schedule-key-deletion': ['ScheduleKeyDeletion', [`key/${KEY}`]],
  // The request named an alias; the event's resources[] names the key itself.
  'put-key-policy': ['PutKeyPolicy', ['key/alias/orders-secrets', `key/${KEY}`]],
  'batch-disassociate-scram-secret': ['BatchDisassociateScramSecret', [CLUSTER]],
  'update-security': ['UpdateSecurity', [CLUSTER]],
  'update-connectivity': ['UpdateConnectivity', [CLUSTER]],
  'delete-cluster': ['DeleteCluster', [CLUSTER]],
  'put-function-concurrency': ['PutFunctionConcurrency', ['function/orders-consumer']],
  'delete-function': ['DeleteFunction', ['function/orders-consumer']],
};

describe('CloudTrail events → the resources the call changed', () => {
  it.each(Object.entries(EXPECTED))('%s', (fixture, [name, keys]) => {
    const call = parseCall(load(fixture));
    expect(call.name).toBe(name);
    expect(call.resources.map((r) => r.key)).toEqual(keys);
    expect(call.principal).toBe('arn:aws:sts::123456789012:assumed-role/platform-admin/jane');
    expect(call).toMatchObject({ time: '2026-12-06T09:48:02Z', region: 'eu-west-1', account: '123456789012' });
  });

  it('has a fixture for every call the issue lists, and every family is exercised', () => {
    const named = new Set(Object.values(EXPECTED).map(([n]) => n));
    for (const family of CALL_FAMILIES) for (const n of family.names) expect([n, named.has(n)]).toEqual([n, true]);
  });

  it('keeps the ids as the event wrote them, for the message', () => {
    expect(parseCall(load('delete-secret')).resources[0]).toEqual({ kind: 'secret', id: SECRET, key: 'secret/AmazonMSK_orders' });
    expect(parseCall(load('schedule-key-deletion')).resources.map((r) => r.id)).toEqual([KEY_ARN]);
  });

  it('reads a DeleteVpcEndpoints list of several endpoints', () => {
    const event = load('delete-vpc-endpoints') as { detail: { requestParameters: Record<string, unknown> } };
    event.detail.requestParameters = { DeleteVpcEndpointsRequest: { VpcEndpointId: [{ tag: 1, content: 'vpce-0aaa0000000000001' }, { tag: 2, content: 'vpce-0bbb0000000000002' }] } };
    expect(parseCall(event).resources.map((r) => r.id)).toEqual(['vpce-0aaa0000000000001', 'vpce-0bbb0000000000002']);
  });

  it('says a failed call changed nothing', () => {
    const call = parseCall(load('revoke-denied'));
    expect(call.failed).toBe('Client.UnauthorizedOperation');
    expect(call.resources).toEqual([]);
  });

  it('rejects a call it does not assess in one line naming the call', () => {
    expect(() => parseCall(load('unsupported-create-bucket'))).toThrow(UnusableEvent);
    expect(() => parseCall(load('unsupported-create-bucket'))).toThrow(/^s3\.amazonaws\.com CreateBucket is not a call esm-doctor assesses/);
  });

  it('rejects what is not an EventBridge CloudTrail envelope, naming the field', () => {
    expect(() => parseCall({ eventName: 'RevokeSecurityGroupIngress' })).toThrow(/detail-type/);
    const bare = load('revoke-security-group-ingress') as { detail: Record<string, unknown> };
    expect(() => parseCall(bare.detail)).toThrow(UnusableEvent);
    const noTime = load('revoke-security-group-ingress') as { detail: Record<string, unknown> };
    delete noTime.detail.eventTime;
    expect(() => parseCall(noTime)).toThrow(/detail\.eventTime/);
  });

  it('rejects an event whose request parameters name nothing (redacted)', () => {
    const event = load('delete-route') as { detail: Record<string, unknown> };
    event.detail.requestParameters = null;
    expect(() => parseCall(event)).toThrow(/names no resource/);
  });

  it('strips Lambda\'s API version from event names', () => {
    expect(baseEventName('PutFunctionConcurrency20171031')).toBe('PutFunctionConcurrency');
    expect(baseEventName('UpdateFunctionConfiguration20150331v2')).toBe('UpdateFunctionConfiguration');
    expect(baseEventName('DeleteRoute')).toBe('DeleteRoute');
  });
});
