import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './report.js';

/** The real dev deeds the deed benchmarks read (../shared/deeds/dev); never copied into the project. */
export const devDeedsDir = join(repoRoot, '..', 'shared', 'deeds', 'dev');

/** Every PDF under `dir`, in a stable order (sorted names, depth first). */
export function listPdfs(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listPdfs(path) : name.toLowerCase().endsWith('.pdf') ? [path] : [];
    });
}
