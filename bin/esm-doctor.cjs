#!/usr/bin/env node
'use strict';
// The installed command runs plain JavaScript: dist/cli/, bundled from bot/cli.ts by
// scripts/build-cli.cjs (the `prepare` step, so `npm ci` and `npm pack` build it). Nothing is
// compiled at start-up; the sub-commands load their modules lazily (see bot/cli.ts).
// Node 20 is this project's local runtime (Lambda runs nodejs22.x); the SDK's notice that releases
// from 2027 will need Node 22 is not something an on-call user can act on mid-incident.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import('../dist/cli/esm-doctor.mjs').then(
  ({ main }) =>
    main(process.argv.slice(2)).then((code) => {
      process.exitCode = code;
    }),
  (err) => {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli');
    process.stderr.write(
      missing
        ? 'esm-doctor: the CLI is not built (dist/cli is missing): run `npm ci` or `npm run build:cli` in the clone\n'
        : `esm-doctor: cannot start: ${err && err.message ? err.message : String(err)}\n`,
    );
    process.exitCode = 3;
  },
);
