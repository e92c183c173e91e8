/**
 * Calibration from the record (`GET /calibration`, `POST /calibration`).
 *
 * The served probabilities of a classifier version are `p = softmax(z / T)` with T the
 * card's temperature, so `T * ln p` equals the logits z up to a per-row constant, which
 * softmax ignores: the figures before scaling (`softmax(T ln p)`) and any new temperature
 * T' (`softmax(T ln p / T')`) follow from the stored probabilities exactly, without running
 * the model again. Labels are the current reviews' classes.
 *
 * Status, decided in this order (documented in docs/api.md):
 * 1. `not enough reviews`: fewer than {@link MIN_CALIBRATION_ITEMS} reviewed inspections
 *    of the version in the range (the same floor the core's fit guard uses);
 * 2. `uncalibrated`: the card has no temperature;
 * 3. `drifting`: the ECE (15 equal-width bins) of the served probabilities on the reviews is
 *    above `max(DRIFT_FLOOR, DRIFT_FACTOR x the card's eceAfter)`;
 * 4. `ok` otherwise.
 *
 * A fit (the `calibration.fit` job) refits T on the reviews with the core's
 * `fitTemperature` and fit guard, refits the conformal threshold when the card has one, and
 * registers a new version of the model with the updated card, not activated: nothing changes
 * the active model silently.
 */
import {
  calibrateConformal,
  calibrationFigures,
  checkConformalLevel,
  checkTemperatureFit,
  fitTemperature,
  MIN_CALIBRATION_ITEMS,
  reliabilityDiagram,
  softmax,
} from '@xai-qc/core';
import type { CalibrationFigures, ModelCard, ReliabilityDiagram } from '@xai-qc/core';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import { badRequest } from '../errors/api-error.ts';
import type { ModelRegistryService } from './model-registry.service.ts';
import type { CalibrationQuery, CalibrationStatus } from '../schemas/calibration.schema.ts';

/** ECE below which a calibrated version is never called drifting. */
export const DRIFT_FLOOR = 0.05;
/** A calibrated version drifts when its ECE on reviews exceeds this many times the card's. */
export const DRIFT_FACTOR = 2;
/** Reviewed inspections read at most per status or fit (newest first). */
export const CALIBRATION_ITEMS_LIMIT = 200_000;

/** Reviewed probabilities and labels of a version. */
export interface ReviewedSet {
  /** [N*K] served probabilities, row-major. */
  probs: Float64Array;
  /** [N] the current reviews' classes. */
  labels: Int32Array;
  k: number;
}

/** Reads the reviewed inspections of one version (current review per inspection). */
export async function reviewedSet(db: Kysely<Database>, accountId: string, versionId: string, range: { from?: string; to?: string }): Promise<ReviewedSet> {
  let q = db
    .selectFrom('inspections as i')
    .innerJoin('reviews as r', (join) =>
      join
        .onRef('r.inspection_id', '=', 'i.id')
        .on(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 'i.id'))),
    )
    .select(['i.probabilities_json', 'r.class_index'])
    .where('i.account_id', '=', accountId)
    .where('i.model_version_id', '=', versionId);
  if (range.from !== undefined) q = q.where('i.created_at', '>=', range.from);
  if (range.to !== undefined) q = q.where('i.created_at', '<', range.to);
  const rows = await q.orderBy('i.created_at', 'desc').limit(CALIBRATION_ITEMS_LIMIT).execute();
  const first = rows.length > 0 ? (JSON.parse(rows[0].probabilities_json) as number[]) : [];
  const k = first.length;
  const probs = new Float64Array(rows.length * k);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const p = JSON.parse(r.probabilities_json) as number[];
    // Normalised again so that rows rounded in storage sum to 1 within the core's tolerance.
    const sum = p.reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) probs[i * k + j] = p[j] / sum;
    labels[i] = r.class_index;
  });
  return { probs, labels, k };
}

/** Logits equivalent to `probs` served at temperature `t` (equal up to a per-row constant). */
export function logitsOf(probs: Float64Array, t: number): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = t * Math.log(Math.max(probs[i], 1e-12));
  return out;
}

function diagramOut(d: ReliabilityDiagram) {
  return d.bins.map((b) => ({ lower: b.lower, upper: b.upper, count: b.count, meanConfidence: Number.isFinite(b.meanConfidence) ? b.meanConfidence : null, accuracy: Number.isFinite(b.accuracy) ? b.accuracy : null }));
}

function figuresOut(f: CalibrationFigures) {
  return { accuracy: f.accuracy, ece: f.ece, eceEqualMass: f.eceEqualMass, mce: f.mce, brier: f.brier, nll: f.nll };
}

/** Normalises an optional ISO date-time. */
function isoOrUndefined(s: string | undefined, name: string): string | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest('XQC_INVALID_ARGUMENT', `${name}: not a date-time`);
  return new Date(t).toISOString();
}

/** Checks and normalises a range. */
export function rangeOf(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const f = isoOrUndefined(from, 'from');
  const t = isoOrUndefined(to, 'to');
  if (f !== undefined && t !== undefined && f > t) throw badRequest('XQC_INVALID_RANGE', `from (${f}) is after to (${t})`);
  return { from: f, to: t };
}

/** What a calibration fit produced. */
export interface CalibrationFitResult {
  modelName: string;
  fromVersion: string;
  newVersion: string;
  newVersionId: string;
  temperature: number;
  previousTemperature: number | null;
  items: number;
  nllBefore: number;
  nllAfter: number;
  eceBefore: number;
  eceAfter: number;
  conformalThreshold: number | null;
}

/** See the module comment. */
export class CalibrationService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly registry: ModelRegistryService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async classifier(model: string, version: string | undefined) {
    const resolved = await this.registry.resolve(model, version);
    if (resolved.card.task !== 'classify') throw badRequest('XQC_CALIBRATION_TASK', `calibration is for classifiers; model '${model}' is a ${resolved.card.task} model`);
    return resolved;
  }

  /** Calibration status of a version (default: the active one) on the caller's reviews. */
  async status(principal: Principal, q: CalibrationQuery): Promise<CalibrationStatus> {
    const range = rangeOf(q.from, q.to);
    const { view, card } = await this.classifier(q.model, q.version);
    const set = await reviewedSet(this.db, principal.accountId, view.id, range);
    const temperature = card.calibration?.temperature ?? null;
    const cardEce = card.calibration?.eceAfter ?? null;
    const n = set.labels.length;
    const base = {
      model: view.modelName,
      version: view.version,
      versionId: view.id,
      range: { from: range.from ?? null, to: range.to ?? null },
      reviewed: n,
      temperature,
      cardEce,
      driftThreshold: temperature === null ? null : Math.max(DRIFT_FLOOR, DRIFT_FACTOR * (cardEce ?? 0)),
      minReviews: MIN_CALIBRATION_ITEMS,
    };
    if (n === 0) return { ...base, status: 'not enough reviews', served: null, beforeScaling: null, reliability: null };
    const served = calibrationFigures(set.probs, set.labels);
    const before = temperature === null ? null : softmax(logitsOf(set.probs, temperature), set.k);
    const status: CalibrationStatus['status'] =
      n < MIN_CALIBRATION_ITEMS ? 'not enough reviews' : temperature === null ? 'uncalibrated' : served.ece > (base.driftThreshold as number) ? 'drifting' : 'ok';
    return {
      ...base,
      status,
      served: figuresOut(served),
      beforeScaling: before === null ? null : figuresOut(calibrationFigures(before, set.labels)),
      reliability: {
        served: diagramOut(reliabilityDiagram(set.probs, set.labels)),
        beforeScaling: before === null ? null : diagramOut(reliabilityDiagram(before, set.labels)),
      },
    };
  }

  /** Checks a fit request before its job is queued (model, task, range). */
  async checkFit(model: string, version: string | undefined, from?: string, to?: string): Promise<{ version: string }> {
    rangeOf(from, to);
    const { view } = await this.classifier(model, version);
    return { version: view.version };
  }

  /**
   * Fits a new temperature (and conformal threshold) on `accountId`'s reviews of the version
   * and registers the result as a new, inactive version.
   * @throws XQC_CALIBRATION_REFUSED (core fit guard) when the reviews cannot support a fit.
   */
  async fit(accountId: string, p: { model: string; version: string; from?: string; to?: string; alpha?: number; createdBy?: string }): Promise<CalibrationFitResult> {
    const range = rangeOf(p.from, p.to);
    const { view, card } = await this.classifier(p.model, p.version);
    const set = await reviewedSet(this.db, accountId, view.id, range);
    const t0 = card.calibration?.temperature ?? 1;
    const logits = logitsOf(set.probs, t0);
    const fit = fitTemperature(logits, set.labels);
    checkTemperatureFit(fit);
    const after = softmax(logits, set.k, fit.temperature);
    let conformal = card.calibration?.conformal;
    if (conformal !== undefined || p.alpha !== undefined) {
      const alpha = p.alpha ?? (conformal as NonNullable<typeof conformal>).alpha;
      const score = conformal?.score ?? 'aps';
      checkConformalLevel(set.labels.length, alpha);
      const predictor = calibrateConformal(after, set.labels, { alpha, score });
      conformal = { ...(conformal ?? {}), alpha, score, threshold: predictor.quantile };
    }
    const stamp = this.clock().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '');
    const newVersion = `${card.version}-recal.${stamp}`;
    const newCard: ModelCard = {
      ...card,
      version: newVersion,
      calibration: {
        temperature: fit.temperature,
        ece: fit.eceBefore,
        eceAfter: fit.eceAfter,
        fittedOn: `reviews of account ${accountId} for ${view.modelName}@${view.version}${range.from ? ` from ${range.from}` : ''}${range.to ? ` to ${range.to}` : ''} (${set.labels.length} inspections)`,
        ...(conformal === undefined ? {} : { conformal }),
      },
    };
    const files = await this.registry.readVersionFiles(view.id);
    const parts = new Map<'model' | 'card', Uint8Array>([
      ['model', files.get('model.onnx') as Buffer],
      ['card', new TextEncoder().encode(JSON.stringify(newCard, null, 2))],
    ]);
    const stored = await this.registry.upload(parts, { activate: false, description: `recalibrated from ${view.version}`, createdBy: p.createdBy });
    return {
      modelName: view.modelName,
      fromVersion: view.version,
      newVersion,
      newVersionId: stored.id,
      temperature: fit.temperature,
      previousTemperature: card.calibration?.temperature ?? null,
      items: set.labels.length,
      nllBefore: fit.nllBefore,
      nllAfter: fit.nllAfter,
      eceBefore: fit.eceBefore,
      eceAfter: fit.eceAfter,
      conformalThreshold: conformal?.threshold ?? null,
    };
  }
}
