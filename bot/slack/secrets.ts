/**
 * In AWS the Slack tokens live in Secrets Manager, not in the functions' environment (where anyone
 * with lambda:GetFunctionConfiguration could read them). `SLACK_SECRET_ARN` names a JSON secret:
 *
 *   {"SLACK_BOT_TOKEN": "xoxb-…", "SLACK_SIGNING_SECRET": "…", "ESM_DOCTOR_BUTTON_KEY": "…"}
 *
 * Read once per container (a promise shared by every invocation; a failure is not cached, so the
 * next invocation tries again) and merged under the environment: a variable that is set wins. The
 * values are never logged, and errors name the secret's keys, never its content.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { configuredEndpoint } from '../collect/endpoint';
import { SlackConfigError } from './config';

export const SLACK_SECRET_ENV = 'SLACK_SECRET_ARN';

const KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'ESM_DOCTOR_BUTTON_KEY'] as const;

const SlackSecret = z.object(Object.fromEntries(KEYS.map((k) => [k, z.string().optional()])) as Record<(typeof KEYS)[number], z.ZodOptional<z.ZodString>>);

/** What `npx cdk deploy` puts in the secret until someone stores the real tokens. */
export const PLACEHOLDER = 'replace-me';

/** What the stack writes into the secret at creation: placeholders the loader refuses until replaced. */
export const SLACK_SECRET_TEMPLATE = { SLACK_BOT_TOKEN: `${PLACEHOLDER}-with-the-bot-token`, SLACK_SIGNING_SECRET: `${PLACEHOLDER}-with-the-signing-secret` };

type Env = Record<string, string | undefined>;

/** True when the tokens are to come from Secrets Manager: a secret is named and no token is set. */
export function needsSlackSecret(env: Env): boolean {
  return Boolean(env[SLACK_SECRET_ENV]) && !env.SLACK_BOT_TOKEN;
}

export async function loadSlackSecret(env: Env, client?: Pick<SecretsManagerClient, 'send'>): Promise<Env> {
  if (!needsSlackSecret(env)) return env;
  const secretId = env[SLACK_SECRET_ENV]!;
  const endpoint = configuredEndpoint('secretsManager', env);
  const sm = client ?? new SecretsManagerClient({ ...(endpoint ? { endpoint } : {}) });
  let text: string | undefined;
  try {
    text = (await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (err) {
    throw new SlackConfigError(`cannot read the Slack secret named by ${SLACK_SECRET_ENV} (${(err as Error).name}); check that it exists and that this function may read it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new SlackConfigError(`the Slack secret named by ${SLACK_SECRET_ENV} is not JSON; store {"SLACK_BOT_TOKEN": "xoxb-…", "SLACK_SIGNING_SECRET": "…"} (docs/deploy.md)`);
  }
  const parsed = SlackSecret.safeParse(json);
  if (!parsed.success) {
    throw new SlackConfigError(`the Slack secret named by ${SLACK_SECRET_ENV} must hold string values for ${KEYS.join(', ')}`);
  }
  const unset = KEYS.filter((k) => parsed.data[k]?.includes(PLACEHOLDER));
  if (unset.length) {
    throw new SlackConfigError(`the Slack secret named by ${SLACK_SECRET_ENV} still has placeholders for ${unset.join(', ')}: store the app's real tokens (docs/deploy.md)`);
  }
  const merged: Env = { ...env };
  for (const key of KEYS) {
    const value = parsed.data[key];
    if (value && !merged[key]) merged[key] = value;
  }
  return merged;
}

const loaded = new Map<string, Promise<Env>>();

/** loadSlackSecret, once per container and secret. */
export function slackEnvOnce(env: Env, client?: Pick<SecretsManagerClient, 'send'>): Promise<Env> {
  if (!needsSlackSecret(env)) return Promise.resolve(env);
  const key = env[SLACK_SECRET_ENV]!;
  let promise = loaded.get(key);
  if (!promise) {
    promise = loadSlackSecret(env, client);
    loaded.set(key, promise);
    promise.catch(() => loaded.delete(key));
  }
  return promise;
}

/**
 * A handler whose construction needs the tokens: built on the first invocation, once the secret is
 * read, then reused. Lets the entry points stay `export const handler = …` with no top-level await.
 */
export function deferUntilSecrets<A extends unknown[], R>(env: Env, build: (resolved: Env) => (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let built: Promise<(...args: A) => Promise<R>> | undefined;
  return async (...args: A) => {
    if (!built) {
      built = slackEnvOnce(env).then(build);
      built.catch(() => {
        built = undefined;
      });
    }
    return (await built)(...args);
  };
}
