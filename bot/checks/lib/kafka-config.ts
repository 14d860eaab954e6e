/**
 * Kafka topic configuration as MSK's DescribeTopic returns it: `Configs` is Base64 text. The text has
 * been seen both as a JSON object and as Java properties (`key=value` lines), so both are read.
 */

/** The Kafka payload limit of a synchronous Lambda invoke: 6 MB (6,291,456 bytes). */
export const INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

export function decodeTopicConfigs(base64: string | undefined): Record<string, string> | undefined {
  if (!base64) return undefined;
  const text = Buffer.from(base64, 'base64').toString('utf8').trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
      }
      return out;
    } catch {
      return undefined;
    }
  }
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return Object.keys(out).length ? out : undefined;
}

/** "6,291,456 bytes (6.0 MB)". */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes (${(bytes / (1024 * 1024)).toFixed(1)} MB)`;
}
