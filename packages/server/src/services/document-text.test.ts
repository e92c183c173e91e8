import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { splitDocument } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import { documentMediaType, extractDocumentText } from './document-text.ts';

/** A real PDF from pdfkit: one text block per page, with a Title in its info dictionary when given. */
function makePdf(pages: string[], title?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ autoFirstPage: false, info: title ? { Title: title } : {} });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const text of pages) {
      doc.addPage();
      if (text.length > 0) doc.fontSize(12).text(text);
    }
    doc.end();
  });
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    return { code: err.code, status: err.status, message: err.message };
  }
  throw new Error('expected a rejection');
}

describe('extractDocumentText', () => {
  it('reads Markdown and takes its first heading as the title', async () => {
    const md = '\uFEFFIntro\n\n# Porosity guide\n\nRound voids in the weld.\n';
    const out = await extractDocumentText(Buffer.from(md, 'utf8'), 'guide.md');
    expect(out).toEqual({ mediaType: 'text/markdown', title: 'Porosity guide', text: 'Intro\n\n# Porosity guide\n\nRound voids in the weld.\n' });
  });

  it('reads plain text, titled by its file name; the declared type decides without an extension', async () => {
    expect(await extractDocumentText(Buffer.from('Crack notes.\tDone.\r\n'), 'shift notes.txt')).toEqual({
      mediaType: 'text/plain',
      title: 'shift notes',
      text: 'Crack notes.\tDone.\r\n',
    });
    expect((await extractDocumentText(Buffer.from('# T\n\nx'), 'README', 'text/markdown; charset=utf-8')).mediaType).toBe('text/markdown');
    expect(documentMediaType('a.PDF')).toBe('application/pdf');
  });

  it('extracts the text of a real PDF page by page, with its title', async () => {
    const pdf = await makePdf(['Lack of fusion shows as a straight dark line.', 'Porosity shows as round dark spots.'], 'Weld notes');
    const out = await extractDocumentText(pdf, 'weld.pdf');
    expect(out.mediaType).toBe('application/pdf');
    expect(out.title).toBe('Weld notes');
    expect(out.pages).toEqual(['Lack of fusion shows as a straight dark line.', 'Porosity shows as round dark spots.']);
    expect(out.text).toBe('Lack of fusion shows as a straight dark line.\fPorosity shows as round dark spots.');
    // The caller's buffer is left intact (pdfjs detaches what it is given).
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('gives core splitDocument what it needs: PDF passages carry their page', async () => {
    const out = await extractDocumentText(await makePdf(['Cracks start at notches.', 'Holes go through the wall.']), 'm.pdf');
    expect(splitDocument(out).map((p) => [p.source, p.page, p.text])).toEqual([
      ['page 1', 1, 'Cracks start at notches.'],
      ['page 2', 2, 'Holes go through the wall.'],
    ]);
  });

  it('titles a PDF without a Title by its file name and keeps empty pages as empty strings', async () => {
    const out = await extractDocumentText(await makePdf(['', 'Only the second page has text.']), 'manual v2.pdf');
    expect(out.title).toBe('manual v2');
    expect(out.pages).toEqual(['', 'Only the second page has text.']);
  });

  it('refuses unsupported types, fake or broken PDFs, binary text and empty documents with stable codes', async () => {
    expect(await codeOf(extractDocumentText(Buffer.from('x'), 'photo.png', 'image/png'))).toMatchObject({ code: 'XQC_DOCUMENT_TYPE', status: 415 });
    expect(await codeOf(extractDocumentText(Buffer.from('hello, not a pdf'), 'fake.pdf'))).toMatchObject({ code: 'XQC_DOCUMENT_INVALID', status: 422, message: expect.stringMatching(/%PDF-/) });
    expect(await codeOf(extractDocumentText(Buffer.from('%PDF-1.7\n% garbage with no objects\n'), 'broken.pdf'))).toMatchObject({ code: 'XQC_DOCUMENT_INVALID', status: 422 });
    const real = await makePdf(['Truncated soon.']);
    expect(await codeOf(extractDocumentText(real.subarray(0, 40), 'cut.pdf'))).toMatchObject({ code: 'XQC_DOCUMENT_INVALID' });
    expect(await codeOf(extractDocumentText(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x00]), 'notes.txt'))).toMatchObject({ code: 'XQC_DOCUMENT_INVALID', message: expect.stringMatching(/UTF-8/) });
    expect(await codeOf(extractDocumentText(Buffer.from('ab\u0000cd', 'utf8'), 'notes.md'))).toMatchObject({ code: 'XQC_DOCUMENT_INVALID', message: expect.stringMatching(/binary/) });
    expect(await codeOf(extractDocumentText(Buffer.from(' \n\n\t'), 'empty.txt'))).toMatchObject({ code: 'XQC_DOCUMENT_EMPTY', status: 422 });
    expect(await codeOf(extractDocumentText(await makePdf(['', '']), 'blank.pdf'))).toMatchObject({ code: 'XQC_DOCUMENT_EMPTY' });
  });
});
