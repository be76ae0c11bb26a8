/**
 * `isSpaceCode(c)`: whether UTF-16 code unit c is what the regex class \s matches, without building a
 * one-character string and running a regex for it. The table is built from /\s/ itself at load, so it
 * agrees with the engine by construction (64 KiB, once per process).
 */
const SPACE = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) if (/\s/.test(String.fromCharCode(c))) SPACE[c] = 1;

/** True for the code units /\s/ matches; false for NaN (past the end of a string). */
export function isSpaceCode(c: number): boolean {
  return SPACE[c] === 1;
}
