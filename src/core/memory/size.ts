import { KeelError } from '../errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Parses "512MB", "1.5GiB", "300m" or a plain byte count. Binary units throughout (1 MB = 2^20 bytes). */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new KeelError('E_BAD_OPTION', `cannot read "${text}" as a size: use a number with an optional unit such as 512MB or 1GB`);
  }
  return Math.round(Number(match[1]) * unit);
}

export function toMiB(bytes: number): number {
  return Math.round((bytes / 1024 ** 2) * 10) / 10;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

export function formatSignedMiB(bytes: number): string {
  const mb = Math.round(bytes / 1024 ** 2);
  return `${mb >= 0 ? '+' : ''}${mb} MB`;
}
