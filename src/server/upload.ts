import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { KeelError } from '../core/errors.js';

export interface ReceivedUpload {
  jobId: string;
  path: string;
  originalName: string;
  bytes: number;
  fields: Record<string, string>;
}

/** A file name safe to put on disk: no directories, no control characters, bounded length. */
function safeName(name: string): string {
  const cleaned = basename(name).replace(/[^\w.\- ]+/g, '_').slice(-120);
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'upload';
}

/**
 * Streams a multipart upload (`file` plus text fields, in any order) to `uploadsDir/<jobId>/`.
 * Memory stays flat whatever the size. Over the size limit the partial file is removed and
 * E_TOO_LARGE (413) is thrown, so nothing is left behind.
 */
export async function receiveUpload(request: FastifyRequest, uploadsDir: string, maxBytes: number): Promise<ReceivedUpload> {
  if (!request.isMultipart()) throw new KeelError('E_BAD_REQUEST', 'send the file as multipart/form-data in a field named "file"');
  const jobId = randomUUID();
  const directory = join(uploadsDir, jobId);
  const fields: Record<string, string> = {};
  let saved: { path: string; originalName: string; bytes: number } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || saved) {
        part.file.resume();
        throw new KeelError('E_BAD_REQUEST', 'send exactly one file, in a field named "file"');
      }
      mkdirSync(directory, { recursive: true });
      const path = join(directory, safeName(part.filename || 'upload'));
      let bytes = 0;
      part.file.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(part.file, createWriteStream(path));
      if (part.file.truncated) {
        throw new KeelError('E_TOO_LARGE', `the file is larger than the upload limit of ${Math.round(maxBytes / 1024 ** 2)} MB`);
      }
      saved = { path, originalName: part.filename || 'upload', bytes };
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new KeelError('E_TOO_LARGE', `the file is larger than the upload limit of ${Math.round(maxBytes / 1024 ** 2)} MB`);
    }
    throw error;
  }
  if (!saved) {
    rmSync(directory, { recursive: true, force: true });
    throw new KeelError('E_BAD_REQUEST', 'no file in the upload: send it in a field named "file"');
  }
  if (saved.bytes === 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new KeelError('E_EMPTY_INPUT', 'the uploaded file is empty');
  }
  return { jobId, ...saved, fields };
}

export function discardUpload(upload: ReceivedUpload): void {
  rmSync(join(upload.path, '..'), { recursive: true, force: true });
}
