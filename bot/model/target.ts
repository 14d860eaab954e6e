import { z } from 'zod';
import { InvalidTarget, MissingRegion } from './errors';

/** An ESM UUID as Lambda prints it (lower-case hex, 8-4-4-4-12). Upper case is accepted and folded. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `arn:<partition>:lambda:<region>:<account>:event-source-mapping:<uuid>` */
const ESM_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-fA-F-]{36})$/;

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export const Region = z.string().regex(REGION_PATTERN, 'not an AWS region name (like eu-west-1)');

export const Target = z.object({
  uuid: z.string().regex(UUID_PATTERN),
  region: Region,
  account: z.string().regex(/^\d{12}$/).optional(),
  arn: z.string().optional(),
});
export type Target = z.infer<typeof Target>;

export interface ParseTargetOptions {
  /** --region, or the region given in Slack. Wins over the environment, loses to an ARN's region. */
  region?: string;
  /** Usually process.env; the fallback region comes from AWS_REGION / AWS_DEFAULT_REGION. */
  env?: Record<string, string | undefined>;
}

/**
 * Turns what a person typed into a Target, or throws InvalidTarget / MissingRegion with a message
 * that says what is wrong. Runs before any AWS call, so a typo never costs a round-trip.
 */
export function parseTarget(input: string, options: ParseTargetOptions = {}): Target {
  const text = input.trim();
  if (text === '') throw new InvalidTarget('no event source mapping given: pass its UUID or its ARN');
  const arn = ESM_ARN_PATTERN.exec(text);
  if (arn) {
    const [, , region, account, uuid] = arn as unknown as [string, string, string, string, string];
    if (!UUID_PATTERN.test(uuid)) throw new InvalidTarget(`the ARN ends in "${uuid}", which is not an event source mapping UUID`);
    if (options.region && options.region !== region) {
      throw new InvalidTarget(`the ARN is in ${region} but the region ${options.region} was also given; drop one of them`);
    }
    return { uuid: uuid.toLowerCase(), region, account, arn: text };
  }
  if (text.startsWith('arn:')) {
    throw new InvalidTarget(
      `"${clip(text)}" is not an event source mapping ARN (expected arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>)`,
    );
  }
  if (!UUID_PATTERN.test(text)) {
    throw new InvalidTarget(
      `"${clip(text)}" is not an event source mapping UUID (expected 8-4-4-4-12 hex digits, like 14e0db71-5d35-4eb5-b481-8945cf9d10c2)`,
    );
  }
  const env = options.env ?? {};
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new MissingRegion('no region: pass --region, use the ESM ARN, or set AWS_REGION');
  }
  if (!REGION_PATTERN.test(region)) throw new InvalidTarget(`"${clip(region)}" is not an AWS region name (like eu-west-1)`);
  return { uuid: text.toLowerCase(), region };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function esmArn(target: Target, account?: string): string | undefined {
  if (target.arn) return target.arn;
  const acct = target.account ?? account;
  return acct ? `arn:aws:lambda:${target.region}:${acct}:event-source-mapping:${target.uuid}` : undefined;
}
