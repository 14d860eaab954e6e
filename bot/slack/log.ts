/**
 * One JSON line per event (CloudWatch and `jq` read them as they are), usable as Bolt's logger too,
 * so Bolt's own messages go through the same redaction. Tokens, response URLs (each one is a
 * capability to post as the app) and stack traces never reach a log line.
 */
import { LogLevel, type Logger } from '@slack/bolt';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Sink = (line: string, level: Level) => void;

export interface SlackLogger extends Logger {
  event(level: Level, name: string, fields?: Record<string, unknown>): void;
}

const SECRET_PATTERNS: [RegExp, string | ((...groups: string[]) => string)][] = [
  [/xox[abeoprs]-[\w-]+/g, 'xox?-[redacted]'],
  [/xapp-[\w-]+/g, 'xapp-[redacted]'],
  [/https:\/\/hooks\.slack\.com\/[^\s"'&]+/g, 'https://hooks.slack.com/[redacted]'],
  // The same inside a form-encoded body (Bolt logs the raw Lambda event at debug level).
  [/\b(response_url|token)=[^&\s"]*/g, '$1=[redacted]'],
  [/("?(?:token|secret|signature|password|response_url|sig)"?\s*[:=]\s*)"[^"]*"/gi, '$1"[redacted]"'],
  // A whole request body (Bolt logs each Lambda event at debug level): base64 on Function URLs, so
  // no pattern above could see the tokens and response URLs inside. Its length is kept.
  [/("(?:body|rawBody)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (_m: string, key: string, body: string) => `${key}"[redacted request body, ${body.length} chars]"`],
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((t, [re, by]) => t.replace(re, by as (substring: string, ...args: string[]) => string), text);
}

/** An error as a log field: its name, message and AWS / Slack code — never its stack. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: redact(String(err)) };
  const e = err as Error & { code?: unknown; data?: { error?: unknown }; $metadata?: { httpStatusCode?: number } };
  return {
    error: e.name,
    message: redact(e.message),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.data?.error === 'string' ? { slackError: e.data.error } : {}),
    ...(e.$metadata?.httpStatusCode ? { httpStatus: e.$metadata.httpStatusCode } : {}),
  };
}

function format(parts: unknown[]): string {
  return redact(
    parts
      .map((p) => {
        if (p instanceof Error) return `${p.name}: ${p.message}`;
        if (typeof p === 'string') return p;
        try {
          return JSON.stringify(p);
        } catch {
          return String(p);
        }
      })
      .join(' '),
  );
}

const defaultSink: Sink = (line, level) => {
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

export function createLogger(options: { level?: Level; sink?: Sink; name?: string } = {}): SlackLogger {
  let level: Level = options.level ?? 'info';
  let name = options.name ?? 'esm-doctor.slack';
  const sink = options.sink ?? defaultSink;
  const write = (at: Level, fields: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    sink(redact(JSON.stringify({ level: at, logger: name, time: new Date().toISOString(), ...fields })), at);
  };
  return {
    event: (at, event, fields = {}) => write(at, { event, ...fields }),
    debug: (...msg) => write('debug', { message: format(msg) }),
    info: (...msg) => write('info', { message: format(msg) }),
    warn: (...msg) => write('warn', { message: format(msg) }),
    error: (...msg) => write('error', { message: format(msg) }),
    setLevel: (l: LogLevel) => {
      level = l as Level;
    },
    getLevel: () => level as LogLevel,
    setName: (n: string) => {
      name = n;
    },
  };
}
