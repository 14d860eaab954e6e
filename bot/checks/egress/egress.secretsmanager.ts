import { secretConfigs } from '../../model/esm';
import { roleArnOf } from '../../model/role';
import { account, egressCheck } from './lib';

export const egressSecretsManager = egressCheck({
  id: 'egress.secretsmanager',
  step: 2,
  service: 'secretsmanager',
  label: 'Secrets Manager',
  purpose: 'reads the authentication secret from Secrets Manager',
  explains: ['vpc-service-access', 'connection-error'],
  request: (s) => {
    const arn = roleArnOf(s);
    const acct = account(s);
    const secret = secretConfigs(s.esm)[0]?.URI;
    // Lambda reads the secret as the execution role, so an endpoint policy may name the role.
    return { action: 'secretsmanager:GetSecretValue', principal: { ...(arn ? { arn } : {}), ...(acct ? { account: acct } : {}) }, ...(secret ? { resource: secret } : {}) };
  },
});
