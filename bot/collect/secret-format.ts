/**
 * What a secret value looks like, learned in memory and kept as shapes and booleans only: is it
 * JSON, which keys, is there a username and a password, does the password hold characters known to
 * break the Kafka source, do the certificates parse as X.509, which PEM label and which PKCS#8
 * encryption scheme the private key has. The value, the username, the password and the key material
 * are never returned, stored, logged or quoted in an error — this function does not throw.
 *
 * Formats (docs: msk-cluster-auth.html, kafka-cluster-auth.html): SCRAM / PLAIN
 * `{"username","password"}`; mTLS `{"certificate","privateKey","privateKeyPassword"?}` with the
 * client certificate first and the key in PKCS#8 PEM, encrypted with PBES1 (Lambda rejects PBES2,
 * which OpenSSL 3 uses by default); root CA `{"certificate"}`.
 */
import { X509Certificate } from 'node:crypto';
import type { SecretFormatFacts } from '../model/snapshot';

const CREDENTIAL_TYPES = new Set(['SASL_SCRAM_512_AUTH', 'SASL_SCRAM_256_AUTH', 'BASIC_AUTH']);
const CERTIFICATE_TYPES = new Set(['CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE']);
const PRIVATE_KEY_TYPES = new Set(['CLIENT_CERTIFICATE_TLS_AUTH']);

/** aws-cdk#22813: a SCRAM password with \ / or " broke the Lambda Kafka source with a cryptic error. */
const RISKY_PASSWORD_CHARACTERS = /[\\/"]/;

export function analyseSecretValue(type: string, secretString: string): SecretFormatFacts {
  const object = parseJsonObject(secretString);
  const has = (key: string) => object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
  const facts: SecretFormatFacts = { json: object !== undefined, keys: object ? Object.keys(object) : [] };

  if (CREDENTIAL_TYPES.has(type) || has('username') || has('password')) {
    const password = object?.password;
    facts.usernamePresent = isNonEmptyString(object?.username);
    facts.passwordPresent = isNonEmptyString(password);
    facts.passwordHasRiskyCharacters = typeof password === 'string' && RISKY_PASSWORD_CHARACTERS.test(password);
  }
  if (CERTIFICATE_TYPES.has(type) || has('certificate')) {
    facts.certificate = analyseCertificates(object?.certificate);
  }
  if (PRIVATE_KEY_TYPES.has(type) || has('privateKey')) {
    facts.privateKey = analysePrivateKey(object?.privateKey, object?.privateKeyPassword);
  }
  return facts;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Deliberately dropped: Node's SyntaxError quotes the text it failed to parse.
    return undefined;
  }
}

function isNonEmptyString(v: unknown): boolean {
  return typeof v === 'string' && v.trim() !== '';
}

interface PemBlock {
  label: string;
  /** The whole block, BEGIN and END lines included. */
  text: string;
  body: string;
}

function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ label: m[1]!, text: m[0], body: m[2]! });
  return out;
}

export function analyseCertificates(value: unknown): NonNullable<SecretFormatFacts['certificate']> {
  if (typeof value !== 'string') return { blocks: 0, parses: false };
  const blocks = pemBlocks(value).filter((b) => b.label === 'CERTIFICATE');
  const parsed = blocks.map((b) => {
    try {
      return new X509Certificate(b.text);
    } catch {
      return undefined;
    }
  });
  const first = parsed[0];
  return {
    blocks: blocks.length,
    parses: blocks.length > 0 && parsed.every((c) => c !== undefined),
    ...(first
      ? { firstSubject: oneLine(first.subject), firstIssuer: oneLine(first.issuer), firstNotAfter: isoDate(first.validTo) }
      : {}),
  };
}

/** X509Certificate prints a distinguished name one attribute per line. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function isoDate(openSslDate: string): string {
  const d = new Date(openSslDate);
  return Number.isNaN(d.getTime()) ? openSslDate : d.toISOString();
}

export function analysePrivateKey(value: unknown, password: unknown): NonNullable<SecretFormatFacts['privateKey']> {
  const passwordGiven = isNonEmptyString(password);
  if (typeof value !== 'string') return { pemLabel: 'none', passwordGiven };
  const blocks = pemBlocks(value);
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(value);
  const label = blocks[0]?.label ?? begin?.[1] ?? 'none';
  if (label !== 'ENCRYPTED PRIVATE KEY') return { pemLabel: label, passwordGiven };
  const block = blocks.find((b) => b.label === label);
  return { pemLabel: label, encryptionScheme: block ? pkcs8EncryptionScheme(block.body) : 'unknown', passwordGiven };
}

// ---------------------------------------------------------------------------------------------
// PKCS#8 EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY }   (RFC 5208, RFC 8018)

const PBES2 = '1.2.840.113549.1.5.13';
/** pbeWithMD2AndDES-CBC, MD5AndDES, MD2AndRC2, MD5AndRC2, SHA1AndDES, SHA1AndRC2 (PKCS#5 v1.5). */
const PBES1 = new Set(['1', '3', '4', '6', '10', '11'].map((n) => `1.2.840.113549.1.5.${n}`));
/** PKCS#12 pbeWithSHAAnd* (3DES, RC2, RC4): PBES1-style schemes, what `openssl pkcs8 -v1 PBE-SHA1-3DES` writes. */
const PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';

export function pkcs8EncryptionScheme(pemBody: string): 'PBES1' | 'PBES2' | 'unknown' {
  const oid = encryptionAlgorithmOid(pemBody);
  if (oid === PBES2) return 'PBES2';
  if (oid && (PBES1.has(oid) || oid.startsWith(PKCS12_PBE_PREFIX))) return 'PBES1';
  return 'unknown';
}

/** The OID of the EncryptedPrivateKeyInfo's AlgorithmIdentifier, or undefined if the DER is not one. */
export function encryptionAlgorithmOid(pemBody: string): string | undefined {
  // Legacy "Proc-Type:" / "DEK-Info:" headers do not belong in PKCS#8; drop header lines if any.
  const base64 = pemBody
    .split(/\r?\n/)
    .filter((line) => !line.includes(':'))
    .join('')
    .replace(/\s+/g, '');
  const der = Buffer.from(base64, 'base64');
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30) return undefined;
  const algorithm = readTlv(der, outer.start);
  if (!algorithm || algorithm.tag !== 0x30) return undefined;
  const oid = readTlv(der, algorithm.start);
  if (!oid || oid.tag !== 0x06) return undefined;
  return decodeOid(der.subarray(oid.start, oid.end));
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, offset: number): Tlv | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  const end = start + length;
  return end <= der.length ? { tag, start, end } : undefined;
}

function decodeOid(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return undefined;
  const first = bytes[0]!;
  const arcs: number[] = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
