import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib -> ../..), found from the compiled file or the source. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    // At the file system's root dirname() returns its argument: stop there rather than spin.
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}: run the benchmarks from the repository`);
    dir = dirname(dir);
  }
  return dir;
})();

export const benchOutDir = join(repoRoot, 'bench', 'out');

export function writeBenchFile(name: string, content: string | Buffer): string {
  mkdirSync(benchOutDir, { recursive: true });
  const path = join(benchOutDir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * Replaces one benchmark's section of BENCHMARKS.md (between its markers), or appends it. Each
 * benchmark owns its section, so running one benchmark alone refreshes only its own figures.
 */
export function updateBenchmarksMd(id: string, markdown: string): void {
  const file = join(repoRoot, 'BENCHMARKS.md');
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEvery figure below was written by the benchmark named with it; rerun that command to reproduce it.\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

export function markdownTable(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function argValue(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

/**
 * `--help` or `-h`: print the usage and exit before any work. Benchmarks run for minutes and rewrite
 * their BENCHMARKS.md section, so asking how to run one must not run it.
 */
export function exitOnHelp(usage: string): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
}
