import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** Repository root, found from this compiled file (dist/test/helpers) or its source (test/helpers). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + dir);
    dir = parent;
  }
  return dir;
})();

/** `../shared` next to the repository (real deeds and emails; never committed into the project). */
export const sharedRoot = process.env.KEEL_SHARED_DIR ?? resolve(repoRoot, '..', 'shared');

/**
 * Returns the path of `relative` inside ../shared, or skips the test with a clear message when it is
 * missing. With KEEL_REQUIRE_SHARED=1 (set by .ci/run) a missing path fails the test instead.
 */
export function requireShared(t: TestContext, relative: string): string | undefined {
  const full = join(sharedRoot, relative);
  if (existsSync(full)) return full;
  const message = `needs ${full} (the shared data set), which is missing`;
  if (process.env.KEEL_REQUIRE_SHARED === '1') throw new Error(message + ' and KEEL_REQUIRE_SHARED=1');
  t.skip(message);
  return undefined;
}
