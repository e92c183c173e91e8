import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, parseModelCardYaml } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { CalibrationStatus } from '../schemas/calibration.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody } from './inspections.test-helpers.ts';

const MODEL_DIR = fileURLToPath(new URL('../../../../models/surface-classifier/', import.meta.url));
const API = '/api/xai-qc';

/** A 64 x 64 RGB PNG: texture from `seed`, a dark spot on every third. */
async function png(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(64 * 64 * 3);
  let s = seed + 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 100 + ((s >>> 16) % 60);
  }
  if (seed % 3 === 0) for (let y = 22; y < 38; y++) for (let x = 20; x < 44; x++) data.fill(12, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  return encodePng({ width: 64, height: 64, channels: 3, data });
}

describe('calibration status and refit (SQLite, embedded jobs)', () => {
  let t: TestApp;
  const auth = (role: Role) => bearer(role, 'acct-cal');

  async function inspect(seed: number, version?: string): Promise<Inspection> {
    const body = multipartBody([{ filename: `p${seed}.png`, bytes: await png(seed) }]);
    const q = version === undefined ? 'model=overconfident' : `version=${version}`;
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?${q}`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator')) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Inspection>();
  }
  /** The line's truth: the model's own label, except on every fourth part, where it is the other one (a 25 % error rate). */
  async function review(insp: Inspection, seed: number): Promise<void> {
    const flip = seed % 4 === 1;
    const label = flip ? insp.labels.find((l) => l !== insp.label) : insp.label;
    const verdict = label === 'good' ? 'pass' : 'reject';
    const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label }, headers: await auth('operator') });
    expect(res.statusCode, res.body).toBe(201);
  }
  const status = async (query: string): Promise<CalibrationStatus> => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/calibration?${query}`, headers: await auth('viewer') });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<CalibrationStatus>();
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 1 });
    // The demo classifier with a temperature ten times too low: over-confident on purpose.
    const card = parseModelCardYaml(await readFile(`${MODEL_DIR}model_card.yaml`, 'utf8'));
    const overconfident = { ...card, name: 'overconfident', calibration: { temperature: 0.1, eceAfter: 0.01 } };
    await t.app.modelRegistry.upload(
      new Map([
        ['model', await readFile(`${MODEL_DIR}model.onnx`)],
        ['card', new TextEncoder().encode(JSON.stringify(overconfident))],
      ]),
      { activate: true },
    );
  }, 60_000);
  afterAll(async () => t?.close());

  it('reports too few reviews, then drifting; a refit on the reviews makes a new inactive version whose ECE on held-out reviews is lower', async () => {
    const first = await inspect(0);
    await review(first, 0);
    expect((await status('model=overconfident')).status).toBe('not enough reviews');

    for (let seed = 1; seed < 80; seed++) await review(await inspect(seed), seed);
    const fitEnd = new Date().toISOString();
    const held: number[] = [];
    for (let seed = 80; seed < 120; seed++) {
      await review(await inspect(seed), seed);
      held.push(seed);
    }
    const drifting = await status('model=overconfident');
    expect(drifting.reviewed).toBe(120);
    expect(drifting.status).toBe('drifting');
    expect(drifting.served?.ece).toBeGreaterThan(drifting.driftThreshold as number);
    expect(drifting.temperature).toBe(0.1);
    expect(drifting.reliability?.served).toHaveLength(15);
    // Without the card's temperature the same probabilities are less over-confident.
    expect(drifting.beforeScaling?.nll).toBeLessThan(drifting.served?.nll as number);

    const bad = await t.app.inject({ method: 'POST', url: `${API}/calibration`, payload: { model: 'overconfident' }, headers: await auth('operator') });
    expect(bad.statusCode).toBe(403);
    const res = await t.app.inject({ method: 'POST', url: `${API}/calibration`, payload: { model: 'overconfident', to: fitEnd }, headers: await auth('engineer') });
    expect(res.statusCode, res.body).toBe(202);
    const jobId = res.json<{ id: string }>().id;
    let job: { status: string; result: { newVersion: string; newVersionId: string; temperature: number; items: number }; error: string | null } | undefined;
    for (let i = 0; i < 400; i++) {
      job = (await t.app.inject({ method: 'GET', url: `${API}/jobs/${jobId}`, headers: await auth('viewer') })).json();
      if (job && ['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job?.status, job?.error ?? '').toBe('succeeded');
    const fit = job!.result;
    expect(fit.items).toBe(80);
    expect(fit.temperature).toBeGreaterThan(0.1);

    // Nothing changed the active version.
    const detail = (await t.app.inject({ method: 'GET', url: `${API}/models/overconfident`, headers: await auth('viewer') })).json<{ model: { activeVersion: string }; versions: { version: string }[] }>();
    expect(detail.model.activeVersion).toBe('1.0.0');
    expect(detail.versions.map((v) => v.version)).toContain(fit.newVersion);

    // Held-out parts inspected by the new version (by id, inactive) and reviewed with the same truth.
    const heldFrom = new Date().toISOString();
    for (const seed of held) await review(await inspect(seed, fit.newVersionId), seed);
    const oldHeld = await status(`model=overconfident&version=1.0.0&from=${encodeURIComponent(fitEnd)}`);
    const newHeld = await status(`model=overconfident&version=${encodeURIComponent(fit.newVersion)}&from=${encodeURIComponent(heldFrom)}`);
    expect(oldHeld.reviewed).toBe(40);
    expect(newHeld.reviewed).toBe(40);
    expect(newHeld.temperature).toBeCloseTo(fit.temperature, 12);
    expect(newHeld.served?.ece).toBeLessThan(oldHeld.served?.ece as number);
    expect(newHeld.served?.nll).toBeLessThan(oldHeld.served?.nll as number);
  }, 180_000);

  it('refuses bad requests with a clear 4xx', async () => {
    const cases: [string, number][] = [
      ['model=no-such-model', 404],
      ['model=overconfident&version=9.9.9', 404],
      ['model=overconfident&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 400],
      ['', 400],
    ];
    for (const [q, code] of cases) expect((await t.app.inject({ method: 'GET', url: `${API}/calibration?${q}`, headers: await auth('viewer') })).statusCode, q).toBe(code);
    const jobsBefore = await t.app.db.selectFrom('jobs').select('id').execute();
    const post = await t.app.inject({ method: 'POST', url: `${API}/calibration`, payload: { model: 'no-such-model' }, headers: await auth('engineer') });
    expect(post.statusCode).toBe(404);
    expect(await t.app.db.selectFrom('jobs').select('id').execute()).toHaveLength(jobsBefore.length);
  });
});
