import { describe, expect, it } from 'vitest';
import { defectBookIndex, defectBookPassages, loadDefectBook } from './index.ts';

describe('defect book', () => {
  it('has the three documents with a section on looks, causes, checks and severity for every class of the demo models', () => {
    const docs = loadDefectBook();
    expect(docs.map((d) => d.id)).toEqual(['defect-book/surface', 'defect-book/weld', 'defect-book/white-cells']);
    const expected: Record<string, string[]> = {
      'defect-book/surface': ['Scratch', 'Crack', 'Spot', 'Stain', 'Hole'],
      'defect-book/weld': ['Porosity', 'Crack', 'Lack of fusion'],
      'defect-book/white-cells': ['Neutrophil', 'Lymphocyte', 'Monocyte', 'Eosinophil', 'Basophil'],
    };
    const sources = new Set(defectBookPassages().map((p) => `${p.documentId}|${p.source}`));
    for (const [doc, classes] of Object.entries(expected)) {
      const title = docs.find((d) => d.id === doc)?.text.split('\n')[0].replace(/^# /, '') ?? '';
      for (const c of classes) {
        const causes = doc === 'defect-book/white-cells' ? 'What it indicates (causes of a raised count)' : 'Typical causes';
        for (const section of ['What it looks like', causes, doc === 'defect-book/white-cells' ? 'What to check' : 'What to check and remedies', 'Severity']) {
          expect(sources.has(`${doc}|${title} > ${c} > ${section}`), `${doc}: ${c} > ${section}`).toBe(true);
        }
      }
    }
    expect(docs[2].text).toContain('not medical advice');
  });

  it('gives unique, stable passage ids', () => {
    const a = defectBookPassages();
    const b = defectBookPassages();
    expect(new Set(a.map((p) => p.id)).size).toBe(a.length);
    expect(a.map((p) => p.id)).toEqual(b.map((p) => p.id));
    expect(a[0].id).toBe('defect-book/surface#0');
  });

  it('answers the typical questions with the right section first', () => {
    const index = defectBookIndex();
    const top = (q: string): string => {
      const hit = index.searchText(q, 1)[0];
      return `${hit.documentId}|${hit.source}`;
    };
    expect(top('what usually causes porosity')).toBe('defect-book/weld|Weld radiograph defects > Porosity > Typical causes');
    expect(top('lack_of_fusion remedies')).toBe('defect-book/weld|Weld radiograph defects > Lack of fusion > What to check and remedies');
    expect(top('causes of scratches')).toBe('defect-book/surface|Surface defects > Scratch > Typical causes');
    expect(top('what does an eosinophil look like')).toBe('defect-book/white-cells|White blood cells in a stained smear > Eosinophil > What it looks like');
    expect(top('how severe is a hole')).toBe('defect-book/surface|Surface defects > Hole > Severity');
  });
});
