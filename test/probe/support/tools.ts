/**
 * What the probe tests need from the machine, and a printed reason when it is missing: the
 * suites skip (console.warn) rather than fail where a tool or root is not there.
 * scripts/ci-deps.sh installs the Debian packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** undefined when every tool is there, else why not. */
export function missing(tools: string[], files: string[] = []): string | undefined {
  const absent = [...tools.filter((t) => !hasCommand(t)), ...files.filter((f) => !existsSync(f))];
  return absent.length ? `missing ${absent.join(', ')} (run scripts/ci-deps.sh)` : undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** `describe` or `describe.skip` with the reason printed once. */
export function describeIf(reason: string | undefined): jest.Describe {
  if (reason) {
    console.warn(`[probe tests] skipped: ${reason}`);
    return describe.skip;
  }
  return describe;
}
