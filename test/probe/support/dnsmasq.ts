/** dnsmasq (Debian dnsmasq-base) serving a test zone on a loopback port, nothing upstream. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';

export interface Dnsmasq {
  server: string;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** `--address=/zone/ip` answers every name under zone; `--address=/zone/` answers NXDOMAIN. */
export async function startDnsmasq(records: Record<string, string | null>): Promise<Dnsmasq> {
  const port = await freeUdpPort();
  const args = [
    '--keep-in-foreground', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--log-facility=-',
    ...Object.entries(records).map(([zone, ip]) => `--address=/${zone}/${ip ?? ''}`),
  ];
  const child: ChildProcess = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when it has logged that it started; gone (bad user, port taken) → throw with its words.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dnsmasq did not start: ${stderr}`)), 3_000);
    const check = () => {
      if (/started, version/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dnsmasq exited (${code}): ${stderr.trim()}`));
    });
  });
  return {
    server: `127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
