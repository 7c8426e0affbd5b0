/**
 * Small configuration trees written to a temporary folder for one test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Tree {
  readonly dir: string;
  path(rel: string): string;
  write(rel: string, text: string): void;
  remove(): void;
}

/** Create a tree from { "relative/path": "text" }. Remove it with `remove()` (use t.after). */
export function makeTree(files: Readonly<Record<string, string>>): Tree {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logjail-tree-'));
  const tree: Tree = {
    dir,
    path: (rel) => path.join(dir, rel),
    write: (rel, text) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  for (const [rel, text] of Object.entries(files)) tree.write(rel, text);
  return tree;
}

/** Join lines with "\n" (keeps INI fixtures readable). */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}
