/**
 * Runs inside a network namespace made by netns.test.ts (`ip netns exec <ns> tsx <this file>`),
 * where nftables drops or rejects given loopback ports. Listens on OPEN_PORT, runs the probe
 * against the four ports and prints the ProbeResult as JSON on stdout.
 */
import * as net from 'node:net';
import { runProbe } from '../../../bot/probe/run';
import { selfManaged } from './esm';

async function main() {
  const [open, refused, dropped, rejected] = (process.argv[2] ?? '').split(',').map(Number) as [number, number, number, number];
  const budgetMs = Number(process.argv[3] ?? 20_000);
  // A listener that accepts and closes: TCP succeeds; the Kafka steps after it are not the point here.
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(open, '127.0.0.1', resolve));
  const entries = process.argv[4] === 'drop-only' ? [`127.0.0.1:${dropped}`] : [open, refused, dropped, rejected].map((p) => `127.0.0.1:${p}`);
  const result = await runProbe(selfManaged(entries), { budgetMs, stepTimeouts: { tcp: 1_500, metadata: 1_000, group: 1_000 } });
  process.stdout.write(JSON.stringify(result));
  server.close();
}

main().catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exit(1);
});
