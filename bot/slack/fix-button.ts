/**
 * The values of the remediation buttons, signed like the report's (button.ts: HMAC with the button
 * key, never the signing secret itself) but bound to more:
 *  - Fix it carries the ESM, the check and the hash of the plan the message shows, so a click on a
 *    message whose plan has since changed is refused rather than applying something else;
 *  - Approve and Cancel carry the request id, the plan hash, the channel and the report message the
 *    request belongs to, and when the request expires. A value copied elsewhere, edited, or clicked
 *    after its expiry does not verify.
 * Each kind has its own HMAC context string, so one kind's value never verifies as another's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Target } from '../model/target';

const Sig = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);

const FixValue = z.strictObject({
  uuid: Target.shape.uuid,
  region: Target.shape.region,
  account: Target.shape.account,
  check: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,99}$/),
  hash: Hash,
  sig: Sig,
});
export type FixButton = Omit<z.infer<typeof FixValue>, 'sig'>;

const DecisionValue = z.strictObject({
  id: z.uuid(),
  hash: Hash,
  channel: z.string().regex(/^[CGD][A-Z0-9]+$/),
  ts: z.string().regex(/^\d+\.\d+$/),
  /** Expiry, epoch seconds. */
  exp: z.number().int().positive(),
  sig: Sig,
});
export type DecisionButton = Omit<z.infer<typeof DecisionValue>, 'sig'>;

function mac(key: Buffer, context: string, fields: (string | number | undefined)[]): Buffer {
  return createHmac('sha256', key)
    .update([context, ...fields.map((f) => (f === undefined ? '' : String(f)))].join('\n'))
    .digest();
}

function matches(sig: string, expected: Buffer): boolean {
  const given = Buffer.from(sig, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseJson(value: string | undefined): unknown {
  if (!value || value.length > 2000) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const fixFields = (b: FixButton) => [b.uuid, b.region, b.account, b.check, b.hash];
const decisionFields = (b: DecisionButton) => [b.id, b.hash, b.channel, b.ts, b.exp];

export function signFixValue(key: Buffer, button: FixButton): string {
  const { account, ...rest } = button;
  return JSON.stringify({ ...rest, ...(account ? { account } : {}), sig: mac(key, 'esm-doctor/fix/v1', fixFields(button)).toString('base64url') });
}

export function verifyFixValue(key: Buffer, value: string | undefined): FixButton | undefined {
  const parsed = FixValue.safeParse(parseJson(value));
  if (!parsed.success) return undefined;
  const { sig, ...button } = parsed.data;
  return matches(sig, mac(key, 'esm-doctor/fix/v1', fixFields(button))) ? button : undefined;
}

/** The value both Approve and Cancel carry (the action id says which was pressed). */
export function signDecisionValue(key: Buffer, button: DecisionButton): string {
  return JSON.stringify({ ...button, sig: mac(key, 'esm-doctor/fix-decision/v1', decisionFields(button)).toString('base64url') });
}

export function verifyDecisionValue(key: Buffer, value: string | undefined): DecisionButton | undefined {
  const parsed = DecisionValue.safeParse(parseJson(value));
  if (!parsed.success) return undefined;
  const { sig, ...button } = parsed.data;
  return matches(sig, mac(key, 'esm-doctor/fix-decision/v1', decisionFields(button))) ? button : undefined;
}
