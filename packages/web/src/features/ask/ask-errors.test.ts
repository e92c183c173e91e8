import { XaiQcApiError } from '@xai-qc/client';
import { describe, expect, it } from 'vitest';
import { describeAskError } from './ask-errors.ts';

describe('describeAskError', () => {
  it('says the ask and knowledge-base codes as sentences, with the server detail after', () => {
    const v = describeAskError(new XaiQcApiError({ status: 400, code: 'XQC_DOCUMENT_INVALID', detail: 'fake.pdf does not start with %PDF-', requestId: 'r1' }));
    expect(v).toMatchObject({ title: 'The file is not what its name says, or it cannot be read (a .pdf must be a real PDF).', detail: 'Fake.pdf does not start with %PDF-.', code: 'XQC_DOCUMENT_INVALID', requestId: 'r1' });
    expect(describeAskError(new XaiQcApiError({ status: 400, code: 'XQC_QUESTION_TOO_LONG' })).title).toBe('The question is too long: keep it to 1,000 characters.');
  });
  it('falls back to the shared sentences', () => {
    expect(describeAskError(new XaiQcApiError({ status: 404, code: 'XQC_NOT_FOUND' })).title).toBe('That item no longer exists or was never there.');
    expect(describeAskError(new Error('boom')).title).toBe('Boom.');
  });
});
