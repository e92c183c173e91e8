import { describe, expect, it } from 'vitest';
import { checkDocumentFile, kindName, markTerms, passageCount, titleFromFileName } from './knowledge.ts';

describe('checkDocumentFile', () => {
  it('takes Markdown, text and PDF by name', () => {
    expect(checkDocumentFile({ name: 'Welds.MD', size: 10 })).toEqual({ ok: true, kind: 'markdown' });
    expect(checkDocumentFile({ name: 'notes.txt', size: 10 })).toEqual({ ok: true, kind: 'text' });
    expect(checkDocumentFile({ name: 'book.pdf', size: 10 })).toEqual({ ok: true, kind: 'pdf' });
  });
  it('refuses other and empty files with a sentence', () => {
    expect(checkDocumentFile({ name: 'photo.png', size: 10 })).toEqual({ ok: false, reason: 'photo.png is not a Markdown (.md), plain text (.txt) or PDF (.pdf) file.' });
    expect(checkDocumentFile({ name: 'README', size: 10 }).ok).toBe(false);
    expect(checkDocumentFile({ name: 'a.md', size: 0 })).toEqual({ ok: false, reason: 'a.md is empty.' });
  });
});

describe('titleFromFileName', () => {
  it('drops the extension and separators', () => {
    expect(titleFromFileName('weld-porosity_causes.md')).toBe('Weld porosity causes');
    expect(titleFromFileName('dir/x.pdf')).toBe('X');
  });
});

describe('passageCount', () => {
  const doc = { id: 'a', title: 'A', builtIn: false, filename: 'a.md', mediaType: 'text/markdown', bytes: 10, createdAt: null, createdBy: null, passages: 4 };
  it("reads the list's count, or the passages a document's page lists", () => {
    expect(passageCount(doc)).toBe(4);
    expect(passageCount({ ...doc, passagesList: [{ id: 'p', source: 'A', text: 't' }] })).toBe(1);
  });
});

describe('markTerms', () => {
  it('marks the searched words in any case and keeps the rest', () => {
    expect(markTerms('Porosity comes from gas; check the gas flow.', 'GAS porosity')).toEqual([
      { text: 'Porosity', mark: true },
      { text: ' comes from ', mark: false },
      { text: 'gas', mark: true },
      { text: '; check the ', mark: false },
      { text: 'gas', mark: true },
      { text: ' flow.', mark: false },
    ]);
  });
  it('ignores short words and regex characters', () => {
    expect(markTerms('a (b) c', 'a (b)')).toEqual([{ text: 'a (b) c', mark: false }]);
    expect(markTerms('cost is $5.00', '$5.00 cost')).toEqual([
      { text: 'cost', mark: true },
      { text: ' is $5.00', mark: false },
    ]);
  });
});

describe('kindName', () => {
  it('names the media types the server takes', () => {
    expect(kindName('text/markdown')).toBe('Markdown');
    expect(kindName('text/plain; charset=utf-8')).toBe('Text');
    expect(kindName('application/pdf')).toBe('PDF');
    expect(kindName(undefined)).toBe('Document');
  });
});
