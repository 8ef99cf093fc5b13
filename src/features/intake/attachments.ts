import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tx } from '../../db/client.js';
import { attachments } from '../../db/schema.js';
import { sha256Hex } from '../../lib/crypto.js';
import { onFirstUse } from '../../lib/on-first-use.js';
import { controlCharProblem, findControlChars, forbiddenChar, controlCharMessage } from '../../lib/control-chars.js';
import { BadRequest, fieldError, type FieldError } from '../../lib/errors.js';

/**
 * Attachments of a new case: photos and PDFs, at most 5 files of at most 5 MB each. The type is
 * decided by the file's content (magic bytes), never by its name or the client's content type;
 * SVG, HTML, scripts and executables are refused. Files are stored in the database (bytea) with
 * their SHA-256, and served to staff only as downloads.
 */
export const ATTACHMENT_LIMITS = {
  maxFiles: 5,
  maxFileBytes: 5 * 1024 * 1024,
  /**
   * all files of one request together: files are held in memory until they are stored, so 50
   * concurrent uploads hold at most 50 × 8 MB = 400 MB of file data (docs/intake.md)
   */
  maxTotalBytes: 8 * 1024 * 1024,
  maxFields: 40,
  maxFieldBytes: 64 * 1024,
  maxFilenameChars: 120,
} as const;

export const ALLOWED_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

export interface IncomingFile {
  field: string;
  filename: string;
  /** what the client claimed; informative only */
  clientType: string;
  data: Buffer;
}

export interface CheckedFile {
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  data: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** files of a multipart request, read by readMultipartBody */
    intakeFiles?: IncomingFile[];
  }
}

/** Registers the multipart parser in the caller's (encapsulated) scope. */
export async function registerMultipart(scope: FastifyInstance): Promise<void> {
  await scope.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: ATTACHMENT_LIMITS.maxFileBytes,
      files: ATTACHMENT_LIMITS.maxFiles,
      fields: ATTACHMENT_LIMITS.maxFields,
      fieldSize: ATTACHMENT_LIMITS.maxFieldBytes,
      parts: ATTACHMENT_LIMITS.maxFiles + ATTACHMENT_LIMITS.maxFields,
      fieldNameSize: 100,
      headerPairs: 100,
    },
  });
}

const MB = 1024 * 1024;

function multipartProblem(err: unknown): BadRequest | null {
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_FILES_LIMIT':
      return fieldError('attachments', `Chỉ được đính kèm tối đa ${ATTACHMENT_LIMITS.maxFiles} tệp.`);
    case 'FST_REQ_FILE_TOO_LARGE':
      return fieldError('attachments', `Mỗi tệp đính kèm tối đa ${ATTACHMENT_LIMITS.maxFileBytes / MB} MB.`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return fieldError('(body)', 'Biểu mẫu có quá nhiều trường.');
    case 'FST_PROTO_VIOLATION':
      return fieldError('(body)', 'Tên trường không hợp lệ.');
    case 'FST_MP_PREMATURE_CLOSE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return fieldError('(body)', 'Dữ liệu multipart/form-data không đầy đủ hoặc không hợp lệ.');
    default:
      if (err instanceof Error && /multipart|boundary|Unexpected end of form|Malformed/i.test(err.message)) {
        return fieldError('(body)', 'Dữ liệu multipart/form-data không hợp lệ.');
      }
      return null;
  }
}

/** Files counted (and drained, not kept) beyond the limit, so that one file too many is reported, not fatal. */
const FILES_SEEN = ATTACHMENT_LIMITS.maxFiles * 4;

/**
 * Reads the whole multipart request before judging it: text fields (the last value of a
 * repeated field wins) and files, kept in memory (bounded by the limits above). Empty file
 * inputs (no file chosen) are skipped. A file too large or one file too many does not stop the
 * reading: every text field is still read, and the problems are either returned (`collect`, for
 * pages that show the form again with what was typed) or thrown once the body is read.
 */
export async function readMultipartBody(
  req: FastifyRequest,
  opts: { collect?: boolean } = {},
): Promise<{ fields: Record<string, string>; files: IncomingFile[]; problems: FieldError[] }> {
  const fields: Record<string, string> = Object.create(null);
  const files: IncomingFile[] = [];
  const problems: FieldError[] = [];
  let fileIndex = 0;
  let tooMany = false;
  let total = 0;
  let overTotal = false;
  try {
    const parts = req.parts({
      throwFileSizeLimit: false,
      limits: { files: FILES_SEEN, parts: FILES_SEEN + ATTACHMENT_LIMITS.maxFields },
    } as Parameters<FastifyRequest['parts']>[0]);
    for await (const part of parts) {
      // the same rule as every other field (lib/control-chars.ts): names, file names and values
      const nameBad = findControlChars({ [part.fieldname]: '' }, 'body', 'line');
      if (nameBad.length > 0) throw controlCharProblem(nameBad);
      if (part.type === 'file') {
        if (files.length >= ATTACHMENT_LIMITS.maxFiles || overTotal) {
          // read and forget: only the count matters (or the total is already over)
          for await (const _chunk of part.file);
          if (part.filename && files.length >= ATTACHMENT_LIMITS.maxFiles) tooMany = true;
          continue;
        }
        const c = forbiddenChar(part.filename ?? '', 'line');
        if (c) throw fieldError(`attachments.${files.length}`, `Tên tệp: ${controlCharMessage(c)}`);
        // read chunk by chunk, so that a request never holds more than the total allowed; past
        // it, the rest of the body is read and forgotten, so that every typed field still arrives
        const chunks: Buffer[] = [];
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          if (overTotal) continue;
          total += chunk.length;
          if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
            overTotal = true;
            chunks.length = 0;
            continue;
          }
          chunks.push(chunk);
        }
        if (overTotal) continue;
        const data = Buffer.concat(chunks);
        if (data.length === 0 && !part.filename) continue;
        const i = fileIndex++;
        if (part.file.truncated) {
          const shown = safeFilename(part.filename ?? '', 'x').slice(0, -2) || `tệp ${i + 1}`;
          problems.push({ path: `attachments.${i}`, message: `Tệp "${shown}" lớn hơn ${ATTACHMENT_LIMITS.maxFileBytes / MB} MB.` });
          continue;
        }
        files.push({ field: part.fieldname, filename: part.filename ?? '', clientType: part.mimetype, data });
      } else {
        if (part.valueTruncated) {
          problems.push({ path: part.fieldname, message: 'Nội dung quá dài.' });
          continue;
        }
        const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
        const bad = findControlChars({ [part.fieldname]: value }, 'body', 'text');
        if (bad.length > 0) throw controlCharProblem(bad);
        fields[part.fieldname] = value;
      }
    }
  } catch (err) {
    if (err instanceof BadRequest) throw err;
    const p = multipartProblem(err);
    if (p) throw p;
    throw err;
  }
  if (tooMany) problems.unshift({ path: 'attachments', message: `Chỉ được đính kèm tối đa ${ATTACHMENT_LIMITS.maxFiles} tệp.` });
  if (overTotal) problems.unshift({ path: 'attachments', message: `Tổng dung lượng các tệp đính kèm tối đa ${ATTACHMENT_LIMITS.maxTotalBytes / MB} MB.` });
  if (problems.length > 0 && !opts.collect) {
    throw new BadRequest(problems.map((e) => `${e.path}: ${e.message}`).join('; '), problems);
  }
  return { fields: { ...fields }, files, problems };
}

/** A file name safe to show and to send in Content-Disposition: no path, no control characters, bounded. */
export function safeFilename(name: string, ext: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f"<>:|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const stem = base.replace(/\.[^.]{0,10}$/, '').slice(0, ATTACHMENT_LIMITS.maxFilenameChars - ext.length - 1).trim();
  return `${stem || 'tep-dinh-kem'}.${ext}`;
}

/** file-type is loaded with the first attachment, not at start (most submissions carry none). */
const loadFileType = onFirstUse(() => import('file-type'));

/** Checks every file by its content; all problems are reported at once, each naming its file. */
export async function checkFiles(files: IncomingFile[]): Promise<CheckedFile[]> {
  if (files.length > ATTACHMENT_LIMITS.maxFiles) {
    throw fieldError('attachments', `Chỉ được đính kèm tối đa ${ATTACHMENT_LIMITS.maxFiles} tệp.`);
  }
  const errors: FieldError[] = [];
  const out: CheckedFile[] = [];
  for (const [i, f] of files.entries()) {
    const shown = safeFilename(f.filename, 'x').slice(0, -2) || `tệp ${i + 1}`;
    if (f.data.length === 0) {
      errors.push({ path: `attachments.${i}`, message: `Tệp "${shown}" rỗng.` });
      continue;
    }
    if (f.data.length > ATTACHMENT_LIMITS.maxFileBytes) {
      errors.push({ path: `attachments.${i}`, message: `Tệp "${shown}" lớn hơn ${ATTACHMENT_LIMITS.maxFileBytes / MB} MB.` });
      continue;
    }
    const { fileTypeFromBuffer } = await loadFileType();
    const type = await fileTypeFromBuffer(f.data).catch(() => undefined);
    const ext = type ? ALLOWED_TYPES[type.mime] : undefined;
    if (!type || !ext) {
      errors.push({ path: `attachments.${i}`, message: `Tệp "${shown}" không phải ảnh (JPEG, PNG, WebP) hoặc PDF.` });
      continue;
    }
    out.push({ filename: safeFilename(f.filename, ext), mime: type.mime, size: f.data.length, sha256: sha256Hex(f.data), data: f.data });
  }
  if (errors.length > 0) throw new BadRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  return out;
}

/** Stores checked files with a case; returns their ids in order. */
export async function storeAttachments(tx: Tx, caseId: number, files: CheckedFile[], now: Date): Promise<number[]> {
  if (files.length === 0) return [];
  const rows = await tx
    .insert(attachments)
    .values(files.map((f) => ({ caseId, filename: f.filename, mime: f.mime, size: f.size, sha256: f.sha256, data: f.data, createdAt: now })))
    .returning({ id: attachments.id });
  return rows.map((r) => r.id);
}

/** RFC 6266 Content-Disposition for a download, with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
