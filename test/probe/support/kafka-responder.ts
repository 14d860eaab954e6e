/**
 * A small Kafka-protocol broker for the probe tests, on loopback: ApiVersions, SaslHandshake and
 * SaslAuthenticate (PLAIN, SCRAM-SHA-256/512 server side per RFC 5802 / RFC 7677, OAUTHBEARER per
 * RFC 7628), and — once the client is authenticated — Metadata, FindCoordinator and
 * DescribeGroups (which librdkafka 2.0's mock cluster does not implement). Optionally over TLS.
 * Like a real broker, it closes the connection on any other request before authentication.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';

export type ScramHash = 'sha256' | 'sha512';

export interface GroupSpec {
  state: string;
  protocolType?: string;
  members?: Array<{ clientId: string; clientHost: string }>;
  errorCode?: number;
}

export interface ResponderOptions {
  /** Mechanisms offered in SaslHandshake; empty = no SASL (the listener is open). */
  mechanisms: string[];
  users?: Record<string, string>;
  /** OAUTHBEARER: accept this token? */
  acceptToken?: (token: string) => boolean;
  tls?: tls.TlsOptions;
  /** topic → partition count; a topic not listed answers UNKNOWN_TOPIC_OR_PARTITION. */
  topics?: Record<string, number>;
  /** topic → Kafka error code for its metadata (e.g. 29 TOPIC_AUTHORIZATION_FAILED). */
  topicErrors?: Record<string, number>;
  /** The host the broker advertises (default 127.0.0.1); its port is the listener's. */
  advertisedHost?: string;
  groups?: Record<string, GroupSpec>;
  /** Error code for FindCoordinator (e.g. 30 GROUP_AUTHORIZATION_FAILED, 15 COORDINATOR_NOT_AVAILABLE). */
  coordinatorError?: number;
}

export interface Responder {
  port: number;
  bootstrap: string;
  /** Every request key seen, in order (tests assert the flow). */
  seen: number[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

class Reader {
  constructor(private readonly buf: Buffer, public offset = 0) {}
  int8() { return this.buf.readInt8((this.offset += 1) - 1); }
  int16() { return this.buf.readInt16BE((this.offset += 2) - 2); }
  int32() { return this.buf.readInt32BE((this.offset += 4) - 4); }
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }
  bytes(): Buffer {
    const len = this.int32();
    const b = this.buf.subarray(this.offset, this.offset + Math.max(0, len));
    this.offset += Math.max(0, len);
    return b;
  }
  array<T>(item: () => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    return Array.from({ length: n }, item);
  }
  get remaining() { return this.buf.length - this.offset; }
}

class Writer {
  private parts: Buffer[] = [];
  int8(v: number) { const b = Buffer.alloc(1); b.writeInt8(v); this.parts.push(b); return this; }
  int16(v: number) { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  int32(v: number) { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  int64(v: bigint) { const b = Buffer.alloc(8); b.writeBigInt64BE(v); this.parts.push(b); return this; }
  bool(v: boolean) { return this.int8(v ? 1 : 0); }
  string(s: string | null) {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer) { this.int32(b.length); this.parts.push(b); return this; }
  array<T>(items: T[], write: (w: Writer, item: T) => void) { this.int32(items.length); for (const i of items) write(this, i); return this; }
  build() { return Buffer.concat(this.parts); }
}

const API = { Metadata: 3, FindCoordinator: 10, DescribeGroups: 15, SaslHandshake: 17, ApiVersions: 18, SaslAuthenticate: 36 } as const;
const SUPPORTED: Array<[number, number, number]> = [
  [API.Metadata, 0, 1],
  [API.FindCoordinator, 0, 1],
  [API.DescribeGroups, 0, 0],
  [API.SaslHandshake, 0, 1],
  [API.ApiVersions, 0, 2],
  [API.SaslAuthenticate, 0, 1],
];
const PRE_AUTH = new Set<number>([API.ApiVersions, API.SaslHandshake, API.SaslAuthenticate]);

const SASL_AUTHENTICATION_FAILED = 58;
const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;
const UNSUPPORTED_VERSION = 35;

// ---------------------------------------------------------------------------------------------
// SCRAM (RFC 5802), server side

const ITERATIONS = 4096;

function hashOf(mechanism: string): ScramHash {
  return mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
}

function parseAttributes(msg: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of msg.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function saslName(s: string): string {
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

interface ScramState {
  hash: ScramHash;
  user: string;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  salt: Buffer;
}

function scramFirst(mechanism: string, message: string): ScramState | undefined {
  if (!message.startsWith('n,') && !message.startsWith('y,')) return undefined;
  const bare = message.slice(message.indexOf(',', message.indexOf(',') + 1) + 1);
  const attrs = parseAttributes(bare);
  if (!attrs.n || !attrs.r) return undefined;
  const salt = randomBytes(16);
  const nonce = attrs.r + randomBytes(18).toString('base64');
  return { hash: hashOf(mechanism), user: saslName(attrs.n), clientFirstBare: bare, serverFirst: `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`, nonce, salt };
}

/** The server-final message ("v=..."), or undefined when the proof is wrong. */
function scramFinal(state: ScramState, message: string, users: Record<string, string>): string | undefined {
  const password = users[state.user];
  if (password === undefined) return undefined;
  const attrs = parseAttributes(message);
  if (attrs.r !== state.nonce || !attrs.p) return undefined;
  const withoutProof = message.slice(0, message.lastIndexOf(',p='));
  const size = state.hash === 'sha256' ? 32 : 64;
  const salted = pbkdf2Sync(password.normalize('NFKC'), state.salt, ITERATIONS, size, state.hash);
  const clientKey = createHmac(state.hash, salted).update('Client Key').digest();
  const storedKey = createHash(state.hash).update(clientKey).digest();
  const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
  const clientSignature = createHmac(state.hash, storedKey).update(authMessage).digest();
  const proof = Buffer.from(attrs.p, 'base64');
  if (proof.length !== clientSignature.length) return undefined;
  const recovered = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]!));
  if (!timingSafeEqual(createHash(state.hash).update(recovered).digest(), storedKey)) return undefined;
  const serverKey = createHmac(state.hash, salted).update('Server Key').digest();
  return `v=${createHmac(state.hash, serverKey).update(authMessage).digest('base64')}`;
}

// ---------------------------------------------------------------------------------------------

interface Conn {
  mechanism?: string;
  authenticated: boolean;
  scram?: ScramState;
}

export async function startResponder(options: ResponderOptions): Promise<Responder> {
  const seen: number[] = [];
  const sockets = new Set<net.Socket>();
  let port = 0;
  const advertised = () => options.advertisedHost ?? '127.0.0.1';

  const handle = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const conn: Conn = { authenticated: options.mechanisms.length === 0 };
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4) {
        const size = buffer.readInt32BE(0);
        if (size < 0 || size > 1_000_000) {
          socket.destroy();
          return;
        }
        if (buffer.length < 4 + size) break;
        const frame = buffer.subarray(4, 4 + size);
        buffer = buffer.subarray(4 + size);
        const reply = respond(frame, conn);
        if (reply === 'close') {
          socket.destroy();
          return;
        }
        const len = Buffer.alloc(4);
        len.writeInt32BE(reply.length);
        socket.write(Buffer.concat([len, reply]));
      }
    });
  };

  const respond = (frame: Buffer, conn: Conn): Buffer | 'close' => {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    r.string(); // client id
    seen.push(apiKey);
    const w = new Writer().int32(correlationId);
    if (!conn.authenticated && !PRE_AUTH.has(apiKey)) return 'close';

    switch (apiKey) {
      case API.ApiVersions: {
        const supported = version <= 2;
        w.int16(supported ? 0 : UNSUPPORTED_VERSION).array(SUPPORTED, (x, [k, min, max]) => x.int16(k).int16(min).int16(max));
        if (version >= 1) w.int32(0);
        return w.build();
      }
      case API.SaslHandshake: {
        const mechanism = r.string() ?? '';
        const ok = options.mechanisms.includes(mechanism);
        if (ok) conn.mechanism = mechanism;
        return w.int16(ok ? 0 : UNSUPPORTED_SASL_MECHANISM).array(options.mechanisms, (x, m) => x.string(m)).build();
      }
      case API.SaslAuthenticate: {
        const bytes = r.bytes();
        const result = authenticate(conn, bytes.toString('utf8'));
        w.int16(result.error ? (conn.mechanism ? SASL_AUTHENTICATION_FAILED : ILLEGAL_SASL_STATE) : 0).string(result.error ?? null).bytes(Buffer.from(result.reply ?? '', 'utf8'));
        if (version >= 1) w.int64(0n);
        return w.build();
      }
      case API.Metadata: {
        const requested = r.array(() => r.string() ?? '');
        const known = options.topics ?? {};
        const names = requested === null || (requested.length === 0 && version === 0) ? Object.keys(known) : requested;
        w.array([0], (x) => {
          x.int32(0).string(advertised()).int32(port);
          if (version >= 1) x.string(null);
        });
        if (version >= 1) w.int32(0);
        w.array(names, (x, name) => {
          const error = options.topicErrors?.[name] ?? (name in known ? 0 : 3);
          x.int16(error).string(name);
          if (version >= 1) x.bool(false);
          const count = error ? 0 : known[name]!;
          x.array(Array.from({ length: count }, (_, i) => i), (y, p) => {
            y.int16(0).int32(p).int32(0).array([0], (z, n) => z.int32(n)).array([0], (z, n) => z.int32(n));
          });
        });
        return w.build();
      }
      case API.FindCoordinator: {
        const error = options.coordinatorError ?? 0;
        if (version >= 1) w.int32(0);
        w.int16(error);
        if (version >= 1) w.string(error ? 'coordinator error' : null);
        return w.int32(error ? -1 : 0).string(error ? '' : advertised()).int32(error ? -1 : port).build();
      }
      case API.DescribeGroups: {
        const ids = r.array(() => r.string() ?? '') ?? [];
        return w
          .array(ids, (x, id) => {
            const g = options.groups?.[id] ?? { state: 'Dead' };
            x.int16(g.errorCode ?? 0).string(id).string(g.state).string(g.protocolType ?? (g.state === 'Dead' ? '' : 'consumer')).string(g.state === 'Stable' ? 'range' : '');
            x.array(g.members ?? [], (y, m) => {
              y.string(`${m.clientId}-${m.clientHost}`).string(m.clientId).string(m.clientHost).bytes(Buffer.alloc(0)).bytes(Buffer.alloc(0));
            });
          })
          .build();
      }
      default:
        return 'close';
    }
  };

  const authenticate = (conn: Conn, message: string): { reply?: string; error?: string } => {
    const mechanism = conn.mechanism;
    const failed = { error: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}` };
    if (!mechanism) return { error: 'SaslAuthenticate before SaslHandshake' };
    if (mechanism === 'PLAIN') {
      const [, user, password] = message.split('\u0000');
      if (user !== undefined && options.users?.[user] !== undefined && options.users[user] === password) {
        conn.authenticated = true;
        return { reply: '' };
      }
      return failed;
    }
    if (mechanism === 'OAUTHBEARER') {
      // RFC 7628: "n,,\x01auth=Bearer <token>\x01\x01"
      const token = message.split('\u0001').find((kv) => kv.startsWith('auth=Bearer '))?.slice('auth=Bearer '.length);
      const m = token ? [token, token] : null;
      if (m && options.acceptToken?.(m[1]!)) {
        conn.authenticated = true;
        return { reply: '' };
      }
      return { error: 'Authentication failed: the token is not valid' };
    }
    if (mechanism.startsWith('SCRAM-')) {
      if (!conn.scram) {
        const state = scramFirst(mechanism, message);
        if (!state) return failed;
        if (options.users?.[state.user] === undefined) return failed;
        conn.scram = state;
        return { reply: state.serverFirst };
      }
      const final = scramFinal(conn.scram, message, options.users ?? {});
      conn.scram = undefined;
      if (!final) return failed;
      conn.authenticated = true;
      return { reply: final };
    }
    return failed;
  };

  const server = options.tls ? tls.createServer(options.tls, handle) : net.createServer(handle);
  // A TLS client whose certificate is refused surfaces here; the test reads the client's side.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
