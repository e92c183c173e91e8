/** The knowledge base of the answerer: splitting, tokenising, indexing and searching documents; the shipped defect book. */
export * from './tokenize.ts';
export * from './split.ts';
export * from './knowledge-index.ts';
export * from '../defect-book/index.ts';
