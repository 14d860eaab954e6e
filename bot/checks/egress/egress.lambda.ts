import { LAMBDA_SERVICE, egressCheck } from './lib';

export const egressLambda = egressCheck({
  id: 'egress.lambda',
  step: 9,
  service: 'lambda',
  label: 'the Lambda API',
  purpose: 'invokes the function through the Lambda API',
  explains: ['vpc-service-access', 'function-call', 'internal-error', 'connection-error'],
  request: (s) => ({ action: 'lambda:InvokeFunction', principal: LAMBDA_SERVICE, resource: s.esm.FunctionArn }),
});
