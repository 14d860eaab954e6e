/**
 * Certificates for the TLS tests, made by openssl in a temp directory: a trusted CA, a rogue CA,
 * server certificates (valid, wrong name, expired — `openssl ca` with explicit dates), and client
 * certificates for mTLS. EC P-256 keys: fast to make, PKCS#8 PEM as Lambda wants.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export interface Pki {
  dir: string;
  ca: Pem;
  rogueCa: Pem;
  /** A server certificate for `name` (DNS SAN) and 127.0.0.1, signed by the CA. */
  server(name: string, opts?: { signer?: 'ca' | 'rogue'; expired?: boolean }): Pem;
  client(name: string, opts?: { signer?: 'ca' | 'rogue' }): Pem;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'esmdp-pki-'));
  let n = 0;
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string, cn: string): Pem => {
    openssl(['req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '800', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
  };
  const ca = makeCa('ca', 'esm-doctor test CA');
  const rogueCa = makeCa('rogue', 'rogue test CA');
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  writeFileSync(
    path.join(dir, 'ca.cnf'),
    `[ ca ]\ndefault_ca = test\n[ test ]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = anything\nunique_subject = no\n[ anything ]\ncommonName = supplied\n`,
  );
  const issue = (cn: string, ext: string, signer: 'ca' | 'rogue', expired: boolean): Pem => {
    const id = `leaf${n++}`;
    openssl(['req', '-new', ...ecKey, '-keyout', `${id}.key`, '-out', `${id}.csr`, '-subj', `/CN=${cn}`], dir);
    writeFileSync(path.join(dir, `${id}.ext`), ext);
    if (expired) {
      openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', `${signer}.pem`, '-keyfile', `${signer}.key`, '-in', `${id}.csr`, '-out', `${id}.pem`,
        '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', `${id}.ext`, '-notext'], dir);
    } else {
      openssl(['x509', '-req', '-in', `${id}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-days', '400', '-extfile', `${id}.ext`, '-out', `${id}.pem`], dir);
    }
    return { cert: read(`${id}.pem`), key: read(`${id}.key`) };
  };
  return {
    dir,
    ca,
    rogueCa,
    server: (name, opts = {}) => issue(name, `subjectAltName=DNS:${name},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`, opts.signer ?? 'ca', !!opts.expired),
    client: (name, opts = {}) => issue(name, 'extendedKeyUsage=clientAuth\n', opts.signer ?? 'ca', false),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
