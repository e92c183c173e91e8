import { describe, expect, it } from 'vitest';
import type { AskContext, KbPassage } from '../types.ts';
import { SourceList, citationContent, runAskTool } from './sources.ts';

const passage: KbPassage = { id: 'doc#0', documentId: 'doc', documentTitle: 'Notes', source: 'Holes', text: 'Holes go through the wall.', score: 1 };
const queries: [string, number][] = [];

const ctx: AskContext = {
  inspection: {
    id: 'i1',
    task: 'detect',
    modelName: 'm',
    modelVersion: '2',
    verdict: 'pass',
    label: 'good',
    score: 0.8,
    defectScore: 0.2,
    goodLabels: ['good'],
    findings: [],
    image: { width: 10, height: 10 },
    referred: false,
    createdAt: '2026-12-05T00:00:00Z',
  },
  explanations: [],
  similar: [],
  metrics: { modelVersion: '2', inspections: 10, reviewed: 4, accuracy: 0.75 },
  model: { name: 'm', version: '2', task: 'detect', labels: ['good', 'hole'], limitations: ['small holes are missed'] },
  retrieve: async (q, k) => {
    queries.push([q, k]);
    return [passage];
  },
};

const call = (name: string, args: string) => ({ id: 'c', type: 'function' as const, function: { name, arguments: args } });

describe('runAskTool', () => {
  it('reuses the number of a source already given and numbers new ones after it', async () => {
    const sources = new SourceList();
    sources.add({ id: '1', kind: 'inspection', ref: 'verdict', label: 'verdict: pass' }, 'verdict = "pass"');
    const inspection = JSON.parse(await runAskTool(call('get_inspection', '{}'), ctx, sources));
    expect(inspection).toMatchObject({ source: 1, verdict: 'pass', findings: [] });
    const facts = JSON.parse(await runAskTool(call('get_model_facts', ''), ctx, sources));
    expect(facts.card).toMatchObject({ source: 2, limitations: ['small holes are missed'] });
    expect(facts.metrics).toMatchObject({ source: 3, accuracy: 0.75 });
    expect(sources.all().map((s) => [s.n, s.citation.id, s.citation.kind, s.citation.ref])).toEqual([
      [1, '1', 'inspection', 'verdict'],
      [2, '2', 'model', 'name'],
      [3, '3', 'metrics', '2'],
    ]);
  });

  it('searches the knowledge base through ctx.retrieve with k clamped to 1..8', async () => {
    const sources = new SourceList();
    const out = JSON.parse(await runAskTool(call('search_knowledge', '{"query":" holes ","k":50}'), ctx, sources));
    expect(out.passages).toEqual([{ source: 1, document: 'Notes', section: 'Holes', text: 'Holes go through the wall.' }]);
    expect(queries.at(-1)).toEqual(['holes', 8]);
    expect(sources.byNumber(1)?.citation).toEqual({ id: '1', kind: 'kb', ref: 'doc#0', label: 'Notes: Holes', documentId: 'doc', source: 'Holes' });
  });

  it('answers a bad call with an error the model can read, and adds no source', async () => {
    const sources = new SourceList();
    expect(JSON.parse(await runAskTool(call('delete_everything', '{}'), ctx, sources))).toEqual({ error: 'there is no tool named delete_everything' });
    expect(JSON.parse(await runAskTool(call('search_knowledge', '{"query":'), ctx, sources)).error).toMatch(/not JSON/);
    expect(JSON.parse(await runAskTool(call('search_knowledge', '{"query":""}'), ctx, sources)).error).toMatch(/non-empty/);
    expect(sources.all()).toHaveLength(0);
  });
});

describe('citationContent', () => {
  it('gives the value a citation points at, and the text of a retrieved passage', () => {
    expect(citationContent({ id: '1', kind: 'inspection', ref: 'score', label: 'score 0.80' }, ctx, [])).toBe('score 0.80; score = 0.8');
    expect(citationContent({ id: '2', kind: 'kb', ref: 'doc#0', label: 'Notes: Holes' }, ctx, [passage])).toBe('Notes: Holes\nHoles go through the wall.');
    expect(citationContent({ id: '3', kind: 'kb', ref: 'other#1', label: 'Other: x' }, ctx, [passage])).toBe('Other: x');
  });
});
