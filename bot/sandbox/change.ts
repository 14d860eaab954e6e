/**
 * The sandbox's scripted change: "someone revoked the self-referencing rule" on the watched ESM's
 * cluster security group. It arrives as the CloudTrail event EventBridge would deliver, goes through
 * the same impact decision and pre-alert as in AWS (bot/impact), a while before the watcher notices
 * the failure — whose alert then lands in the pre-alert's thread.
 */
import type { Snapshot } from '../model/snapshot';
import { parseCall } from '../impact/events';
import { assessImpactOffline, type ImpactResult } from '../impact/run';

/** Who the sandbox says made the change: an example principal, not a real account. */
export const SANDBOX_PRINCIPAL_ROLE = 'platform-admin/jane';

/** RevokeSecurityGroupIngress of the self-referencing rule, as EventBridge delivers it. */
export function revokeSelfRuleEvent(watched: Snapshot, at: Date): Record<string, unknown> {
  const cluster = watched.cluster?.ok ? watched.cluster.value : undefined;
  const sg = cluster?.Provisioned?.BrokerNodeGroupInfo?.SecurityGroups?.[0] ?? cluster?.Serverless?.VpcConfigs?.[0]?.SecurityGroupIds?.[0] ?? 'sg-0a1b2c3d4e5f60718';
  const account = watched.target.account ?? '123456789012';
  const region = watched.target.region;
  const time = at.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    version: '0',
    id: `sandbox-revoke-${at.getTime()}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account,
    time,
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/${SANDBOX_PRINCIPAL_ROLE}`, accountId: account },
      eventTime: time,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RevokeSecurityGroupIngress',
      awsRegion: region,
      sourceIPAddress: '198.51.100.23',
      userAgent: 'aws-cli/2.22.0',
      requestParameters: { groupId: sg, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 9098, toPort: 9098, groups: { items: [{ groupId: sg }] } }] } },
      responseElements: { _return: true },
      eventID: `sandbox-${at.getTime()}`,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

/** The change's impact on the sandbox's ESMs (as they are after it). */
export function scriptedImpact(after: readonly Snapshot[], watchedUuid: string, at: Date): { event: Record<string, unknown>; result: ImpactResult } | undefined {
  const watched = after.find((s) => s.target.uuid === watchedUuid);
  if (!watched) return undefined;
  const event = revokeSelfRuleEvent(watched, at);
  return { event, result: assessImpactOffline(parseCall(event), after) };
}
