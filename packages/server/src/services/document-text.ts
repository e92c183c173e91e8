/**
 * The text of an uploaded knowledge-base document: Markdown and plain text as UTF-8, PDF
 * through pdfjs-dist page by page. Nothing runs that the document could steer: PDFs are
 * parsed in this thread (pdfjs's in-process "fake worker", no worker thread), from the
 * bytes given (no URL, no network), with font evaluation and font faces off; only the
 * standard font metrics bundled with pdfjs-dist are read from disk.
 *
 * Failures are {@link ApiError}s with stable codes: XQC_DOCUMENT_TYPE (415, not Markdown,
 * text or PDF), XQC_DOCUMENT_INVALID (422, a .pdf that is not a PDF, an unreadable or
 * encrypted PDF, text that is not UTF-8 or is binary), XQC_DOCUMENT_EMPTY (422, no text).
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { ApiError } from '../errors/api-error.ts';

/** Media types of knowledge-base documents (the same as core's `KbMediaType`). */
export type DocumentMediaType = 'text/markdown' | 'text/plain' | 'application/pdf';

/** The text of a document, ready for core's `splitDocument`. */
export interface DocumentText {
  mediaType: DocumentMediaType;
  /** the first Markdown heading, the PDF's Title, or the file name without its extension */
  title: string;
  /** the whole text; PDF pages separated by form feeds (`\f`) */
  text: string;
  /** PDF: the text of each page, in order */
  pages?: string[];
}

const BY_EXTENSION: Readonly<Record<string, DocumentMediaType>> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.pdf': 'application/pdf',
};

const BY_DECLARED: Readonly<Record<string, DocumentMediaType>> = {
  'text/markdown': 'text/markdown',
  'text/x-markdown': 'text/markdown',
  'text/plain': 'text/plain',
  'application/pdf': 'application/pdf',
};

const documentError = (code: 'XQC_DOCUMENT_TYPE' | 'XQC_DOCUMENT_INVALID' | 'XQC_DOCUMENT_EMPTY', message: string, cause?: unknown): ApiError =>
  new ApiError(code === 'XQC_DOCUMENT_TYPE' ? 415 : 422, code, message, cause === undefined ? {} : { cause });

/**
 * The media type of an upload: by the file's extension, else by the declared content type
 * (parameters such as `; charset=utf-8` ignored).
 * @throws ApiError XQC_DOCUMENT_TYPE when neither names a supported type
 */
export function documentMediaType(filename: string, declaredType?: string): DocumentMediaType {
  const byName = BY_EXTENSION[extname(filename).toLowerCase()];
  if (byName) return byName;
  const declared = declaredType?.split(';')[0].trim().toLowerCase();
  const byType = declared ? BY_DECLARED[declared] : undefined;
  if (byType) return byType;
  throw documentError('XQC_DOCUMENT_TYPE', `${filename || 'the document'} is not Markdown (.md), plain text (.txt) or PDF (.pdf)`);
}

/**
 * Extracts the text of an uploaded document.
 * @param buffer the file's bytes
 * @param filename the uploaded file name (its extension decides the type)
 * @param declaredType the declared content type, used when the name has no known extension
 * @throws ApiError XQC_DOCUMENT_TYPE, XQC_DOCUMENT_INVALID or XQC_DOCUMENT_EMPTY
 */
export async function extractDocumentText(buffer: Uint8Array, filename: string, declaredType?: string): Promise<DocumentText> {
  const mediaType = documentMediaType(filename, declaredType);
  const fallbackTitle = filename.replace(/\.[^.]*$/, '').trim() || 'Untitled document';
  if (mediaType === 'application/pdf') return pdfText(buffer, fallbackTitle, filename);
  const text = utf8Text(buffer, filename);
  if (text.trim().length === 0) throw documentError('XQC_DOCUMENT_EMPTY', `${filename} has no text`);
  const heading = mediaType === 'text/markdown' ? /^\s{0,3}#\s+(.+?)\s*#*\s*$/m.exec(text) : null;
  return { mediaType, title: heading ? heading[1].trim() : fallbackTitle, text };
}

/** Strict UTF-8 without NUL bytes or a noticeable share of control characters. */
function utf8Text(buffer: Uint8Array, filename: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
  } catch (e) {
    throw documentError('XQC_DOCUMENT_INVALID', `${filename} is not UTF-8 text`, e);
  }
  // Text files carry tabs, newlines and carriage returns; other C0 controls mean binary content.
  let controls = 0;
  let nul = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul = true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13) || c === 127) controls++;
  }
  if (nul || controls > Math.max(2, text.length / 1000)) {
    throw documentError('XQC_DOCUMENT_INVALID', `${filename} looks binary, not like text`);
  }
  return text;
}

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

/** Folder of the standard font metrics that ship with pdfjs-dist (read from disk, never fetched). */
function standardFontDataUrl(): string {
  return join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';
}

/** Text of each page of a PDF; the magic bytes must open the file. */
async function pdfText(buffer: Uint8Array, fallbackTitle: string, filename: string): Promise<DocumentText> {
  // PDF readers accept the header within the first 1024 bytes; uploads are held to the stricter rule that it comes first.
  if (buffer.length < PDF_MAGIC.length || PDF_MAGIC.some((b, i) => buffer[i] !== b)) {
    throw documentError('XQC_DOCUMENT_INVALID', `${filename} is not a PDF (it does not start with %PDF-)`);
  }
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({
    // pdfjs takes ownership of (detaches) the array it is given: hand it a copy.
    data: new Uint8Array(buffer),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    disableAutoFetch: true,
    disableStream: true,
    standardFontDataUrl: standardFontDataUrl(),
    verbosity: 0,
  });
  try {
    let pdf;
    try {
      pdf = await task.promise;
    } catch (e) {
      const reason = (e as { name?: string }).name === 'PasswordException' ? 'it is encrypted with a password' : 'it cannot be parsed';
      throw documentError('XQC_DOCUMENT_INVALID', `${filename} is not a readable PDF: ${reason}`, e);
    }
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        const content = await (await pdf.getPage(n)).getTextContent();
        const parts: string[] = [];
        for (const item of content.items) {
          if (!('str' in item)) continue;
          parts.push(item.str, item.hasEOL ? '\n' : '');
        }
        pages.push(
          parts
            .join('')
            .replace(/[ \t]+\n/g, '\n')
            .trim(),
        );
      } catch (e) {
        throw documentError('XQC_DOCUMENT_INVALID', `${filename}: page ${n} of the PDF cannot be read`, e);
      }
    }
    if (pages.every((p) => p.length === 0)) throw documentError('XQC_DOCUMENT_EMPTY', `${filename} has no extractable text (a scanned PDF needs OCR first)`);
    // The title is a nicety: a broken info dictionary must not refuse a PDF whose pages read, so the file name stands in.
    const info = (await pdf.getMetadata().catch(() => null))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim().length > 0 ? info.Title.trim() : fallbackTitle;
    return { mediaType: 'application/pdf', title, text: pages.join('\f'), pages };
  } finally {
    await task.destroy();
  }
}
