import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { analyseSecretValue, encryptionAlgorithmOid, pkcs8EncryptionScheme } from '../../../bot/collect/secret-format';
import { readSecretFormat } from '../../../bot/collect/secrets';
import { SecretFormatFacts } from '../../../bot/model/snapshot';
import { awsError, metadata, mockedClients } from '../../support/collect-fixtures';

const PASSPHRASE = 'key-passphrase-marker-9Xw';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/clickstream/mtls-Ab12Cd';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const withOpenssl = hasOpenssl() ? it : it.skip;

let rsa: KeyObject;
let dir: string;
beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  dir = mkdtempSync(join(tmpdir(), 'esm-doctor-secret-format-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkcs1 = () => rsa.export({ type: 'pkcs1', format: 'pem' }) as string;
const pkcs8 = () => rsa.export({ type: 'pkcs8', format: 'pem' }) as string;
/** What OpenSSL 3 and Node write by default for an encrypted PKCS#8 key: PBES2 (PBKDF2 + AES-256-CBC). */
const pkcs8Pbes2 = () => rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }) as string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A self-signed certificate made by the openssl CLI. */
function selfSigned(name: string): string {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}/O=Example Corp`);
  return readFileSync(join(dir, `${name}.pem`), 'utf8');
}

/** DER helpers to build an EncryptedPrivateKeyInfo by hand. */
function tlv(tag: number, body: Buffer): Buffer {
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
function encryptedKeyPem(algorithmOid: string): string {
  const params = tlv(0x30, Buffer.concat([tlv(0x04, Buffer.alloc(8, 7)), tlv(0x02, Buffer.from([0x08, 0x00]))]));
  const der = tlv(0x30, Buffer.concat([tlv(0x30, Buffer.concat([oid(algorithmOid), params])), tlv(0x04, Buffer.alloc(640, 0xab))]));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}

const mtls = (certificate: string, privateKey: string, privateKeyPassword?: string) =>
  JSON.stringify({ certificate, privateKey, ...(privateKeyPassword !== undefined ? { privateKeyPassword } : {}) });

describe('analyseSecretValue: SASL credentials', () => {
  it('sees a well-formed SCRAM secret', () => {
    expect(analyseSecretValue('SASL_SCRAM_512_AUTH', JSON.stringify({ username: 'svc-orders', password: 'Zq8pLm2x' }))).toEqual({
      json: true,
      keys: ['username', 'password'],
      usernamePresent: true,
      passwordPresent: true,
      passwordHasRiskyCharacters: false,
    });
  });

  it.each(['back\\slash', 'for/ward', 'quo"te'])('flags a password holding a character known to break the Kafka source (%s)', (password) => {
    expect(analyseSecretValue('SASL_SCRAM_512_AUTH', JSON.stringify({ username: 'u', password })).passwordHasRiskyCharacters).toBe(true);
  });

  it('sees missing and mis-named keys', () => {
    expect(analyseSecretValue('BASIC_AUTH', JSON.stringify({ user: 'svc-orders', pass: 'x' }))).toMatchObject({
      json: true,
      keys: ['user', 'pass'],
      usernamePresent: false,
      passwordPresent: false,
    });
  });

  it('sees a value that is not JSON, without repeating it', () => {
    const value = 'username=svc-orders password=plain-text-marker-44';
    const facts = analyseSecretValue('SASL_SCRAM_256_AUTH', value);
    expect(facts).toEqual({ json: false, keys: [], usernamePresent: false, passwordPresent: false, passwordHasRiskyCharacters: false });
    expect(JSON.stringify(facts)).not.toContain('plain-text-marker-44');
  });

  it('treats JSON that is not an object as not JSON', () => {
    expect(analyseSecretValue('BASIC_AUTH', '"just-a-string"').json).toBe(false);
    expect(analyseSecretValue('BASIC_AUTH', '["a","b"]').json).toBe(false);
    expect(analyseSecretValue('BASIC_AUTH', 'null').json).toBe(false);
  });

  it('never stores, returns or throws the username or the password, whatever the value looks like', () => {
    const password = 'hunter2-never-leaks-Q7';
    const values = [
      JSON.stringify({ username: 'user-never-leaks-R8', password }),
      `{"username": "user-never-leaks-R8", "password": "${password}"`, // truncated JSON: Node's SyntaxError would quote it
      password,
      JSON.stringify({ username: { nested: password }, password: [password] }),
      JSON.stringify({ certificate: password, privateKey: `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${password}\n-----END ENCRYPTED PRIVATE KEY-----`, privateKeyPassword: password }),
    ];
    for (const type of ['SASL_SCRAM_512_AUTH', 'BASIC_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE', 'SOMETHING_ELSE']) {
      for (const value of values) {
        let out = '';
        expect(() => {
          out = JSON.stringify(analyseSecretValue(type, value));
        }).not.toThrow();
        expect(out).not.toContain(password);
        expect(out).not.toContain('user-never-leaks-R8');
        expect(() => SecretFormatFacts.parse(JSON.parse(out))).not.toThrow();
      }
    }
  });
});

describe('analyseSecretValue: client certificate (mTLS) secrets', () => {
  it('labels a PKCS#1 key as RSA PRIVATE KEY (not the PKCS#8 Lambda requires)', () => {
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('', pkcs1())).privateKey).toEqual({ pemLabel: 'RSA PRIVATE KEY', passwordGiven: false });
  });

  it('labels an unencrypted PKCS#8 key as PRIVATE KEY', () => {
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('', pkcs8())).privateKey).toEqual({ pemLabel: 'PRIVATE KEY', passwordGiven: false });
  });

  it('sees PBES2 in a key encrypted the way Node and OpenSSL 3 do by default', () => {
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('', pkcs8Pbes2(), PASSPHRASE)).privateKey).toEqual({
      pemLabel: 'ENCRYPTED PRIVATE KEY',
      encryptionScheme: 'PBES2',
      passwordGiven: true,
    });
  });

  withOpenssl('sees PBES1 in a key encrypted with openssl pkcs8 -v1 PBE-SHA1-3DES', () => {
    writeFileSync(join(dir, 'plain.pem'), pkcs8());
    openssl('pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES', '-in', 'plain.pem', '-passout', `pass:${PASSPHRASE}`, '-out', 'pbes1.pem');
    const key = readFileSync(join(dir, 'pbes1.pem'), 'utf8');
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('', key, PASSPHRASE)).privateKey).toEqual({
      pemLabel: 'ENCRYPTED PRIVATE KEY',
      encryptionScheme: 'PBES1',
      passwordGiven: true,
    });
  });

  it.each([
    ['1.2.840.113549.1.5.3', 'PBES1'], // pbeWithMD5AndDES-CBC
    ['1.2.840.113549.1.5.10', 'PBES1'], // pbeWithSHA1AndDES-CBC
    ['1.2.840.113549.1.12.1.3', 'PBES1'], // pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12)
    ['1.2.840.113549.1.5.13', 'PBES2'],
    ['2.16.840.1.101.3.4.1.42', 'unknown'], // aes256-CBC is not a PKCS#8 encryption scheme
  ])('reads the AlgorithmIdentifier OID %s of a hand-built EncryptedPrivateKeyInfo as %s', (algorithm, scheme) => {
    const pem = encryptedKeyPem(algorithm);
    expect(encryptionAlgorithmOid(pem.split('\n').slice(1, -2).join('\n'))).toBe(algorithm);
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('', pem)).privateKey).toEqual({ pemLabel: 'ENCRYPTED PRIVATE KEY', encryptionScheme: scheme, passwordGiven: false });
  });

  it('answers unknown, without throwing, for an encrypted key whose DER is garbage', () => {
    expect(pkcs8EncryptionScheme('bm90IGEgREVS')).toBe('unknown');
    expect(pkcs8EncryptionScheme('')).toBe('unknown');
    expect(pkcs8EncryptionScheme('MIIBAAAA')).toBe('unknown');
  });

  it('says when there is no private key at all', () => {
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', JSON.stringify({ certificate: '' })).privateKey).toEqual({ pemLabel: 'none', passwordGiven: false });
  });

  withOpenssl('parses the certificate chain as X.509 and reports the first certificate\'s subject, issuer and expiry', () => {
    const client = selfSigned('clickstream-ingest');
    const ca = selfSigned('example-root-ca');
    const facts = analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls(`${client}${ca}`, pkcs8()));
    expect(facts.certificate).toEqual({
      blocks: 2,
      parses: true,
      firstSubject: 'CN=clickstream-ingest, O=Example Corp',
      firstIssuer: 'CN=clickstream-ingest, O=Example Corp',
      firstNotAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
    });
    const days = (Date.parse(facts.certificate!.firstNotAfter!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });

  withOpenssl('sees a chain where one block is not a certificate', () => {
    const client = selfSigned('clickstream-ingest');
    const broken = '-----BEGIN CERTIFICATE-----\nTUlJQnJvaGVu\n-----END CERTIFICATE-----\n';
    expect(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls(`${client}${broken}`, pkcs8())).certificate).toMatchObject({ blocks: 2, parses: false });
  });

  withOpenssl('sees a certificate pasted with literal \\n sequences as not parsing', () => {
    const escaped = selfSigned('clickstream-ingest').replace(/\n/g, '\\n');
    expect(analyseSecretValue('SERVER_ROOT_CA_CERTIFICATE', JSON.stringify({ certificate: escaped })).certificate).toEqual({ blocks: 1, parses: false });
  });

  it('sees no certificate block in a certificate that is not PEM', () => {
    expect(analyseSecretValue('SERVER_ROOT_CA_CERTIFICATE', JSON.stringify({ certificate: 'MIIBszCCAVmgAwIBAgIU' }))).toEqual({
      json: true,
      keys: ['certificate'],
      certificate: { blocks: 0, parses: false },
    });
  });

  it('never returns the private key, its password or the certificate body', () => {
    const key = pkcs8Pbes2();
    const keyBody = key.split('\n')[5]!;
    const out = JSON.stringify(analyseSecretValue('CLIENT_CERTIFICATE_TLS_AUTH', mtls('-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----', key, PASSPHRASE)));
    expect(out).not.toContain(PASSPHRASE);
    expect(out).not.toContain(keyBody);
    expect(out).not.toContain('QUJD');
  });
});

describe('readSecretFormat', () => {
  let env: ReturnType<typeof mockedClients>;
  beforeEach(() => {
    env = mockedClients();
  });
  afterEach(() => env.restore());

  it('returns format facts only', async () => {
    env.mocks.secretsManager.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: mtls('', pkcs8Pbes2(), PASSPHRASE), $metadata: metadata() });
    const fact = await readSecretFormat(env.clients.secretsManager, 'CLIENT_CERTIFICATE_TLS_AUTH', SECRET_ARN);
    expect(fact).toEqual({
      ok: true,
      source: 'secretsmanager:GetSecretValue',
      value: {
        json: true,
        keys: ['certificate', 'privateKey', 'privateKeyPassword'],
        certificate: { blocks: 0, parses: false },
        privateKey: { pemLabel: 'ENCRYPTED PRIVATE KEY', encryptionScheme: 'PBES2', passwordGiven: true },
      },
    });
    expect(JSON.stringify(fact)).not.toContain(PASSPHRASE);
  });

  it('analyses a binary-only secret as a value that is not JSON', async () => {
    env.mocks.secretsManager.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretBinary: Buffer.from(PASSPHRASE), $metadata: metadata() });
    const fact = await readSecretFormat(env.clients.secretsManager, 'BASIC_AUTH', SECRET_ARN);
    expect(fact).toMatchObject({ ok: true, value: { json: false, keys: [] } });
    expect(JSON.stringify(fact)).not.toContain(PASSPHRASE);
  });

  it('records a denied GetSecretValue as an error fact with its action', async () => {
    env.mocks.secretsManager.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue', 400));
    expect(await readSecretFormat(env.clients.secretsManager, 'BASIC_AUTH', SECRET_ARN)).toMatchObject({
      ok: false,
      error: { code: 'AccessDeniedException', action: 'secretsmanager:GetSecretValue' },
    });
  });
});
