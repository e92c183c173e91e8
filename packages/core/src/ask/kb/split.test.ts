import { describe, expect, it } from 'vitest';
import { splitDocument } from './split.ts';

describe('splitDocument', () => {
  it('splits Markdown by headings and keeps the heading path as the source', () => {
    const text = [
      'Intro line before any heading.',
      '',
      '# Weld defects',
      '',
      '## Porosity',
      '',
      'Round voids.',
      '',
      '### Causes',
      '',
      'Damp flux.',
      '',
      '```',
      '# not a heading inside code',
      '```',
      '',
      '## Cracks',
      '',
      'Sharp lines.',
    ].join('\n');
    const parts = splitDocument({ title: 'Book', mediaType: 'text/markdown', text });
    expect(parts.map((p) => [p.ordinal, p.source, p.text])).toEqual([
      [0, 'Book', 'Intro line before any heading.'],
      [1, 'Weld defects > Porosity', 'Round voids.'],
      [2, 'Weld defects > Porosity > Causes', 'Damp flux.\n\n``` # not a heading inside code ```'],
      [3, 'Weld defects > Cracks', 'Sharp lines.'],
    ]);
  });

  it('keeps list items on their own lines', () => {
    const parts = splitDocument({ title: 'T', mediaType: 'text/markdown', text: '## Causes\n\nCommon causes:\n- damp flux,\n  still wet\n- draughts\n1. first\n' });
    expect(parts[0].text).toBe('Common causes:\n- damp flux, still wet\n- draughts\n1. first');
  });

  it('caps passages at maxChars with a small overlap from the previous passage of the section', () => {
    const sentences = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} says something about cracks.`);
    const text = `# Long\n\n${sentences.slice(0, 10).join(' ')}\n\n${sentences.slice(10).join(' ')}`;
    const parts = splitDocument({ title: 'T', mediaType: 'text/markdown', text }, { maxChars: 300, overlapChars: 60 });
    expect(parts.length).toBeGreaterThan(4);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(300 + 60 + 1);
    for (let i = 1; i < parts.length; i++) {
      // The start of each later passage repeats the end of the one before it.
      const head = parts[i].text.split(' ').slice(0, 3).join(' ');
      expect(parts[i - 1].text).toContain(head);
    }
    const all = parts.map((p) => p.text).join(' ');
    for (const s of sentences) expect(all).toContain(s);
  });

  it('splits plain text by paragraphs and PDF text per page', () => {
    const plain = splitDocument({ title: 'notes.txt', mediaType: 'text/plain', text: 'One.\r\n\r\nTwo.' });
    expect(plain).toEqual([{ ordinal: 0, source: 'notes.txt', text: 'One.\n\nTwo.' }]);
    const pdf = splitDocument({ title: 'Manual', mediaType: 'application/pdf', text: 'First page.\fSecond\npage.\f  ' });
    expect(pdf).toEqual([
      { ordinal: 0, source: 'page 1', text: 'First page.', page: 1 },
      { ordinal: 1, source: 'page 2', text: 'Second page.', page: 2 },
    ]);
    const given = splitDocument({ title: 'M', mediaType: 'application/pdf', text: 'ignored', pages: ['', 'Only page two.'] });
    expect(given).toEqual([{ ordinal: 0, source: 'page 2', text: 'Only page two.', page: 2 }]);
  });

  it('cuts a paragraph without sentence ends at word boundaries', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const parts = splitDocument({ title: 'T', mediaType: 'text/plain', text: words }, { maxChars: 100, overlapChars: 0 });
    expect(parts.every((p) => p.text.length <= 100)).toBe(true);
    expect(parts.map((p) => p.text).join(' ')).toBe(words);
  });

  it('rejects an unknown media type and bad sizes', () => {
    expect(() => splitDocument({ title: 'T', mediaType: 'image/png' as never, text: 'x' })).toThrow(/cannot split/);
    expect(() => splitDocument({ title: 'T', mediaType: 'text/plain', text: 'x' }, { maxChars: 100, overlapChars: 60 })).toThrow(/overlapChars/);
  });
});
