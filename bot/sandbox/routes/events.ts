/**
 * The page's live view: a server-sent event stream per open page, fed by the channel's changes
 * (each message rendered to HTML here, so the page only places it).
 */
import type { ServerResponse } from 'node:http';
import type { Route } from '../http';
import { messageHtml, type ViewContext } from '../view';
import type { ChannelEvent, SandboxWorkspace } from '../workspace';

export interface LiveView {
  route: Route;
  /** Ends every open stream and stops listening to the channel. */
  close(): void;
}

export function liveView(workspace: SandboxWorkspace, options: { timeZone?: string }): LiveView {
  const view = (): ViewContext => ({
    people: workspace.people,
    channels: { [workspace.channel.id]: workspace.channel.name },
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const streams = new Set<ServerResponse>();
  const render = (ts: string) => {
    const m = workspace.find(ts);
    return m ? messageHtml(m, view(), workspace.replies(ts)) : undefined;
  };
  const push = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const onChange = (event: ChannelEvent) => {
    const html = event.type === 'upsert' ? render(event.ts) : undefined;
    for (const res of streams) {
      if (event.type === 'upsert' && html) push(res, 'upsert', { ts: event.ts, html });
      else push(res, 'delete', { ts: event.ts });
    }
  };
  workspace.on('change', onChange);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 20_000);
  heartbeat.unref();

  return {
    route: {
      path: '/sandbox/events',
      method: 'GET',
      handle: async (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
        res.write('retry: 1000\n\n');
        push(res, 'reset', {});
        for (const m of workspace.topLevel()) {
          const html = render(m.ts);
          if (html) push(res, 'upsert', { ts: m.ts, html });
        }
        streams.add(res);
        req.on('close', () => streams.delete(res));
      },
    },
    close() {
      clearInterval(heartbeat);
      workspace.off('change', onChange);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
