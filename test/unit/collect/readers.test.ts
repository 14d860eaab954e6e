import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { resolveEntry } from '../../../bot/collect/dns';
import { jsonSafe, paginate, toFactError } from '../../../bot/collect/fact';
import { roleNameFromArn } from '../../../bot/collect/iam';
import { readConcurrency, unqualifiedFunctionArn } from '../../../bot/collect/lambda';
import { secretKeyRef } from '../../../bot/collect/secrets';
import { awsError, metadata, mockedClients } from '../../support/collect-fixtures';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-Xy12Zw';

describe('jsonSafe', () => {
  it('turns Dates into ISO strings and drops $metadata, undefined and functions', () => {
    expect(
      jsonSafe({
        $metadata: { httpStatusCode: 200 },
        CreationTime: new Date('2025-03-02T12:00:00Z'),
        Nested: [{ At: new Date('2026-01-01T00:00:00Z'), Gone: undefined }],
        Fn: () => 1,
        Count: 3,
        Bad: Number.NaN,
      }),
    ).toEqual({ CreationTime: '2025-03-02T12:00:00.000Z', Nested: [{ At: '2026-01-01T00:00:00.000Z' }], Count: 3 });
  });
});

describe('paginate', () => {
  it('stops when an endpoint repeats a token instead of looping for ever', async () => {
    let pages = 0;
    const items = await paginate(async () => {
      pages++;
      return { items: [pages], next: 'same-token' };
    });
    expect(items).toEqual([1, 2]);
  });
});

describe('toFactError', () => {
  it('keeps the error name, the action and the HTTP status, and clips very long messages', () => {
    const err = awsError('UnauthorizedOperation', `You are not authorized to perform this operation. Encoded authorization failure message: ${'x'.repeat(3000)}`, 403);
    const fact = toFactError(err, 'ec2:DescribeNetworkAcls');
    expect(fact).toMatchObject({ code: 'UnauthorizedOperation', action: 'ec2:DescribeNetworkAcls', httpStatus: 403 });
    expect(fact.message.length).toBeLessThanOrEqual(1000);
  });

  it('uses a network error\'s code when it has no better name', () => {
    expect(toFactError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }), 'kms:DescribeKey').code).toBe('ECONNREFUSED');
  });
});

describe('secretKeyRef', () => {
  it('keeps a key ARN', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(secretKeyRef(arn, SECRET_ARN)).toEqual({ kind: 'arn', arn });
  });

  it('completes a key id (and a multi-Region key id) with the secret\'s partition, region and account', () => {
    expect(secretKeyRef('1234abcd-12ab-34cd-56ef-1234567890ab', SECRET_ARN)).toEqual({
      kind: 'arn',
      arn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(secretKeyRef('mrk-1234abcd12ab34cd56ef1234567890ab', SECRET_ARN)).toEqual({
      kind: 'arn',
      arn: 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    });
  });

  it('needs DescribeKey for an alias', () => {
    expect(secretKeyRef('alias/orders-secrets', SECRET_ARN)).toEqual({ kind: 'alias' });
    expect(secretKeyRef('arn:aws:kms:eu-west-1:123456789012:alias/orders-secrets', SECRET_ARN)).toEqual({ kind: 'alias' });
  });

  it('knows the aws/secretsmanager alias is the AWS managed key', () => {
    expect(secretKeyRef('alias/aws/secretsmanager', SECRET_ARN)).toEqual({ kind: 'aws-managed' });
    expect(secretKeyRef('arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager', SECRET_ARN)).toEqual({ kind: 'aws-managed' });
  });
});

describe('ARN helpers', () => {
  it('takes the role name without its path', () => {
    expect(roleNameFromArn('arn:aws:iam::123456789012:role/service-role/orders-consumer-role-x1y2')).toBe('orders-consumer-role-x1y2');
    expect(roleNameFromArn('arn:aws:iam::123456789012:role/orders-consumer-role')).toBe('orders-consumer-role');
  });

  it('drops a version or alias qualifier from a function ARN', () => {
    expect(unqualifiedFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer:live')).toBe('arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer');
  });
});

describe('readConcurrency', () => {
  it('asks for the unqualified function (reserved concurrency is per function, not per alias)', async () => {
    const env = mockedClients();
    env.mocks.lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0, $metadata: metadata() });
    const fact = await readConcurrency(env.clients.lambda, 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer:live');
    expect(env.mocks.lambda.commandCalls(GetFunctionConcurrencyCommand)[0]!.args[0].input.FunctionName).toBe('arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer');
    expect(fact).toEqual({ ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 0 } });
    env.restore();
  });
});

describe('resolveEntry', () => {
  it('keeps each address once and the entry as written', async () => {
    const resolver = async () => [
      { address: '10.20.1.15', family: 4 },
      { address: '10.20.1.15', family: 4 },
      { address: 'fd00::15', family: 6 },
    ];
    expect(await resolveEntry('kafka-1.internal.example.com:9096', resolver)).toEqual({
      entry: 'kafka-1.internal.example.com:9096',
      host: 'kafka-1.internal.example.com',
      port: 9096,
      addresses: ['10.20.1.15', 'fd00::15'],
    });
  });

  it('records a resolver that never answers as ETIMEOUT', async () => {
    jest.useFakeTimers();
    try {
      const pending = resolveEntry('kafka-1.internal.example.com:9096', () => new Promise(() => undefined));
      await jest.advanceTimersByTimeAsync(5_000);
      expect(await pending).toMatchObject({ addresses: [], error: 'ETIMEOUT' });
    } finally {
      jest.useRealTimers();
    }
  });
});
