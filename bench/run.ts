/** `npm run bench`: speed and size targets, measured and printed (never asserted in tests). */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { run as diagnoseBench } from './diagnose';
import { run as slackAckBench } from './slack-ack';
import { run as probeBench } from './probe';
import { run as watcherBench } from './watcher';
import { run as cliStartBench } from './cli-start';
import { run as bundlesBench } from './bundles';
import { run as sweepBench } from './sweep';
import { run as impactBench } from './impact';
import { run as stormBench } from './storm';

async function main() {
  const benches: Array<[string, () => Promise<string[]>]> = [
    ['diagnose', diagnoseBench],
    ['slack ack', slackAckBench],
    ['probe steps on loopback', probeBench],
    ['watcher over 5,000 ESMs', watcherBench],
    ['CLI start-up', cliStartBench],
    ['Lambda bundles: size, top packages, init', bundlesBench],
    ['org-wide sweep: 60 scopes × 1,000 ESMs', sweepBench],
    ['impact on 100 dependent ESMs', impactBench],
    ['alert storm: 100 ESMs, 2 instances, one channel', stormBench],
  ];
  for (const [name, bench] of benches) {
    process.stdout.write(`# ${name}\n`);
    for (const line of await bench()) process.stdout.write(`${line}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
