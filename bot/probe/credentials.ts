/**
 * The ESM's secrets, read for the handshake and kept in memory only: they go into the TLS options
 * and the SASL client, never into a finding, a log line, an error message or the snapshot. Errors
 * name the secret ARN and what is wrong with its shape, never its content (Node's JSON.parse
 * quotes its input in its messages, so its errors are never passed on).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TlsMaterial } from './net';

/** Secret ARN → its SecretString. Injected: Secrets Manager in production, a map in tests. */
export type SecretReader = (arn: string) => Promise<string>;

export function secretsManagerReader(client: SecretsManagerClient): SecretReader {
  return async (arn) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out?.SecretString !== 'string') throw new SecretShapeError(arn, 'it has no SecretString (a binary secret), which Lambda cannot use');
    return out.SecretString;
  };
}

/** The secret could not be used; the message never contains the secret's content. */
export class SecretShapeError extends Error {
  override readonly name = 'SecretShapeError';
  constructor(readonly arn: string, reason: string) {
    super(`secret ${arn}: ${reason}`);
  }
}

/** Could not read the secret at all; carries the AWS error name only. */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError';
  constructor(readonly arn: string, readonly code: string) {
    super(`secret ${arn} could not be read: ${code}`);
  }
}

export interface UserPassword {
  username: string;
  password: string;
}

function parseJson(arn: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretShapeError(arn, 'its value is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SecretShapeError(arn, 'its value is not a JSON object');
  return value as Record<string, unknown>;
}

function field(arn: string, obj: Record<string, unknown>, key: string, required: true): string;
function field(arn: string, obj: Record<string, unknown>, key: string, required: false): string | undefined;
function field(arn: string, obj: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new SecretShapeError(arn, `it has no "${key}" key`);
    return undefined;
  }
  if (typeof v !== 'string') throw new SecretShapeError(arn, `its "${key}" is not a string`);
  return v;
}

async function read(reader: SecretReader, arn: string): Promise<string> {
  try {
    return await reader(arn);
  } catch (err) {
    if (err instanceof SecretShapeError) throw err;
    const e = err as { name?: string; Code?: string; code?: string };
    throw new SecretReadError(arn, e?.name && e.name !== 'Error' ? e.name : (e?.Code ?? e?.code ?? 'Error'));
  }
}

/** SASL/SCRAM and SASL/PLAIN secrets: {"username","password"}. */
export async function readUserPassword(reader: SecretReader, arn: string): Promise<UserPassword> {
  const obj = parseJson(arn, await read(reader, arn));
  return { username: field(arn, obj, 'username', true), password: field(arn, obj, 'password', true) };
}

/** CLIENT_CERTIFICATE_TLS_AUTH: {"certificate","privateKey","privateKeyPassword"?}. */
export async function readClientCertificate(reader: SecretReader, arn: string): Promise<Required<Pick<TlsMaterial, 'cert' | 'key'>> & Pick<TlsMaterial, 'passphrase'>> {
  const obj = parseJson(arn, await read(reader, arn));
  const cert = field(arn, obj, 'certificate', true);
  const key = field(arn, obj, 'privateKey', true);
  const passphrase = field(arn, obj, 'privateKeyPassword', false);
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) throw new SecretShapeError(arn, 'its "certificate" is not a PEM certificate');
  if (!/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(key)) throw new SecretShapeError(arn, 'its "privateKey" is not a PKCS#8 PEM key (BEGIN PRIVATE KEY / BEGIN ENCRYPTED PRIVATE KEY)');
  return { cert, key, ...(passphrase !== undefined ? { passphrase } : {}) };
}

/** SERVER_ROOT_CA_CERTIFICATE: {"certificate"}. */
export async function readRootCa(reader: SecretReader, arn: string): Promise<string> {
  const obj = parseJson(arn, await read(reader, arn));
  const cert = field(arn, obj, 'certificate', true);
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) throw new SecretShapeError(arn, 'its "certificate" is not a PEM certificate');
  return cert;
}

/**
 * Removes every credential string from a message before it is kept: a broker or a library may
 * echo what it was sent. Strings shorter than 4 characters are left (they would mangle the text
 * and reveal next to nothing).
 */
export function scrub(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
