'use strict';
// The tests that spawn bin/esm-doctor.cjs (CLI, sandbox, integration, the tarball) run the built
// CLI, which must be the sources as they are now, not what the last `npm ci` built.
module.exports = async () => {
  await require('../../scripts/build-cli.cjs').build({ quiet: true });
};
