// Second build step (after tsc): the command line as a few bundled files in dist/lib/cli/.
// Node 20 loads ES modules one file at a time; the CLI's ~60 modules cost it some 60 ms at
// every start, which `logjail regex` on a small log and the match worker both pay. The bundle
// keeps the layout the code expects: dist/lib/cli/ sits as deep as dist/src/cli/ (the bundled
// configuration is found at ../../../config) and holds matchWorker.js next to the code that
// starts it. Type checking stays tsc's job; this only joins the JavaScript it wrote.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'lib', 'cli');
rmSync(join(root, 'dist', 'lib'), { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/src/cli/main.js'), join(root, 'dist/src/cli/matchWorker.js')],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // a native addon: loaded from node_modules as it is
  external: ['better-sqlite3'],
  logLevel: 'warning',
});
