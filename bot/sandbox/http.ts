/**
 * The sandbox server's HTTP plumbing: bodies with a size limit, answers with the headers every
 * answer carries, and the route table the routes/ modules fill (turned into Bolt's custom routes,
 * each behind the same guard).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import { errorFields, type SlackLogger } from '../slack/log';

const BODY_LIMIT = 1024 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type RouteRequest = IncomingMessage & { params?: Record<string, string> };

/** One row of the route table. `fromPage`: a POST only the sandbox's own page may send. */
export interface Route {
  path: string;
  method: 'GET' | 'POST';
  fromPage?: boolean;
  handle(req: RouteRequest, res: ServerResponse): Promise<void>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as a JSON object; anything else is the client's mistake (400), never a 500. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse((await readBody(req)) || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'invalid JSON');
  }
}

/** A field of a JSON body as a string of at most `max` characters ('' when it is not a string). */
export const str = (v: unknown, max = 4000): string => (typeof v === 'string' ? v.slice(0, max) : '');

export function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * The route table as Bolt's custom routes. Each handler runs behind one guard: a page POST must be
 * JSON from this origin, an HttpError becomes its status, anything else a logged 500 without details.
 */
export function customRoutes(routes: Route[], guard: { allowedOrigins: ReadonlySet<string>; logger: SlackLogger }): CustomRoute[] {
  return routes.map((route) => ({
    path: route.path,
    method: route.method,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (route.fromPage && req.method === 'POST') {
          // Only this page may act: JSON only (a cross-site form cannot send it without a preflight
          // this server never grants) and, when the browser says where it comes from, from here.
          if (!req.headers['content-type']?.startsWith('application/json')) throw new HttpError(415, 'expected application/json');
          const origin = req.headers.origin;
          if (origin && !guard.allowedOrigins.has(origin)) throw new HttpError(403, 'cross-origin request refused');
        }
        await route.handle(req, res);
      })().catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (status === 500) guard.logger.event('error', 'sandbox.request-failed', { path: req.url?.split('?')[0], ...errorFields(err) });
        if (!res.headersSent) sendJson(res, status, { ok: false, error: err instanceof HttpError ? err.message : 'internal_error' });
        else res.end();
      });
    },
  }));
}
