import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { KnowledgeRepository } from '../repositories/knowledge.repository.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { KnowledgeService } from './ask-knowledge.ts';
import { extractDocumentText } from './document-text.ts';

const engineer = (accountId: string): Principal => ({ kind: 'token', subject: `eng-${accountId}`, accountId, role: 'engineer' });

describe.each(DIALECTS)('knowledge base across processes on %s', (dialect) => {
  let tdb: TestDatabase;
  // Two services over one database: two API processes, each with its own cached indexes.
  let first: KnowledgeService;
  let second: KnowledgeService;

  beforeAll(async () => {
    tdb = await openTestDatabase(dialect);
    const deps = { repo: new KnowledgeRepository(tdb.db), extract: extractDocumentText };
    first = new KnowledgeService(deps);
    second = new KnowledgeService(deps);
  });
  afterAll(async () => tdb?.close());

  it("sees another process's additions and deletions at the next search (the account's version changed)", async () => {
    const before = await second.retrieve('acct-k', 'gremlin lathe chatter', 5);
    expect(before.every((p) => p.documentId.startsWith('defect-book/'))).toBe(true);
    const doc = await first.upload(engineer('acct-k'), { bytes: Buffer.from('# Gremlin marks\n\nLathe chatter leaves gremlin marks on the shaft.\n'), filename: 'gremlin.md' });
    expect(doc).toMatchObject({ title: 'Gremlin marks', passages: 1, builtIn: false });
    expect((await second.retrieve('acct-k', 'gremlin lathe chatter', 5))[0].documentId).toBe(doc.id);
    expect((await second.retrieve('acct-other', 'gremlin lathe chatter', 5)).map((p) => p.documentId)).not.toContain(doc.id);
    await first.delete(engineer('acct-k'), doc.id);
    expect((await second.retrieve('acct-k', 'gremlin lathe chatter', 5)).map((p) => p.documentId)).not.toContain(doc.id);
    expect(await new KnowledgeRepository(tdb.db).version('acct-k')).toBe(2);
  });

  it('refuses a document over the limit before reading it, with 400 codes for what the extractor refuses', async () => {
    const small = new KnowledgeService({ repo: new KnowledgeRepository(tdb.db), extract: extractDocumentText, maxBytes: 10 });
    await expect(small.upload(engineer('acct-k'), { bytes: Buffer.from('x'.repeat(11)), filename: 'a.txt' })).rejects.toMatchObject({ status: 413, code: 'XQC_DOCUMENT_TOO_LARGE' });
    await expect(first.upload(engineer('acct-k'), { bytes: Buffer.from('%PDF-1.4 garbage'), filename: 'a.pdf' })).rejects.toMatchObject({ status: 400, code: 'XQC_DOCUMENT_INVALID' });
    await expect(first.upload(engineer('acct-k'), { bytes: Buffer.from('text'), filename: 'a.docx' })).rejects.toMatchObject({ status: 400, code: 'XQC_DOCUMENT_TYPE' });
  });
});
