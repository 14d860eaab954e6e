'use strict';
// Stands in, inside the Lambda bundles, for the parts of Bolt that only a long-running server uses
// (Express, raw-body, Socket Mode, the OAuth installer): see infra/constructs/bundling.ts. Bolt's
// index requires them at load time but never calls them with AwsLambdaReceiver; if anything ever
// does, it fails loudly instead of half-working.
function notBundled() {
  throw new Error('this part of Bolt is not bundled into esm-doctor Lambda functions (infra/constructs/bundling.ts)');
}
module.exports = new Proxy(notBundled, {
  get: (_target, key) => (key === '__esModule' || typeof key === 'symbol' ? undefined : notBundled),
});
