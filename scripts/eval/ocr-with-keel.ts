/**
 * Reads every page of a folder of PDFs through Keel's own page pipeline (the deed worker pool: text
 * layer when trusted, else 300-DPI render + OCR, with the OCR cache) and writes the texts as
 * <out>/<pdf path>/page-NNN.txt, the layout eval-deeds.ts reads. With a warm cache this takes seconds.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hashFile } from '../../src/core/file-hash.js';
import { planPoolMemory, resolveMemoryBudget } from '../../src/core/memory/budget.js';
import { WorkerPool } from '../../src/core/pool/pool.js';
import { runUnits } from '../../src/core/unit-runner.js';
import type { DeedTask, InspectResult } from '../../src/deeds/handler.js';
import type { DeedPageResult } from '../../src/deeds/page-result.js';
import { DEED_WORKER_FOOTPRINT, deedPoolOptions } from '../../src/deeds/pipeline.js';
import type { OcrEngineName } from '../../src/ocr/engine.js';
import { defaultOcrCacheDir } from '../../src/ocr/ocr-cache.js';

function listPdfs(root: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) found.push(...listPdfs(path));
    else if (name.toLowerCase().endsWith('.pdf')) found.push(path);
  }
  return found;
}

export async function ocrFolderWithKeel(datasetDir: string, outDir: string, engine: OcrEngineName): Promise<{ pages: number; seconds: number }> {
  const plan = planPoolMemory(resolveMemoryBudget().bytes, DEED_WORKER_FOOTPRINT[engine], { parentReserveBytes: 80 * 1024 ** 2 });
  const pool = new WorkerPool<DeedTask, DeedPageResult | InspectResult>(deedPoolOptions(engine, plan, defaultOcrCacheDir()));
  await pool.start();
  const started = Date.now();
  let pages = 0;
  let cached = 0;
  try {
    const files = listPdfs(datasetDir);
    for (const [index, path] of files.entries()) {
      const { pageCount } = (await pool.run({ kind: 'inspect', path })) as InspectResult;
      const fileHash = await hashFile(path);
      const target = join(outDir, relative(datasetDir, path));
      // Page texts left from an earlier run of a file with more pages would be read as this file's.
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      await runUnits({
        units: Array.from({ length: pageCount }, (_, i) => i),
        chunkSize: pageCount,
        concurrency: plan.workers + 1,
        execute: (pageIndex) => pool.run({ kind: 'page', path, fileHash, pageIndex }) as Promise<DeedPageResult>,
        onResult(pageIndex, outcome) {
          const text = outcome.ok ? outcome.value.text : '';
          if (outcome.ok && outcome.value.cached) cached++;
          writeFileSync(join(target, `page-${String(pageIndex + 1).padStart(3, '0')}.txt`), text);
          pages++;
        },
      });
      process.stderr.write(`\rOCR with Keel (${engine}): ${index + 1}/${files.length} files, ${pages} pages (${cached} from cache)`);
    }
    process.stderr.write('\n');
  } finally {
    await pool.destroy();
  }
  return { pages, seconds: (Date.now() - started) / 1000 };
}
