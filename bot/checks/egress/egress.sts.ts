import { roleArnOf } from '../../model/role';
import { LAMBDA_SERVICE, egressCheck } from './lib';

export const egressSts = egressCheck({
  id: 'egress.sts',
  step: 1,
  service: 'sts',
  label: 'STS',
  purpose: 'assumes the execution role through STS',
  explains: ['assume-role', 'vpc-service-access', 'internal-error', 'connection-error', 'stuck'],
  request: (s) => ({ action: 'sts:AssumeRole', principal: LAMBDA_SERVICE, ...(roleArnOf(s) ? { resource: roleArnOf(s)! } : {}) }),
});
