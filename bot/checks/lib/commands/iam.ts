/** IAM: role policies and trust. */
import type { PolicyDocument } from '../policy';
import { aws, jsonFlag } from './aws';

export function putRolePolicy(o: { roleName: string; policyName: string; document: PolicyDocument; region: string }): string {
  return aws('iam', 'put-role-policy', [
    ['role-name', o.roleName],
    ['policy-name', o.policyName],
    jsonFlag('policy-document', o.document),
  ], o.region);
}

export function updateAssumeRolePolicy(o: { roleName: string; document: unknown; region: string }): string {
  return aws('iam', 'update-assume-role-policy', [['role-name', o.roleName], jsonFlag('policy-document', o.document)], o.region);
}

export function deleteRolePolicy(o: { roleName: string; policyName: string; region: string }): string {
  return aws('iam', 'delete-role-policy', [['role-name', o.roleName], ['policy-name', o.policyName]], o.region);
}
