/**
 * `esm-doctor sandbox`: starts the sandbox (server.ts), says where it is, runs until asked to stop,
 * then shuts down cleanly (the diagnosis under way finishes, the page's streams close, the port is
 * released).
 */
import { EsmDoctorError } from '../model/errors';
import { DEFAULT_PORT, SANDBOX_REGION, startSandbox, type Sandbox, type SandboxOptions } from './server';

export { startSandbox, DEFAULT_PORT, type Sandbox, type SandboxOptions };

export class SandboxError extends EsmDoctorError {}

export interface SandboxIo {
  stdout: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

/** --port, else PORT, else 3000. */
export function sandboxPort(flag: string | undefined, env: Record<string, string | undefined>): number {
  const [text, from] = flag !== undefined ? [flag, '--port'] : env.PORT !== undefined && env.PORT !== '' ? [env.PORT, 'PORT'] : [undefined, ''];
  if (text === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new SandboxError(`${from} must be a port number (0-65535; 0 picks a free one), not "${text.slice(0, 20)}"`);
  return Number(text);
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export async function runSandbox(io: SandboxIo, options: { port: number; until: Promise<unknown> } & Pick<SandboxOptions, 'watcher' | 'diagnoseDelayMs'>): Promise<number> {
  const level = LEVELS.find((l) => l === io.env.LOG_LEVEL);
  const time = () => new Date().toTimeString().slice(0, 8);
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port: options.port,
      ...(level ? { logLevel: level } : {}),
      ...(options.watcher !== undefined ? { watcher: options.watcher } : {}),
      ...(options.diagnoseDelayMs !== undefined ? { diagnoseDelayMs: options.diagnoseDelayMs } : {}),
      onActivity: (line) => io.stdout.write(`[${time()}] ${line}\n`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new SandboxError(`port ${options.port} is already in use on 127.0.0.1; choose another with --port N (or PORT=N)`);
    if (code === 'EACCES') throw new SandboxError(`not allowed to listen on port ${options.port}; choose one above 1023 with --port N`);
    throw err;
  }
  const esms = sandbox.accounts.list();
  const watched = esms.find((e) => e.watched);
  io.stdout.write(
    [
      `esm-doctor sandbox: ${sandbox.url}`,
      '',
      `  A local stand-in for a Slack channel (#${sandbox.workspace.channel.name}), answered by the real esm-doctor Slack app,`,
      `  with ${esms.length} bundled ESMs in a pretend account (${SANDBOX_REGION}) diagnosed by the real checks.`,
      '  No Slack workspace, no AWS account; listening on 127.0.0.1 only.',
      '',
      `  Try:  /esm diagnose ${esms.find((e) => !e.watched && e.scenario.expect.verdict === 'failing')?.uuid ?? esms[0]!.uuid}   (Tab completes the ESM ids)`,
      ...(watched && options.watcher !== false
        ? [`  Soon: the watcher makes ${watched.functionName} (ESM ${watched.uuid}) fail, so an alert arrives; later it recovers.`]
        : []),
      '',
      '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await options.until;
  io.stdout.write('\nesm-doctor sandbox: stopping…\n');
  await sandbox.stop();
  io.stdout.write('esm-doctor sandbox: stopped.\n');
  return 0;
}
