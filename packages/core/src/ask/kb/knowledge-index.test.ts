import { describe, expect, it } from 'vitest';
import { KnowledgeIndex, cosineSimilarity, documentPassages } from './knowledge-index.ts';
import type { KnowledgePassage } from './knowledge-index.ts';
import { kbTerms, lightStem } from './tokenize.ts';

const passage = (id: string, text: string, source = 'notes'): KnowledgePassage => ({
  id,
  documentId: id.split('#')[0],
  documentTitle: 'Test',
  source,
  text,
  ordinal: Number(id.split('#')[1] ?? 0),
});

const corpus = [
  passage('a#0', 'Porosity: gas pores trapped in the weld metal. Porosity shows as round dark spots.'),
  passage('b#0', 'Lack of fusion leaves a thin dark line along the sidewall of the weld.'),
  passage('c#0', 'A scratch is a long thin groove on the surface, usually from handling.'),
  passage('d#0', 'Weld porosity can be scattered or clustered; clustered porosity is worse than scattered pores in most codes and standards for pressure vessels.'),
];

describe('tokenisation', () => {
  it('folds case and diacritics, splits snake_case, drops stop words, stems lightly', () => {
    expect(kbTerms('Lack_of_Fusion in the Porosité')).toEqual(['lack', 'fusion', 'porosit']);
    const stems = ['scratches', 'porosities', 'porosity', 'cracked', 'spotting', 'holes', 'causes', 'causing', 'severe', 'severity', 'analysis', 'process'];
    expect(stems.map(lightStem)).toEqual(['scratch', 'poros', 'poros', 'crack', 'spot', 'hole', 'caus', 'caus', 'sever', 'sever', 'analysis', 'process']);
  });
});

describe('KnowledgeIndex, BM25', () => {
  it('ranks by term frequency and length: the short passage saying porosity twice first, the long one second, none without it', () => {
    const index = KnowledgeIndex.fromPassages(corpus);
    const hits = index.searchText('porosity', 10);
    expect(hits.map((h) => h.id)).toEqual(['a#0', 'd#0']);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(hits[0]).toMatchObject({ documentId: 'a', documentTitle: 'Test', source: 'notes' });
  });

  it('finds a snake_case class name written out in prose, and plural or inflected forms', () => {
    const index = KnowledgeIndex.fromPassages(corpus);
    expect(index.searchText('lack_of_fusion', 1)[0].id).toBe('b#0');
    expect(index.searchText('scratches on the surfaces', 1)[0].id).toBe('c#0');
    expect(index.searchText('poros', 5).map((h) => h.id)).toEqual(['a#0', 'd#0']);
    expect(index.searchText('porossity', 5)[0].id).toBe('a#0');
    expect(index.searchText('the of and', 5)).toEqual([]);
  });

  it('searches the first 64 distinct words of a long query and ignores repeats', () => {
    const index = KnowledgeIndex.fromPassages(corpus);
    const filler = Array.from({ length: 64 }, (_, i) => `filler${i}`).join(' ');
    expect(index.searchText(`${filler} porosity`, 5)).toEqual([]);
    // "scratch" is rarer in the corpus than "porosity", so the short scratch passage ranks first.
    expect(index.searchText(`${'porosity '.repeat(500)}scratch`, 5).map((h) => h.id)).toEqual(['c#0', 'a#0', 'd#0']);
  });

  it('weighs the heading path: the same words in the source beat them in the text', () => {
    const index = KnowledgeIndex.fromPassages([
      passage('x#0', 'Check the wire feed and the shielding gas flow.', 'Porosity > Remedies'),
      passage('y#0', 'Remedies differ; porosity is only one of many defects discussed elsewhere in this long chapter.', 'Overview'),
    ]);
    expect(index.searchText('porosity remedies', 2).map((h) => h.id)).toEqual(['x#0', 'y#0']);
  });

  it('removes passages and documents so that they are no longer found', () => {
    const index = KnowledgeIndex.fromPassages(corpus);
    expect(index.removePassage('a#0')).toBe(true);
    expect(index.removePassage('a#0')).toBe(false);
    expect(index.searchText('porosity', 10).map((h) => h.id)).toEqual(['d#0']);
    expect(index.removeDocument('d')).toBe(1);
    expect(index.searchText('porosity', 10)).toEqual([]);
    expect(index.size).toBe(2);
    expect(index.documentIds().sort()).toEqual(['b', 'c']);
  });

  it('replaces a document added again under the same id and rejects duplicate passage ids', () => {
    const index = new KnowledgeIndex();
    index.addDocument({ id: 'doc', title: 'Doc', mediaType: 'text/plain', text: 'Cracks start at notches.' });
    index.addDocument({ id: 'doc', title: 'Doc', mediaType: 'text/plain', text: 'Holes go through the part.' });
    expect(index.size).toBe(1);
    expect(index.searchText('cracks', 5)).toEqual([]);
    expect(index.searchText('holes', 5)[0].id).toBe('doc#0');
    expect(() => index.addPassages([passage('doc#0', 'again')])).toThrow(/already indexed/);
  });

  it('round-trips through its serialisable passages', () => {
    const index = new KnowledgeIndex();
    const added = index.addDocument({ id: 'm', title: 'Manual', mediaType: 'text/markdown', text: '# Cracks\n\nA crack is a fracture.\n\n# Spots\n\nA spot is a stain.' });
    expect(added.map((p) => [p.id, p.source])).toEqual([
      ['m#0', 'Cracks'],
      ['m#1', 'Spots'],
    ]);
    const rebuilt = KnowledgeIndex.fromPassages(JSON.parse(JSON.stringify(index.passages())) as KnowledgePassage[]);
    expect(rebuilt.searchText('stain', 1)[0]).toMatchObject({ id: 'm#1', source: 'Spots', documentTitle: 'Manual' });
    expect(documentPassages({ id: 'm', title: 'Manual', mediaType: 'text/markdown', text: '# Cracks\n\nA crack is a fracture.\n\n# Spots\n\nA spot is a stain.' })).toEqual(added);
  });
});

/** A fake embedding: one dimension per topic word, so closeness is known exactly. */
const TOPICS = ['gas', 'fusion', 'groove', 'round'];
const fakeEmbed = async (texts: string[]): Promise<number[][]> =>
  texts.map((t) => [...TOPICS.map((w) => (t.toLowerCase().includes(w) ? 1 : 0)), 0.01]);

describe('KnowledgeIndex, hybrid', () => {
  it('fuses BM25 and vector rankings by reciprocal rank fusion', async () => {
    let calls = 0;
    const embed = async (texts: string[]): Promise<number[][]> => {
      calls += 1;
      return fakeEmbed(texts);
    };
    const index = KnowledgeIndex.fromPassages(corpus, { embed });
    // BM25 for "round gas bubbles porosity": a (porosity x2, round, gas), d (porosity x2, pores). The vectors: a has gas and
    // round (cosine ~1), d neither (only the small constant). Fused: a is first in both; d second lexically; b and c only
    // by their tiny constant component, tied, after d by their id order.
    const hits = await index.search('round gas bubbles porosity', 4);
    expect(hits.map((h) => h.id)).toEqual(['a#0', 'd#0', 'b#0', 'c#0']);
    expect(hits[0].score).toBeCloseTo(2 / 61, 10);
    expect(index.passages().every((p) => p.vector?.length === 5)).toBe(true);
    const callsAfterFirst = calls;
    await index.search('groove', 1);
    // Passages keep their vectors: only the query is embedded the second time.
    expect(calls).toBe(callsAfterFirst + 1);
  });

  it('finds by meaning what BM25 misses', async () => {
    const index = KnowledgeIndex.fromPassages(corpus, { embed: fakeEmbed });
    // No passage contains "furrow"; the fake embedding maps the query to the "groove" topic.
    const embedQueryAsGroove = async (texts: string[]): Promise<number[][]> => fakeEmbed(texts.map((t) => t.replace('furrow', 'groove')));
    const semantic = KnowledgeIndex.fromPassages(corpus, { embed: embedQueryAsGroove });
    expect(index.searchText('furrow', 3)).toEqual([]);
    expect((await semantic.search('furrow', 1))[0].id).toBe('c#0');
  });

  it('throws an embedding failure, or ranks by BM25 when onEmbedError is given', async () => {
    const failing = async (): Promise<number[][]> => {
      throw new Error('endpoint down');
    };
    await expect(KnowledgeIndex.fromPassages(corpus, { embed: failing }).search('porosity', 2)).rejects.toThrow('endpoint down');
    const errors: unknown[] = [];
    const index = KnowledgeIndex.fromPassages(corpus, { embed: failing, onEmbedError: (e) => errors.push(e) });
    expect((await index.search('porosity', 2)).map((h) => h.id)).toEqual(['a#0', 'd#0']);
    expect(errors).toHaveLength(1);
  });

  it('rejects vectors of a different dimension', async () => {
    const index = KnowledgeIndex.fromPassages([{ ...corpus[0], vector: [1, 0] }, corpus[1]], { embed: fakeEmbed });
    await expect(index.embedMissing()).rejects.toThrow(/expected 2/);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1, 12);
  });
});
