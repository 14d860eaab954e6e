import { buttonKey, signButtonValue, verifyButtonValue } from '../../bot/slack/button';
import { ESM_UUID } from './support/reports';

const target = { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' };

describe('button values', () => {
  const key = buttonKey({ buttonKey: 'a-configured-key-of-at-least-32-characters' });

  it('carry only uuid, region and account, plus the HMAC', () => {
    const value = JSON.parse(signButtonValue(key, target));
    expect(Object.keys(value)).toEqual(['uuid', 'region', 'account', 'sig']);
  });

  it('verify when untouched', () => {
    expect(verifyButtonValue(key, signButtonValue(key, target))).toEqual(target);
    const noAccount = { uuid: ESM_UUID, region: 'eu-west-1' };
    expect(verifyButtonValue(key, signButtonValue(key, noAccount))).toEqual(noAccount);
  });

  it('are refused when any field is edited', () => {
    const value = JSON.parse(signButtonValue(key, target));
    for (const edit of [{ region: 'us-east-1' }, { account: '210987654321' }, { uuid: ESM_UUID.replace('14e0', '14e1') }]) {
      expect(verifyButtonValue(key, JSON.stringify({ ...value, ...edit }))).toBeUndefined();
    }
    const { account: _dropped, ...withoutAccount } = value;
    expect(verifyButtonValue(key, JSON.stringify(withoutAccount))).toBeUndefined();
  });

  it('are refused when signed with another key, malformed, or carrying extra fields', () => {
    const other = buttonKey({ buttonKey: 'another-key-that-is-also-32-characters-long' });
    expect(verifyButtonValue(key, signButtonValue(other, target))).toBeUndefined();
    expect(verifyButtonValue(key, 'not json')).toBeUndefined();
    expect(verifyButtonValue(key, undefined)).toBeUndefined();
    const value = JSON.parse(signButtonValue(key, target));
    expect(verifyButtonValue(key, JSON.stringify({ ...value, channel: 'C0OTHER' }))).toBeUndefined();
  });

  it('derive the key from the signing secret with HKDF when none is configured', () => {
    const derived = buttonKey({ signingSecret: 'e3b0c44298fc1c149afbf4c8996fb924' });
    expect(derived).toHaveLength(32);
    expect(derived.equals(Buffer.from('e3b0c44298fc1c149afbf4c8996fb924'))).toBe(false);
    expect(verifyButtonValue(derived, signButtonValue(derived, target))).toEqual(target);
  });
});
