/**
 * Writes the configuration tables of docs/operations.md and helm/caravan/README.md from the
 * one definition of every variable (libs/config/src/lib/caravan-config.ts).
 *   npm run docs:config            rewrite the tables
 *   npm run docs:config -- --check exit 1, naming the files, when a table is not current
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOC_BLOCKS, replaceGeneratedBlock } from '../libs/config/src';

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const block of GENERATED_DOC_BLOCKS) {
  const path = join(root, block.file);
  const before = readFileSync(path, 'utf8');
  const after = replaceGeneratedBlock(before, block.marker, block.render());
  if (after === before) continue;
  stale.push(block.file);
  if (!check) writeFileSync(path, after);
}
if (check && stale.length > 0) {
  console.error(`not current (run npm run docs:config): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(stale.length === 0 ? 'configuration docs are current' : `rewrote ${stale.join(', ')}`);
