#!/usr/bin/env node
'use strict';
/**
 * Builds the installed CLI: bot/cli.ts and everything it may load, bundled by esbuild into
 * dist/cli/ as plain JavaScript with no runtime dependencies (the AWS SDK, Bolt, zod, kafkajs are
 * inside), so that `npm install -g ./esm-doctor-*.tgz` needs no registry and start-up compiles no
 * TypeScript. ES modules with code splitting: each sub-command's `await import(...)` becomes a
 * chunk that is read only when that sub-command runs, which keeps --help and bad input at the cost
 * of parsing arguments. Run by `prepare` (so `npm ci` and `npm pack` build it) and by jest's
 * global setup (so the tests that spawn bin/esm-doctor.cjs run the sources as they are).
 */
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'cli');

async function build({ quiet = false } = {}) {
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { 'esm-doctor': 'bot/cli.ts' },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    target: 'node20',
    minify: true,
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    legalComments: 'linked',
    logLevel: quiet ? 'error' : 'warning',
    metafile: true,
  });
  // Beside the package, not in it: test/unit/cli-lazy.test.ts reads what each path loads.
  fs.writeFileSync(path.join(ROOT, 'dist', 'cli-meta.json'), JSON.stringify(result.metafile));
  return result;
}

module.exports = { build, OUT };

if (require.main === module) {
  build().catch((err) => {
    process.stderr.write(`build-cli: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
