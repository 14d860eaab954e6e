/**
 * Button values. Slack signs the request, but the `value` of a button is whatever the message that
 * carried it said — a message anyone in the workspace can copy into their own app or a crafted
 * `block_actions` payload. So a value carries only which ESM it is about, plus an HMAC of that
 * made with a key only esm-doctor has; anything else, or anything edited, is refused. A value also
 * names the channel of the message it was rendered for (`ch`, inside the HMAC): copied into a
 * request from another channel, it is refused as such instead of acting on a message it never was on.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Target } from '../model/target';

export type ButtonTarget = Pick<Target, 'uuid' | 'region' | 'account'>;

const ButtonValue = z.strictObject({
  uuid: Target.shape.uuid,
  region: Target.shape.region,
  account: Target.shape.account,
  ch: z.string().regex(/^[CGD][A-Z0-9]{2,}$/).optional(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/**
 * The key for button HMACs: the configured one, or one derived from the signing secret with HKDF
 * (RFC 5869) so that the signing secret itself is never used for a second purpose.
 */
export function buttonKey(options: { buttonKey?: string; signingSecret?: string }): Buffer {
  if (options.buttonKey) return Buffer.from(options.buttonKey, 'utf8');
  if (!options.signingSecret) throw new Error('a button key needs ESM_DOCTOR_BUTTON_KEY or SLACK_SIGNING_SECRET');
  return Buffer.from(hkdfSync('sha256', options.signingSecret, 'esm-doctor', 'slack-button-hmac-v1', 32));
}

function mac(key: Buffer, target: ButtonTarget, channel?: string): Buffer {
  // v1 (no channel) stays verifiable, so that buttons on messages posted before v2 keep working.
  const fields = channel ? ['esm-doctor/button/v2', target.uuid, target.region, target.account ?? '', channel] : ['esm-doctor/button/v1', target.uuid, target.region, target.account ?? ''];
  return createHmac('sha256', key).update(fields.join('\n')).digest();
}

/** `channel`: the channel the message carrying the button goes to. */
export function signButtonValue(key: Buffer, target: ButtonTarget, channel?: string): string {
  const value: z.input<typeof ButtonValue> = {
    uuid: target.uuid,
    region: target.region,
    ...(target.account ? { account: target.account } : {}),
    ...(channel ? { ch: channel } : {}),
    sig: mac(key, target, channel).toString('base64url'),
  };
  return JSON.stringify(value);
}

/** The channel a verified value was rendered for (undefined for values from before it was bound). */
export function boundChannel(value: string | undefined): string | undefined {
  try {
    const ch = (JSON.parse(value ?? '') as { ch?: unknown }).ch;
    return typeof ch === 'string' ? ch : undefined;
  } catch {
    return undefined;
  }
}

/** The target a button value names, or undefined when it is malformed, edited or signed with another key. */
export function verifyButtonValue(key: Buffer, value: string | undefined): ButtonTarget | undefined {
  if (!value || value.length > 2000) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = ButtonValue.safeParse(json);
  if (!parsed.success) return undefined;
  const { sig, ch, ...target } = parsed.data;
  const expected = mac(key, target, ch);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { uuid: target.uuid, region: target.region, ...(target.account ? { account: target.account } : {}) };
}
