/**
 * Reviews: an operator's ground truth for an inspection, and the review queue.
 *
 * - `submit` checks everything before storing anything (the inspection is the caller's, the
 *   label is one of its labels, the mask decodes at exactly the image's size, the boxes lie in
 *   the image, no other reviewer holds the item), then stores the mask blob, the review row
 *   and the claim's release in one transaction. Reviews are append-only: a new one names the
 *   review it supersedes; `history` returns them all, newest first.
 * - `queue` draws the queue (services/review-queue.ts) from the newest
 *   {@link QUEUE_WINDOW} unreviewed inspections that match the filters.
 * - `claim` gives one reviewer an item for {@link CLAIM_MS}; another reviewer's claim, until it
 *   expires, makes `claim` and `submit` answer 409 XQC_REVIEW_CLAIMED.
 * - `groundTruthMask` is what explanations and metrics read: the current review's mask.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { decodeImage, encodePng, rleToMask } from '@xai-qc/core';
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import type { ReviewRow } from '../db/tables/reviews.tables.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors/api-error.ts';
import type { InspectionRepository } from '../repositories/inspection.repository.ts';
import type { ReviewRepository } from '../repositories/review.repository.ts';
import type { ClaimOut, QueuePage, QueueQuery, Review, ReviewInput } from '../schemas/review.schema.ts';
import { compareQueueItems, DEFAULT_QUEUE_POLICY, QUEUE_REASONS, queueEntry } from './review-queue.ts';
import type { QueueReason } from './review-queue.ts';

/** How long a claim holds, ms: 15 minutes. */
export const CLAIM_MS = 15 * 60 * 1000;
/** Unreviewed inspections the queue is drawn from, newest first. */
export const QUEUE_WINDOW = 5000;

/** Blob operations the service needs. */
export interface ReviewBlobs {
  /** Stores `items` and runs `within` in one transaction (storage/blobs.ts putWith). */
  storeWith<T>(items: readonly { bytes: Uint8Array; mediaType: string }[], within: (keys: string[], trx: Transaction<Database>) => Promise<T>): Promise<T>;
  get(sha256: string): Promise<Uint8Array>;
}

/** Dependencies of {@link ReviewService}. */
export interface ReviewServiceDeps {
  reviews: ReviewRepository;
  inspections: Pick<InspectionRepository, 'find'>;
  blobs: ReviewBlobs;
  clock?: () => Date;
}

function reviewOf(r: ReviewRow, inspection: { verdict: string; label: string }): Review {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    supersedesId: r.supersedes_id,
    reviewer: { subject: r.reviewer, name: r.reviewer_name },
    createdAt: r.created_at,
    verdict: r.verdict as Review['verdict'],
    label: r.label,
    classIndex: r.class_index,
    decision: r.verdict === inspection.verdict && r.label === inspection.label ? 'confirm' : 'override',
    maskUrl: r.mask_sha256 === null ? null : `${API_PREFIX}/reviews/${r.id}/mask.png`,
    boxes: r.boxes_json === null ? [] : (JSON.parse(r.boxes_json) as Review['boxes']),
    comment: r.comment,
  };
}

/** A binary mask (0/255, one channel) at `width` x `height` from the review body. */
async function maskFrom(input: NonNullable<ReviewInput['mask']>, width: number, height: number): Promise<Uint8Array> {
  const out = new Uint8Array(width * height);
  if ('png' in input) {
    const bytes = Buffer.from(input.png, 'base64');
    let img;
    try {
      img = await decodeImage(new Uint8Array(bytes));
    } catch (e) {
      throw badRequest('XQC_REVIEW_MASK', `mask.png: not a decodable image (${e instanceof Error ? e.message : String(e)})`);
    }
    if (img.width !== width || img.height !== height) throw badRequest('XQC_REVIEW_MASK', `mask.png: ${img.width} x ${img.height}, the image is ${width} x ${height}`);
    for (let i = 0; i < out.length; i++) {
      let on = false;
      for (let c = 0; c < img.channels; c++) if (img.data[i * img.channels + c] !== 0) on = true;
      out[i] = on ? 255 : 0;
    }
    return out;
  }
  const [h, w] = input.rle.size;
  if (h !== height || w !== width) throw badRequest('XQC_REVIEW_MASK', `mask.rle: size [${h}, ${w}], the image is [${height}, ${width}] ([height, width])`);
  const total = input.rle.counts.reduce((a, b) => a + b, 0);
  if (total !== width * height) throw badRequest('XQC_REVIEW_MASK', `mask.rle: the counts cover ${total} pixels, the image has ${width * height}`);
  const m = rleToMask({ size: [h, w], counts: input.rle.counts });
  for (let i = 0; i < out.length; i++) out[i] = m[i] ? 255 : 0;
  return out;
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(s: string): number {
  try {
    const v = (JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  } catch {
    // reported below
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned');
}

/**
 * The current review's mask of inspection `id` of `accountId` as the stored PNG (binary,
 * grayscale, at the image's size), or undefined when its current review has no mask (or it
 * has no review). What explanations take as ground truth for their quality figures.
 */
export async function currentReviewMaskPng(
  reviews: Pick<ReviewRepository, 'history'>,
  readBlob: (sha256: string) => Promise<Uint8Array>,
  accountId: string,
  id: string,
): Promise<Uint8Array | undefined> {
  const [current] = await reviews.history(accountId, id);
  return current && current.mask_sha256 !== null ? readBlob(current.mask_sha256) : undefined;
}

/** {@link currentReviewMaskPng} decoded: 0/1 values, row-major at the image's size. */
export async function currentReviewMask(
  reviews: Pick<ReviewRepository, 'history'>,
  readBlob: (sha256: string) => Promise<Uint8Array>,
  accountId: string,
  id: string,
): Promise<{ width: number; height: number; data: Uint8Array } | undefined> {
  const png = await currentReviewMaskPng(reviews, readBlob, accountId, id);
  if (png === undefined) return undefined;
  const img = await decodeImage(png);
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * img.channels] !== 0 ? 1 : 0;
  return { width: img.width, height: img.height, data };
}

/** See the module comment. */
export class ReviewService {
  private readonly clock: () => Date;

  constructor(private readonly deps: ReviewServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private async inspection(principal: Principal, id: string) {
    const found = await this.deps.inspections.find(principal.accountId, id);
    if (!found) throw notFound(`inspection ${id}`);
    return found.row;
  }

  /**
   * Records `input` as the current review of inspection `id`.
   * @throws 404 for another account's or an unknown inspection; 400 XQC_REVIEW_LABEL, XQC_REVIEW_MASK, XQC_REVIEW_BOX; 409 XQC_REVIEW_CLAIMED.
   */
  async submit(principal: Principal, id: string, input: ReviewInput): Promise<Review> {
    const row = await this.inspection(principal, id);
    const labels = JSON.parse(row.labels_json) as string[];
    const label = input.label ?? (input.verdict === row.verdict ? row.label : undefined);
    if (label === undefined) throw badRequest('XQC_REVIEW_LABEL', `label: required when the verdict differs from the model's (${row.verdict}); one of ${labels.join(', ')}`);
    const classIndex = labels.indexOf(label);
    if (classIndex < 0) throw badRequest('XQC_REVIEW_LABEL', `label: '${label}' is not a label of this model; one of ${labels.join(', ')}`);
    for (const [i, b] of (input.boxes ?? []).entries()) {
      const [x0, y0, x1, y1] = b.box;
      if (!(x0 >= 0 && y0 >= 0 && x1 <= row.image_width && y1 <= row.image_height && x0 < x1 && y0 < y1)) {
        throw badRequest('XQC_REVIEW_BOX', `boxes[${i}].box: [${b.box.join(', ')}] is not inside the ${row.image_width} x ${row.image_height} image with x0 < x1 and y0 < y1`);
      }
      if (!labels.includes(b.label)) throw badRequest('XQC_REVIEW_LABEL', `boxes[${i}].label: '${b.label}' is not a label of this model; one of ${labels.join(', ')}`);
    }
    const mask = input.mask === undefined ? undefined : await maskFrom(input.mask, row.image_width, row.image_height);
    const now = this.clock().toISOString();
    const claim = await this.deps.reviews.claimOf(principal.accountId, id);
    if (claim && claim.reviewer !== principal.subject && claim.expires_at > now) {
      throw conflict('XQC_REVIEW_CLAIMED', `another reviewer (${claim.reviewer}) holds this inspection until ${claim.expires_at}`);
    }
    const items = mask === undefined ? [] : [{ bytes: await encodePng({ width: row.image_width, height: row.image_height, channels: 1, data: mask }), mediaType: 'image/png' }];
    const reviewId = randomUUID();
    const stored = await this.deps.blobs.storeWith(items, async (keys, trx) => {
      const [previous] = await this.deps.reviews.history(principal.accountId, id, trx);
      const review = {
        id: reviewId,
        account_id: principal.accountId,
        inspection_id: id,
        supersedes_id: previous?.id ?? null,
        reviewer: principal.subject,
        reviewer_name: principal.name ?? null,
        // Strictly after the superseded review, so history order never ties.
        created_at: previous && previous.created_at >= now ? new Date(Date.parse(previous.created_at) + 1).toISOString() : now,
        verdict: input.verdict,
        label,
        class_index: classIndex,
        agrees: input.verdict === row.verdict && label === row.label ? 1 : 0,
        mask_sha256: keys[0] ?? null,
        boxes_json: input.boxes === undefined ? null : JSON.stringify(input.boxes),
        comment: input.comment ?? null,
      };
      await this.deps.reviews.insert(review, trx);
      await this.deps.reviews.release(principal.accountId, id, undefined, trx);
      return review;
    });
    return reviewOf(stored as ReviewRow, row);
  }

  /** Every review of inspection `id`, newest first. */
  async history(principal: Principal, id: string): Promise<{ items: Review[] }> {
    const row = await this.inspection(principal, id);
    return { items: (await this.deps.reviews.history(principal.accountId, id)).map((r) => reviewOf(r, row)) };
  }

  /** The corrected mask PNG of review `id`. @throws 404 when unknown, another account's, or without a mask. */
  async maskPng(principal: Principal, id: string): Promise<Uint8Array> {
    const r = await this.deps.reviews.find(principal.accountId, id);
    if (!r || r.mask_sha256 === null) throw notFound(`mask of review ${id}`);
    return this.deps.blobs.get(r.mask_sha256);
  }

  /**
   * The current review's mask of inspection `id` of `accountId` as 0/1 values, row-major at
   * the image's size, or undefined when the inspection has no review with a mask.
   */
  async groundTruthMask(accountId: string, id: string): Promise<{ width: number; height: number; data: Uint8Array } | undefined> {
    return currentReviewMask(this.deps.reviews, (sha) => this.deps.blobs.get(sha), accountId, id);
  }

  /** The current review's mask PNG of inspection `id` of `accountId`, or undefined. */
  async groundTruthMaskPng(accountId: string, id: string): Promise<Uint8Array | undefined> {
    return currentReviewMaskPng(this.deps.reviews, (sha) => this.deps.blobs.get(sha), accountId, id);
  }

  /** A page of the review queue. */
  async queue(principal: Principal, q: QueueQuery): Promise<QueuePage> {
    const norm = (s: string | undefined, name: string): string | undefined => {
      if (s === undefined) return undefined;
      const t = Date.parse(s);
      if (Number.isNaN(t)) throw badRequest('XQC_INVALID_ARGUMENT', `${name}: not a date-time`);
      return new Date(t).toISOString();
    };
    const from = norm(q.from, 'from');
    const to = norm(q.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw badRequest('XQC_INVALID_RANGE', `from (${from}) is after to (${to})`);
    const policy = {
      strategy: q.strategy ?? DEFAULT_QUEUE_POLICY.strategy,
      uncertainMin: q.uncertainMin ?? DEFAULT_QUEUE_POLICY.uncertainMin,
      auditRate: q.auditRate ?? DEFAULT_QUEUE_POLICY.auditRate,
      confidentRate: q.confidentRate ?? DEFAULT_QUEUE_POLICY.confidentRate,
    };
    const now = this.clock().toISOString();
    const window = await this.deps.reviews.unreviewed(principal.accountId, { model: q.model, from, to }, QUEUE_WINDOW + 1);
    const truncated = window.length > QUEUE_WINDOW;
    const counts = Object.fromEntries(QUEUE_REASONS.map((r) => [r, 0])) as Record<QueueReason, number>;
    const entries: (QueuePage['items'][number] & { id: string })[] = [];
    for (const row of window.slice(0, QUEUE_WINDOW)) {
      const details = JSON.parse(row.details_json) as { uncertainty?: { mutualInformation?: number } };
      const entry = queueEntry({ id: row.id, referred: row.referred === 1, probabilities: JSON.parse(row.probabilities_json) as number[], mutualInformation: details.uncertainty?.mutualInformation }, policy);
      if (!entry) continue;
      const held = row.claim_reviewer !== null && row.claim_expires_at !== null && row.claim_expires_at > now;
      const mine = held && row.claim_reviewer === principal.subject;
      if (held && !mine && q.includeClaimed !== true) continue;
      counts[entry.reason]++;
      if (q.reason !== undefined && entry.reason !== q.reason) continue;
      entries.push({
        id: row.id,
        inspectionId: row.id,
        createdAt: row.created_at,
        model: { name: row.model_name, version: row.model_version },
        verdict: row.verdict,
        label: row.label,
        score: row.score,
        reason: entry.reason,
        uncertainty: entry.uncertainty,
        claim: held ? { reviewer: row.claim_reviewer as string, expiresAt: row.claim_expires_at as string, mine } : null,
      });
    }
    entries.sort(compareQueueItems);
    const offset = q.cursor === undefined ? 0 : decodeCursor(q.cursor);
    const limit = q.limit ?? 50;
    const page = entries.slice(offset, offset + limit).map(({ id: _id, ...item }) => item);
    return {
      items: page,
      counts,
      total: entries.length,
      window: { size: Math.min(window.length, QUEUE_WINDOW), limit: QUEUE_WINDOW, truncated },
      nextCursor: offset + limit < entries.length ? encodeCursor(offset + limit) : null,
    };
  }

  /**
   * Claims inspection `id` for the caller for {@link CLAIM_MS} (renews the caller's own claim).
   * @throws 404 unknown or another account's; 409 XQC_REVIEW_CLAIMED when another reviewer holds it. A reviewed item may be claimed again for a second review.
   */
  async claim(principal: Principal, id: string): Promise<ClaimOut> {
    await this.inspection(principal, id);
    const now = this.clock();
    const got = await this.deps.reviews.claim(principal.accountId, id, principal.subject, now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString());
    if (!got) {
      const held = await this.deps.reviews.claimOf(principal.accountId, id);
      throw new ApiError(409, 'XQC_REVIEW_CLAIMED', `another reviewer (${held?.reviewer ?? 'unknown'}) holds this inspection until ${held?.expires_at ?? 'soon'}`);
    }
    return { inspectionId: got.inspection_id, reviewer: got.reviewer, claimedAt: got.claimed_at, expiresAt: got.expires_at };
  }

  /** Releases the caller's claim on `id`. @throws 404 when the caller holds none. */
  async release(principal: Principal, id: string): Promise<void> {
    await this.inspection(principal, id);
    if (!(await this.deps.reviews.release(principal.accountId, id, principal.subject))) throw notFound(`your claim on inspection ${id}`);
  }
}
