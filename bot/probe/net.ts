/**
 * The probe's network primitives, each bounded by a timeout and answering with facts rather than
 * throwing: resolve a name, open a TCP connection, complete a TLS handshake (and check that a Kafka
 * broker answers behind it). Node's own `dns`, `net` and `tls`, so the errors are the operating
 * system's and OpenSSL's (ECONNREFUSED, EHOSTUNREACH, CERT_HAS_EXPIRED, ...), as a Java client
 * such as the ESM's poller would meet them.
 */
import { promises as dns } from 'node:dns';
import { isIP, Socket } from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertificateSummary, TcpAttempt, TcpOutcome, TlsAttempt, TlsOutcome } from './schema';
import { elapsed } from './budget';

// ---------------------------------------------------------------------------------------------
// DNS

/** host → its addresses; rejects with an error whose `code` is ENOTFOUND, EAI_AGAIN, ... */
export type Resolver = (host: string) => Promise<string[]>;

/** getaddrinfo, as the ESM's poller resolves (the VPC resolver in Lambda, /etc/resolv.conf here). */
export const systemResolver: Resolver = async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address);

/**
 * Asks the given DNS servers directly ("127.0.0.1:5353"), A and AAAA: for a zone served by a
 * resolver this machine does not use (tests use dnsmasq on loopback).
 */
export function serversResolver(servers: string[], timeoutMs = 2_000): Resolver {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers(servers);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (addresses.length) return addresses;
    throw v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : Object.assign(new Error(`no address for ${host}`), { code: 'ENODATA' });
  };
}

export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  if (e && typeof e.code === 'string') return e.code;
  if (e && e.name === 'TimeoutError') return 'ETIMEOUT';
  return e && typeof e.name === 'string' ? e.name : 'Error';
}

// ---------------------------------------------------------------------------------------------
// TCP

function tcpOutcomeOf(code: string): TcpOutcome {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return 'timeout';
  return 'error';
}

/**
 * One TCP connect. Refused (RST: the host is there, nothing listens or a firewall rejects), timed
 * out (SYNs dropped: a security group, a NACL, a firewall DROP, a wrong address) and unreachable
 * (no route, ICMP unreachable) point at different fixes, so they are kept apart.
 */
export function tcpConnect(host: string, address: string, port: number, timeoutMs: number): Promise<TcpAttempt> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (outcome: TcpOutcome, code?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ host, port, address, outcome, ...(code ? { code } : {}), ms: elapsed(started) });
    };
    const timer = setTimeout(() => finish('timeout', 'ETIMEOUT'), Math.max(0, timeoutMs));
    socket.once('connect', () => finish('connected'));
    socket.once('error', (err) => {
      const code = errorCode(err);
      finish(tcpOutcomeOf(code), code);
    });
    socket.connect({ host: address, port });
  });
}

// ---------------------------------------------------------------------------------------------
// TLS

/** What the client brings to the handshake. Key material stays in memory, in this object only. */
export interface TlsMaterial {
  /** Extra trust roots (the ESM's SERVER_ROOT_CA_CERTIFICATE); the default roots are kept. */
  rootCa?: string;
  /** mTLS: the client chain (PEM), its PKCS#8 key and the key's password. */
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** Node TLS options for the material: default roots plus the ESM's root CA; the client certificate for mTLS. */
export function tlsOptions(material: TlsMaterial | undefined): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = {};
  if (material?.rootCa) options.ca = [...tls.rootCertificates, material.rootCa];
  if (material?.cert) options.cert = material.cert;
  if (material?.key) options.key = material.key;
  if (material?.passphrase !== undefined) options.passphrase = material.passphrase;
  return options;
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

export function summariseCertificate(cert: X509Certificate): CertificateSummary {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: (cert.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

function dnOf(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function chainOf(peer: tls.DetailedPeerCertificate): Array<{ subject: string; issuer: string }> {
  const chain: Array<{ subject: string; issuer: string }> = [];
  let cert: tls.DetailedPeerCertificate | undefined = peer;
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256) && chain.length < 10) {
    seen.add(cert.fingerprint256);
    chain.push({ subject: dnOf(cert.subject), issuer: dnOf(cert.issuer) });
    cert = cert.issuerCertificate;
  }
  return chain;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
]);

/** Alerts a broker sends when it does not accept the client's certificate (or got none). */
const CLIENT_CERT_ALERTS = [
  'CERTIFICATE_REQUIRED',
  'BAD_CERTIFICATE',
  'UNKNOWN_CA',
  'CERTIFICATE_UNKNOWN',
  'UNSUPPORTED_CERTIFICATE',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_REVOKED',
  'ACCESS_DENIED',
  'DECRYPT_ERROR',
];

function tlsErrorOutcome(code: string, message: string, clientCertPresented: boolean): TlsOutcome {
  if (/^ERR_SSL_.*ALERT_/.test(code)) {
    if (CLIENT_CERT_ALERTS.some((a) => code.endsWith(`ALERT_${a}`))) return 'client-certificate-rejected';
    if (code.endsWith('ALERT_HANDSHAKE_FAILURE') && !clientCertPresented) return 'client-certificate-rejected';
    return 'error';
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_RECORD_LAYER_FAILURE') return 'no-tls';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /disconnected before secure TLS connection/.test(message)) return 'no-tls';
  if (code === 'ETIMEOUT') return 'timeout';
  return 'error';
}

/** ApiVersions v0 (api key 18): the first request of every Kafka client, answered before any authentication. */
export function apiVersionsRequest(correlationId: number, clientId = 'esm-doctor-probe'): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(client.length, 8);
  client.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export interface TlsHandshakeInput {
  /** The name to verify (the bootstrap or advertised host). */
  host: string;
  /** The resolved address to connect to. */
  address: string;
  port: number;
  material?: TlsMaterial;
  timeoutMs: number;
  /** After a verified handshake, send ApiVersions and wait for the answer (proves the broker accepted the client). Default true. */
  askKafka?: boolean;
}

/**
 * A TLS handshake that always reports what the server presented: it completes the handshake
 * without Node's built-in rejection, then verifies the chain (OpenSSL's verdict) and the name
 * (tls.checkServerIdentity) itself, exactly as a rejecting client would. With TLS 1.3 a broker
 * rejects a client certificate only after the client's side of the handshake is done, so a
 * verified connection is confirmed with one Kafka ApiVersions round trip.
 */
export function tlsHandshake(input: TlsHandshakeInput): Promise<TlsAttempt> {
  const { host, address, port, material, timeoutMs } = input;
  const started = performance.now();
  const servername = isIP(host) ? undefined : host;
  const clientCertPresented = !!material?.cert;
  return new Promise((resolve) => {
    let done = false;
    let handshaken = false;
    const partial: Partial<TlsAttempt> = {};
    const finish = (outcome: TlsOutcome, extra: Partial<TlsAttempt> = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ host, port, address, ...(servername ? { servername } : {}), ...partial, outcome, ...extra, ms: elapsed(started) });
    };
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({ host: address, port, ...(servername ? { servername } : {}), ...tlsOptions(material), rejectUnauthorized: false });
    } catch (err) {
      // Bad key material (wrong passphrase, not a key) fails before any packet is sent.
      const code = errorCode(err);
      resolve({ host, port, address, outcome: 'error', code, message: `could not load the client certificate or key (${code})`, ms: elapsed(started) });
      return;
    }
    const timer = setTimeout(() => {
      if (handshaken) finish('ok', { kafkaAnswered: false, message: `the broker did not answer a Kafka ApiVersions request within ${timeoutMs} ms after the handshake` });
      else finish('timeout', { code: 'ETIMEOUT', message: `no TLS handshake within ${timeoutMs} ms (a plaintext listener waits silently for a Kafka request)` });
    }, Math.max(0, timeoutMs));

    socket.once('secureConnect', () => {
      handshaken = true;
      partial.protocol = socket.getProtocol() ?? undefined;
      const peer = socket.getPeerCertificate(true);
      const x509 = socket.getPeerX509Certificate();
      if (x509) partial.certificate = summariseCertificate(x509);
      if (peer && Object.keys(peer).length) partial.chain = chainOf(peer);
      if (!socket.authorized) {
        // OpenSSL's verdict on the chain (an Error with a code), or Node's on the name (a code string).
        const ae = socket.authorizationError as unknown as { code?: string; message?: string } | string | undefined;
        const code = typeof ae === 'string' ? ae : (ae?.code ?? 'UNKNOWN');
        const outcome: TlsOutcome =
          code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'hostname-mismatch'
          : code === 'CERT_HAS_EXPIRED' ? 'expired'
          : code === 'CERT_NOT_YET_VALID' ? 'not-yet-valid'
          : UNTRUSTED.has(code) ? 'untrusted'
          : 'untrusted';
        const message = outcome === 'hostname-mismatch' && peer ? tls.checkServerIdentity(host, peer)?.message ?? code : typeof ae === 'string' ? ae : (ae?.message ?? code);
        finish(outcome, { code, message });
        return;
      }
      const identity = peer ? tls.checkServerIdentity(host, peer) : new Error('no certificate');
      if (identity) {
        finish('hostname-mismatch', { code: (identity as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID', message: identity.message });
        return;
      }
      if (input.askKafka === false) {
        finish('ok');
        return;
      }
      const correlationId = 0x45534d44; // "ESMD"
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 8) finish('ok', { kafkaAnswered: received.readInt32BE(4) === correlationId });
      });
      socket.once('end', () => {
        // A TLS 1.3 broker that refuses the client certificate may simply close once it has read it.
        if (clientCertPresented) {
          finish('client-certificate-rejected', { code: 'ECLOSED', message: 'the broker closed the connection right after the handshake without answering: it did not accept the client certificate' });
        } else {
          finish('error', { code: 'ECLOSED', message: 'the broker closed the connection after the TLS handshake without answering a Kafka ApiVersions request (it may require a client certificate, or not speak Kafka on this port)' });
        }
      });
      socket.write(apiVersionsRequest(correlationId));
    });
    socket.once('error', (err) => {
      const code = errorCode(err);
      const message = (err as Error).message;
      finish(tlsErrorOutcome(code, message, clientCertPresented), { code, message });
    });
  });
}
