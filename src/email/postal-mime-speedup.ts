/**
 * A faster end for postal-mime's content decoders, with byte-identical output.
 *
 * postal-mime (4.x) collects a part's decoded body as a list of chunks (one Uint8Array per line plus a
 * '\n' string per line for 7bit/8bit parts, 100 KB blocks for quoted-printable, one ArrayBuffer per
 * base64 unit) and joins them with `new Blob(chunks).arrayBuffer()`. On mail that join is the
 * biggest single cost of parsing: Blob copies every line into its own internal part, encodes each
 * '\n' through TextEncoder and hands the result back through a stream reader, ~0.2 ms of CPU per
 * message on the real corpus (about a quarter of parsing) plus the garbage it leaves.
 *
 * `installDecoderSpeedup` replaces `finalize` on the three decoder classes (reached through a probe
 * parser's MimeNode, as charset.ts does; the package does not export them) with a plain
 * concatenation into one ArrayBuffer. It is installed only when each original `finalize` is exactly
 * the known "flush, then Blob of this.chunks" shape, so a postal-mime that changes them keeps its own
 * behaviour. Strings in the chunk list are encoded as Blob encodes them (UTF-8, lone surrogates as
 * U+FFFD, which is what TextEncoder does).
 */
import PostalMime from 'postal-mime';

type Chunk = string | ArrayBuffer | ArrayBufferView;

interface DecoderLike {
  chunks: Chunk[];
  finalize(): Promise<ArrayBuffer>;
  flushRemainder?(): void;
  flushBuffer?(): void;
}

interface MimeNodeLike {
  contentDecoder: DecoderLike | null;
  setupContentDecoder(encoding: string): void;
}

const encoder = new TextEncoder();

/** The chunks joined into one new ArrayBuffer, as `new Blob(chunks).arrayBuffer()` would return them. */
export function concatChunks(chunks: readonly Chunk[]): ArrayBuffer {
  let total = 0;
  let encoded: (Uint8Array | null)[] | null = null;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (typeof chunk === 'string') {
      if (chunk === '\n') {
        total += 1;
        continue;
      }
      encoded ??= new Array<Uint8Array | null>(chunks.length).fill(null);
      const bytes = encoder.encode(chunk);
      encoded[i] = bytes;
      total += bytes.byteLength;
    } else {
      total += chunk.byteLength;
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (typeof chunk === 'string') {
      if (chunk === '\n') out[at++] = 0x0a;
      else {
        const bytes = encoded![i]!;
        out.set(bytes, at);
        at += bytes.byteLength;
      }
    } else if (chunk instanceof ArrayBuffer) {
      out.set(new Uint8Array(chunk), at);
      at += chunk.byteLength;
    } else {
      out.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
      at += chunk.byteLength;
    }
  }
  return out.buffer;
}

/** The original finalize bodies this replacement is known to match, whitespace removed. */
const KNOWN_FINALIZE: Record<string, string> = {
  passThrough: 'finalize(){returnblobToArrayBuffer(newBlob(this.chunks,{type:\'application/octet-stream\'}));}',
  base64: 'finalize(){this.flushRemainder();returnblobToArrayBuffer(newBlob(this.chunks,{type:\'application/octet-stream\'}));}',
  qp: 'finalize(){this.flushBuffer();returnblobToArrayBuffer(newBlob(this.chunks,{type:\'application/octet-stream\'}));}',
};

function shape(fn: unknown): string {
  return typeof fn === 'function'
    ? Function.prototype.toString
        .call(fn)
        .replace(/\/\/[^\n]*/g, '')
        .replace(/\s+/g, '')
        .replace(/"/g, "'")
    : '';
}

let installed: boolean | null = null;

export function installDecoderSpeedup(): boolean {
  if (installed !== null) return installed;
  installed = false;
  try {
    const probe = new PostalMime() as unknown as { root?: MimeNodeLike };
    const node = probe.root;
    if (!node || typeof node.setupContentDecoder !== 'function') return installed;
    const protos: [object, 'passThrough' | 'base64' | 'qp'][] = [];
    for (const [encoding, kind] of [['8bit', 'passThrough'], ['base64', 'base64'], ['quoted-printable', 'qp']] as const) {
      node.setupContentDecoder(encoding);
      const decoder = node.contentDecoder;
      if (!decoder || !Array.isArray(decoder.chunks)) return installed;
      const proto = Object.getPrototypeOf(decoder) as object;
      if (shape((proto as DecoderLike).finalize) !== KNOWN_FINALIZE[kind]) return installed;
      protos.push([proto, kind]);
    }
    node.contentDecoder = null;
    for (const [proto, kind] of protos) {
      const target = proto as DecoderLike;
      if (kind === 'base64') {
        target.finalize = function finalizeBase64(this: DecoderLike) {
          this.flushRemainder!();
          return Promise.resolve(concatChunks(this.chunks));
        };
      } else if (kind === 'qp') {
        target.finalize = function finalizeQp(this: DecoderLike) {
          this.flushBuffer!();
          return Promise.resolve(concatChunks(this.chunks));
        };
      } else {
        target.finalize = function finalizePassThrough(this: DecoderLike) {
          return Promise.resolve(concatChunks(this.chunks));
        };
      }
    }
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}

export function decoderSpeedupInstalled(): boolean {
  return installed === true;
}
