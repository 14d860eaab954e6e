/** `npm run docs`: regenerates docs/checks.md from the registry, and the README's IAM actions from the collectors' declaration. */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogueMarkdown } from '../bot/checks/catalogue';
import { checks } from '../bot/checks/registry';
import { permissionsMarkdown } from '../bot/collect/iam-actions';

writeFileSync(path.join(__dirname, '..', 'docs', 'checks.md'), catalogueMarkdown(checks));

const readme = path.join(__dirname, '..', 'README.md');
const block = /(<!-- iam-actions:start[^>]*-->\n)[\s\S]*?(\n<!-- iam-actions:end -->)/;
const text = readFileSync(readme, 'utf8');
if (!block.test(text)) throw new Error('README.md has no <!-- iam-actions:start --> … <!-- iam-actions:end --> block');
writeFileSync(readme, text.replace(block, (_all, start: string, end: string) => `${start}${permissionsMarkdown()}${end}`));
