import { cpus, totalmem, availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';

/** One line describing where a figure was measured: figures without a machine mean little. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  let os: string = process.platform;
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // Not Linux: keep the platform name.
  }
  return `${availableParallelism()} vCPU (${cpu}), ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, ${os}, Node ${process.version}`;
}
