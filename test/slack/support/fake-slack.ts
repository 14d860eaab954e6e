/**
 * A local stand-in for the Slack Web API and for response_url, on a loopback port. Records every
 * call so tests can assert what the app asked Slack to do; answers like Slack does (`ok`, `ts`,
 * `error`). The app reaches it through `clientOptions.slackApiUrl` / SLACK_API_URL.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { parseApiArgs } from '../../../bot/sandbox/workspace';

export interface ApiCall {
  method: string;
  args: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  token?: string;
  /** Date.now() when the call arrived. */
  at: number;
  /** The HTTP status it was answered with (429 while rate-limited). */
  status: number;
  /** Slack's `error`, when the answer was not ok. */
  error?: string;
}

export interface ResponseUrlPost {
  path: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  responseUrl(id: string): string;
  calls: ApiCall[];
  responses: ResponseUrlPost[];
  usergroups: Record<string, string[]>;
  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /**
   * Every call of `method` answers HTTP 429 with Retry-After: `retryAfterSeconds` for `forMs`,
   * starting once `afterOk` calls of it were answered ok (0: now).
   */
  rateLimit(method: string, o: { afterOk?: number; forMs: number; retryAfterSeconds: number }): void;
  /** The next call of `method` answers HTTP 500. */
  serverErrorNext(method: string): void;
  /** Accepted chat.postMessage calls (ok answers), in arrival order. */
  posts(): ApiCall[];
  callsOf(method: string): ApiCall[];
  waitFor<T>(find: () => T | undefined, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}


export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const failures = new Map<string, string[]>();
  const usergroups: Record<string, string[]> = {};
  const limits = new Map<string, { afterOk: number; forMs: number; retryAfter: number; from?: number }>();
  const serverErrors = new Map<string, number>();
  let seq = 100;

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/response/')) {
      responses.push({ path, body: raw ? JSON.parse(raw) : {} });
      return send(200, { ok: true });
    }
    if (!path.startsWith('/api/')) return send(404, { ok: false, error: 'unknown_path' });
    const method = path.slice('/api/'.length);
    const args = parseApiArgs(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const call: ApiCall = { method, args, ...(auth ? { token: auth.replace(/^Bearer /, '') } : {}), at: Date.now(), status: 200 };
    calls.push(call);
    const limit = limits.get(method);
    if (limit && limit.from === undefined && calls.filter((c) => c.method === method && c.status === 200 && !c.error).length >= limit.afterOk) limit.from = Date.now();
    if (limit?.from !== undefined && Date.now() < limit.from + limit.forMs) {
      call.status = 429;
      call.error = 'ratelimited';
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfter) });
      return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    if (serverErrors.get(method)) {
      serverErrors.set(method, serverErrors.get(method)! - 1);
      call.status = 500;
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('internal error');
    }
    const failure = failures.get(method)?.shift();
    if (failure) {
      call.error = failure;
      return send(200, { ok: false, error: failure });
    }
    switch (method) {
      case 'chat.postMessage': {
        seq += 1;
        const ts = `1763630000.${String(seq).padStart(6, '0')}`;
        return send(200, { ok: true, channel: args.channel, ts, message: { ts, text: args.text, blocks: args.blocks } });
      }
      case 'chat.update':
        return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
      case 'usergroups.users.list':
        return send(200, { ok: true, users: usergroups[String(args.usergroup)] ?? [] });
      case 'auth.test':
        return send(200, { ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0ACME' });
      default:
        return send(200, { ok: true });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    apiUrl: `${url}/api/`,
    responseUrl: (id) => `${url}/response/${id}`,
    calls,
    responses,
    usergroups,
    failNext(method, error) {
      failures.set(method, [...(failures.get(method) ?? []), error]);
    },
    rateLimit(method, o) {
      limits.set(method, { afterOk: o.afterOk ?? 0, forMs: o.forMs, retryAfter: o.retryAfterSeconds });
    },
    serverErrorNext(method) {
      serverErrors.set(method, (serverErrors.get(method) ?? 0) + 1);
    },
    posts: () => calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200 && !c.error),
    callsOf: (method) => calls.filter((c) => c.method === method),
    async waitFor(find, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error('timed out waiting for the fake Slack API');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      failures.clear();
      limits.clear();
      serverErrors.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
