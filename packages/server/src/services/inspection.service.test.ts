import { encodePng } from '@xai-qc/core';
import type { Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../errors/api-error.ts';
import type { InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import type { DetectOutput } from '../inference/inference.types.ts';
import { InferenceItemError } from '../inference/inference-pool.ts';
import { imageErrorToApi, InspectionService } from './inspection.service.ts';
import type { InspectionServiceDeps } from './inspection.service.ts';

const principal: Principal = { kind: 'token', subject: 'op', accountId: 'acct', role: 'operator' };

const version = (name: string): ServingVersion => ({ id: `v-${name}`, modelId: `m-${name}`, modelName: name, version: '1', task: 'classify', isActive: true, onnxSha256: 'a'.repeat(64), cardJson: '{}', files: [] });

const output: DetectOutput = {
  image: { width: 8, height: 8, channels: 3, format: 'png' },
  task: 'classify',
  verdict: 'reject',
  label: 'defect',
  classIndex: 0,
  score: 0.9,
  defectProbability: 0.9,
  probabilities: [0.9, 0.1],
  labels: ['defect', 'good'],
  findings: [{ label: 'defect', classIndex: 0, score: 0.9, severity: 'critical' }],
  timings: { decodeMs: 1, preprocessMs: 1, computeMs: 1, postprocessMs: 1, batchSize: 1 },
};

/** Stands for the transaction the blob store passes to the inserts. */
const TRX = { transaction: 'fake' } as unknown as Transaction<Database>;

/** A repository fake that records calls; only what the service uses. */
function fakeRepo(active: ServingVersion[]) {
  const calls = { activeVersions: 0, activeVersionOf: 0, inserts: 0, trx: [] as unknown[] };
  let failNextInsert: unknown;
  const repo: InspectionServiceDeps['repo'] = {
    insert: async (_row, _findings, trx) => {
      calls.inserts++;
      calls.trx.push(trx);
      if (failNextInsert) {
        const e = failNextInsert;
        failNextInsert = undefined;
        throw e;
      }
    },
    find: async () => undefined,
    list: async () => ({ items: [] }),
    delete: async () => undefined,
    activeVersions: async () => {
      calls.activeVersions++;
      return active;
    },
    versionById: async (id) => active.find((v) => v.id === id),
    activeVersionOf: async (name) => {
      calls.activeVersionOf++;
      return active.find((v) => v.modelName === name);
    },
  } satisfies Pick<InspectionRepository, 'insert' | 'find' | 'list' | 'delete' | 'activeVersions' | 'versionById' | 'activeVersionOf'>;
  return { repo, calls, failInsertOnce: (e: unknown) => (failNextInsert = e) };
}

function service(active: ServingVersion[], detect: InspectionServiceDeps['inference']['detect'] = async () => ({ output, queueMs: 0, totalMs: 1 })) {
  const fake = fakeRepo(active);
  const puts: string[] = [];
  const svc = new InspectionService({
    repo: fake.repo,
    blobs: {
      storeWith: async (items, within) => {
        puts.push(...items.map((i) => i.mediaType));
        return within(items.map(() => 'b'.repeat(64)), TRX);
      },
      get: async () => new Uint8Array(),
      release: async () => undefined,
    },
    inference: { detect, countInspection: () => undefined },
  });
  return { svc, ...fake, puts };
}

const image = async (): Promise<Uint8Array> => encodePng({ width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(9) });

describe('InspectionService', () => {
  it('reuses a resolved version within the cache time instead of asking the registry per image', async () => {
    const { svc, calls } = service([version('a'), version('b')]);
    const bytes = await image();
    for (let i = 0; i < 3; i++) await svc.detect(principal, { bytes, filename: null }, { model: 'a' });
    expect(calls.activeVersionOf).toBe(1);
    expect(calls.inserts).toBe(3);
  });

  it('picks the only active model, refuses with 409 when none is active and names them when several are', async () => {
    expect((await service([version('a')]).svc.resolveVersion({})).modelName).toBe('a');
    await expect(service([]).svc.resolveVersion({})).rejects.toMatchObject({ status: 409, code: 'XQC_NO_ACTIVE_MODEL' });
    await expect(service([version('a'), version('b')]).svc.resolveVersion({})).rejects.toThrow(/one of a, b/);
  });

  it('stores the blobs and inserts the rows in the one transaction the blob store opens', async () => {
    const { svc, calls, puts } = service([version('a')]);
    const r = await svc.detect(principal, { bytes: await image(), filename: 'x.png' }, { model: 'a' });
    expect(r.verdict).toBe('reject');
    expect(r.image.sha256).toBe('b'.repeat(64));
    expect(puts).toEqual(['image/png']);
    expect(calls.trx).toEqual([TRX]);
  });

  it('fails the request when the insert fails, without a retry', async () => {
    const { svc, calls, failInsertOnce } = service([version('a')]);
    failInsertOnce(new Error('disk full'));
    await expect(svc.detect(principal, { bytes: await image(), filename: null }, { model: 'a' })).rejects.toThrow('disk full');
    expect(calls.inserts).toBe(1);
  });

  it('lets a 503 from an overloaded pool through, for one image and for a batch', async () => {
    const overloaded = async (): Promise<never> => {
      throw new ApiError(503, 'XQC_INFERENCE_OVERLOADED', 'queue full');
    };
    const { svc } = service([version('a')], overloaded);
    const bytes = await image();
    await expect(svc.detect(principal, { bytes, filename: null }, { model: 'a' })).rejects.toMatchObject({ status: 503 });
    await expect(svc.detectBatch(principal, [{ bytes, filename: null }], { model: 'a' })).rejects.toMatchObject({ status: 503 });
  });

  it('maps worker errors of an image to 413, 415, 422 or 500', () => {
    const map = (code: string, reason?: string) => imageErrorToApi(new InferenceItemError({ code, message: 'm', details: reason ? { reason } : undefined })).status;
    expect(map('XQC_IMAGE_INVALID', 'too-large')).toBe(413);
    expect(map('XQC_IMAGE_INVALID', 'unsupported')).toBe(415);
    expect(map('XQC_IMAGE_INVALID', 'corrupt')).toBe(422);
    expect(map('XQC_MODEL_INVALID')).toBe(422);
    expect(map('XQC_RUNTIME')).toBe(500);
  });
});
