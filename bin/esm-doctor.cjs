#!/usr/bin/env node
'use strict';
// The CLI runs the TypeScript sources directly through tsx (esbuild), so a fresh clone needs no
// build step and `npx esm-doctor` never runs stale output.
// Node 20 is this project's local runtime (Lambda runs nodejs22.x); the SDK's notice that releases
// from 2027 will need Node 22 is not something an on-call user can act on mid-incident.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
require('../bot/cli.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
