/** `npm run docs`: regenerates docs/checks.md from the registry. */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogueMarkdown } from '../bot/checks/catalogue';
import { checks } from '../bot/checks/registry';

writeFileSync(path.join(__dirname, '..', 'docs', 'checks.md'), catalogueMarkdown(checks));
