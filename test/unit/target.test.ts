import { parseTarget } from '../../bot/model/target';
import { InvalidTarget, MissingRegion } from '../../bot/model/errors';

const UUID = '14e0db71-5d35-4eb5-b481-8945cf9d10c2';

describe('parseTarget', () => {
  it('takes a bare UUID with the region from --region', () => {
    expect(parseTarget(UUID, { region: 'eu-west-1' })).toEqual({ uuid: UUID, region: 'eu-west-1' });
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(parseTarget(UUID, { env: { AWS_REGION: 'us-east-1' } }).region).toBe('us-east-1');
    expect(parseTarget(UUID, { env: { AWS_DEFAULT_REGION: 'ap-south-1' } }).region).toBe('ap-south-1');
  });

  it('folds an upper-case UUID to the lower case Lambda prints', () => {
    expect(parseTarget(UUID.toUpperCase(), { region: 'eu-west-1' }).uuid).toBe(UUID);
  });

  it('takes region and account from an ESM ARN', () => {
    const arn = `arn:aws:lambda:eu-central-1:123456789012:event-source-mapping:${UUID}`;
    expect(parseTarget(arn, { env: { AWS_REGION: 'us-east-1' } })).toEqual({ uuid: UUID, region: 'eu-central-1', account: '123456789012', arn });
  });

  it('refuses an ARN whose region contradicts --region', () => {
    const arn = `arn:aws:lambda:eu-central-1:123456789012:event-source-mapping:${UUID}`;
    expect(() => parseTarget(arn, { region: 'us-east-1' })).toThrow(/drop one of them/);
  });

  it.each([
    ['not-a-uuid', /not an event source mapping UUID/],
    ['14e0db71-5d35-4eb5-b481-8945cf9d10c', /not an event source mapping UUID/],
    ['14e0db71_5d35_4eb5_b481_8945cf9d10c2', /not an event source mapping UUID/],
    [`arn:aws:lambda:eu-west-1:123456789012:function:orders`, /not an event source mapping ARN/],
    [`arn:aws:kafka:eu-west-1:123456789012:cluster/x/${UUID}`, /not an event source mapping ARN/],
    ['   ', /no event source mapping given/],
  ])('rejects %j before any AWS call', (input, message) => {
    expect(() => parseTarget(input, { region: 'eu-west-1' })).toThrow(InvalidTarget);
    expect(() => parseTarget(input, { region: 'eu-west-1' })).toThrow(message);
  });

  it('says where a region can come from when there is none', () => {
    expect(() => parseTarget(UUID, { env: {} })).toThrow(MissingRegion);
    expect(() => parseTarget(UUID, { env: {} })).toThrow(/--region/);
  });

  it('rejects a region that is not a region name', () => {
    expect(() => parseTarget(UUID, { region: 'europe' })).toThrow(/not an AWS region/);
  });

  it('clips a very long input in the message', () => {
    expect(() => parseTarget('x'.repeat(500), { region: 'eu-west-1' })).toThrow(/\.\.\."/);
  });
});
