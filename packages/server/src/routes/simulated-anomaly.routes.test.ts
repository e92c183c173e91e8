/**
 * An anomaly detector trained on simulated defects (anomaly.json format `xai-qc.simulated`,
 * network.onnx) through the product: registry upload with its hash checks, /detect with its
 * anomaly map and findings, the explanation of one of its inspections, and the anomaly
 * answers (embeddings from its own network).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '@xai-qc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { ModelFilePart } from '../services/model-validation.ts';
import { sha256Hex } from '../storage/blob-store.ts';
import { formParts } from '../test/model-fixtures.ts';
import { multipartBody as formBody } from '../test/multipart.ts';
import type { FormPart } from '../test/multipart.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { SIMULATED_SIZE, textured, trainTinySimulatedDetector } from '../test/simulated-detector.ts';
import type { SimulatedDetector } from '../test/simulated-detector.ts';
import { multipartBody } from './inspections.test-helpers.ts';

const API = '/api/xai-qc';

function countBlobFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .reduce((n, d) => n + readdirSync(join(dir, d.name)).filter((f) => !f.startsWith('.')).length, 0);
}

async function waitForJob(t: TestApp, url: string, headers: Record<string, string>): Promise<{ status: string; error: string | null }> {
  for (let i = 0; i < 1200; i++) {
    const job = (await t.app.inject({ method: 'GET', url, headers })).json<{ status: string; error: string | null }>();
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${url} did not end`);
}

describe('anomaly detector trained on simulated defects', () => {
  let t: TestApp;
  let det: SimulatedDetector;
  let engineer: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let inspection: Inspection;

  const upload = (parts: FormPart[]) => {
    const body = formBody(parts);
    return t.app.inject({ method: 'POST', url: `${API}/models`, payload: body.payload, headers: { ...engineer, ...body.headers } });
  };
  const stored = async () => {
    const blobs = await t.app.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const versions = await t.app.db.selectFrom('model_versions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { blobRows: Number(blobs.n), versions: Number(versions.n), blobFiles: countBlobFiles(join(t.config.dataDir, 'blobs')) };
  };
  const detect = async (spot: boolean, seed: number) => {
    const body = multipartBody([{ filename: 'part.png', bytes: await encodePng(textured(seed, spot)) }]);
    return t.app.inject({ method: 'POST', url: `${API}/detect?model=tiny-simulated`, payload: body.payload, headers: { ...body.headers, ...operator } });
  };

  beforeAll(async () => {
    det = await trainTinySimulatedDetector('tiny-simulated');
    t = await createTestApp('sqlite');
    engineer = await bearer('engineer');
    operator = await bearer('operator');
    viewer = await bearer('viewer');
  });
  afterAll(async () => {
    await t?.close();
    await det?.remove();
  });

  describe('tampered or incomplete uploads: a clear 4xx, nothing stored', () => {
    const flipped = (bytes: Uint8Array): Uint8Array => {
      const out = Uint8Array.from(bytes);
      out[out.length - 1] ^= 0xff;
      return out;
    };
    const config = (edit: (c: Record<string, unknown>) => void): Uint8Array => {
      const c = JSON.parse(new TextDecoder().decode(det.parts.get('anomaly'))) as Record<string, unknown>;
      edit(c);
      return new TextEncoder().encode(JSON.stringify(c));
    };
    const cases: [string, () => Map<ModelFilePart, Uint8Array>, string, string][] = [
      ['a network.onnx that does not match anomaly.json', () => new Map([...det.parts, ['network', flipped(det.parts.get('network') as Uint8Array)]]), 'XQC_ANOMALY', 'network.onnx'],
      ['a model.onnx that is not the recorded export', () => new Map([...det.parts, ['anomaly', config((c) => ((c.export as { sha256: string }).sha256 = '0'.repeat(64)))]]), 'XQC_ANOMALY', 'model.onnx'],
      ['no network.onnx', () => new Map([...det.parts].filter(([p]) => p !== 'network')), 'XQC_MODEL_INVALID', 'network'],
      ['PatchCore parts beside a simulated anomaly.json', () => new Map([...det.parts, ['bank', new Uint8Array([1, 2, 3])]]), 'XQC_MODEL_INVALID', 'bank.npy'],
      ['a newer format version', () => new Map([...det.parts, ['anomaly', config((c) => (c.version = 2))]]), 'XQC_ANOMALY', 'version'],
      ['an anomaly.json that is not JSON', () => new Map([...det.parts, ['anomaly', new TextEncoder().encode('{"format": "xai-qc.simulated",')]]), 'XQC_ANOMALY', 'JSON'],
    ];
    it.each(cases)('%s', async (_name, parts, code, mentions) => {
      const before = await stored();
      const res = await upload(formParts(parts()));
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
      expect(res.json().detail).toContain(mentions);
      expect(await stored()).toEqual(before);
    });
  });

  it('registers the detector with network.onnx and anomaly.json, downloadable as uploaded', async () => {
    const res = await upload(formParts(det.parts, { activate: 'true' }));
    expect(res.statusCode, res.body).toBe(201);
    const v = res.json();
    expect(v).toMatchObject({ modelName: 'tiny-simulated', task: 'anomaly', active: true });
    expect(v.files.map((f: { name: string }) => f.name).sort()).toEqual(['anomaly.json', 'model.onnx', 'model_card.yaml', 'network.onnx']);
    const network = await t.app.inject({ method: 'GET', url: `${API}/models/tiny-simulated/versions/${v.id}/download?file=network.onnx`, headers: viewer });
    expect(network.statusCode).toBe(200);
    expect(sha256Hex(network.rawPayload)).toBe(sha256Hex(det.parts.get('network') as Uint8Array));
  });

  it('saves a new reject threshold as a new version that keeps network.onnx', async () => {
    const save = await t.app.inject({ method: 'POST', url: `${API}/models/tiny-simulated/versions/1.0.0/thresholds`, payload: { threshold: 0.6 }, headers: engineer });
    expect(save.statusCode, save.body).toBe(201);
    const saved = save.json<{ active: boolean; card: { thresholds: { reject: number } }; files: { name: string }[] }>();
    expect(saved).toMatchObject({ active: false, card: { thresholds: { reject: 0.6 } } });
    expect(saved.files.map((f) => f.name).sort()).toEqual(['anomaly.json', 'model.onnx', 'model_card.yaml', 'network.onnx']);
  });

  it('detects: score, raw score, the anomaly map at the image size, findings, stored and read back', async () => {
    const res = await detect(true, 50);
    expect(res.statusCode, res.body).toBe(201);
    inspection = res.json<Inspection>();
    expect(inspection.model).toMatchObject({ name: 'tiny-simulated', task: 'anomaly' });
    expect(inspection.anomaly?.score).toBe(inspection.defectScore);
    expect(inspection.anomaly?.rawScore).toEqual(expect.any(Number));
    // The card rejects at the normalised score 0.5.
    expect(inspection.verdict).toBe(inspection.defectScore >= 0.5 ? 'reject' : 'pass');
    expect(Array.isArray(inspection.findings)).toBe(true);
    const map = Buffer.from(inspection.anomaly?.mapPng as string, 'base64');
    expect(map.subarray(1, 4).toString()).toBe('PNG');
    expect([map.readUInt32BE(16), map.readUInt32BE(20)]).toEqual([SIMULATED_SIZE, SIMULATED_SIZE]);
    const one = await t.app.inject({ method: 'GET', url: `${API}/inspections/${inspection.id}`, headers: viewer });
    expect(one.json<Inspection>()).toEqual(inspection);
  });

  it('explains an inspection of the detector: its anomaly map, stored as .npy at the image size', async () => {
    const payload = { inspectionId: inspection.id, methods: ['anomalymap'] };
    let res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload });
    if (res.statusCode === 202) {
      const job = await waitForJob(t, res.json<{ location: string }>().location, viewer);
      expect(job).toMatchObject({ status: 'succeeded', error: null });
      res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload });
    }
    expect(res.statusCode, res.body).toBe(200);
    const m = res.json<{ methods: { method: string; width: number; height: number; links: { heatmapNpy: string } }[] }>().methods[0];
    expect(m).toMatchObject({ method: 'anomalymap', width: SIMULATED_SIZE, height: SIMULATED_SIZE });
    const npy = await t.app.inject({ method: 'GET', url: m.links.heatmapNpy, headers: viewer });
    expect(npy.statusCode).toBe(200);
    expect(npy.rawPayload.subarray(1, 6).toString()).toBe('NUMPY');
  });

  it('answers where, which and what for its inspections, embedding with its own network', async () => {
    const other = (await detect(false, 60)).json<Inspection>();
    const ask = () => t.app.inject({ method: 'GET', url: `${API}/inspections/${other.id}/anomaly?include=where,which,what&k=3`, headers: viewer });
    let res = await ask();
    expect(res.statusCode, res.body).toBe(200);
    type Answers = { where: { width: number }; which: { status: string; location?: string; width?: number }; what: { indexed: number; items: { id: string }[] } };
    let answers = res.json<Answers>();
    if (answers.which.status === 'pending') {
      expect(await waitForJob(t, answers.which.location as string, viewer)).toMatchObject({ status: 'succeeded' });
      res = await ask();
      answers = res.json<Answers>();
    }
    expect(answers.where.width).toBe(SIMULATED_SIZE);
    expect(answers.which).toMatchObject({ status: 'ready', width: SIMULATED_SIZE });
    expect(answers.what.items.map((i) => i.id)).toEqual([inspection.id]);
  });
});
