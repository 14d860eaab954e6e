#!/usr/bin/env node
'use strict';
// The CLI runs the TypeScript sources directly through tsx (esbuild), so a fresh clone needs no
// build step and `npx esm-doctor` never runs stale output.
require('tsx/cjs/api').register();
require('../bot/cli.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
