/**
 * The package as a user gets it: `npm pack`, then `npm install -g ./esm-doctor-*.tgz` into a
 * temporary prefix with no registry (--offline: the tarball carries the bundled CLI and declares no
 * dependencies, so there is nothing to fetch), then the installed command run from outside the
 * clone with only Node on the PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const NPM_CLI = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const npmMissing = !fs.existsSync(NPM_CLI);
if (npmMissing) process.stderr.write(`tarball.test: SKIPPED — npm not found next to node at ${NPM_CLI}\n`);
const maybe = npmMissing ? describe.skip : describe;

maybe('npm pack → npm install -g ./esm-doctor-*.tgz → esm-doctor outside the clone', () => {
  let dir: string;
  let bin: string;
  let files: string[];
  // Only Node on the PATH: no tsx, no node_modules/.bin, nothing of the clone.
  const env = { PATH: path.dirname(process.execPath), HOME: os.tmpdir() };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-doctor-pack-'));
    const npm = (args: string[], cwd: string) =>
      execFileSync(process.execPath, [NPM_CLI, ...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    // --ignore-scripts: jest's global setup has just built dist/cli from these sources (prepare would rebuild the same).
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as { filename: string; files: { path: string }[] }[];
    files = packed[0]!.files.map((f) => f.path);
    npm(['install', '-g', path.join(dir, packed[0]!.filename), '--prefix', path.join(dir, 'prefix'), '--offline', '--ignore-scripts'], dir);
    bin = path.join(dir, 'prefix', 'bin', 'esm-doctor');
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => spawnSync(bin, args, { cwd: dir, encoding: 'utf8', env });

  it('ships the built CLI and nothing of the sources, tests or infra', () => {
    expect(files).toContain('bin/esm-doctor.cjs');
    expect(files).toContain('dist/cli/esm-doctor.mjs');
    expect(files.filter((f) => /\.ts$|^test\/|^infra\/|^bot\/|^node_modules\//.test(f))).toEqual([]);
    const installed = path.join(dir, 'prefix', 'lib', 'node_modules', 'esm-doctor');
    expect(fs.existsSync(path.join(installed, 'node_modules'))).toBe(false);
  });

  it('diagnoses a bundled scenario', () => {
    const res = run('diagnose', '--scenario', 'msk-on-demand-no-nat');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/^FAILING {2}Failing at step 1 of 9/);
  });

  it('answers bad input with one line and exit 2', () => {
    const res = run('diagnose', 'not-a-uuid');
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^esm-doctor: "not-a-uuid" is not an event source mapping UUID[^\n]*\n$/);
  });

  it('prints its help and version', () => {
    expect(run('--help').stdout).toContain('esm-doctor diagnose <uuid|arn>');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run('--version').stdout.trim()).toBe(pkg.version);
  });
});
