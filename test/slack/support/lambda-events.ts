/** Lambda Function URL events (payload format 2.0) as AWS delivers a Slack request to handlers/slack. */
import { signedHeaders, type SignedOptions } from './signing';

export function functionUrlEvent(body: string, options: SignedOptions & { base64?: boolean } = {}) {
  const headers = signedHeaders(body, 'application/x-www-form-urlencoded', options);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { ...headers, host: 'abcdefghij.lambda-url.eu-west-1.on.aws', 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '3.93.0.1', userAgent: 'Slackbot 1.0' },
      requestId: 'a1b2c3d4',
      routeKey: '$default',
      stage: '$default',
      time: '20/Nov/2026:09:14:30 +0000',
      timeEpoch: Date.now(),
    },
    // Function URLs base64-encode form bodies.
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: Boolean(options.base64),
  };
}
