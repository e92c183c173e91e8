/**
 * Tables of reviews (migration 0008-reviews): an operator's ground truth for an inspection,
 * append-only (a later review supersedes the one before and names it; history is kept), and
 * the claims that let one reviewer at a time work a queue item.
 */
import type { Insertable, Selectable } from 'kysely';

/** One review of one inspection. */
export interface ReviewsTable {
  id: string;
  account_id: string;
  inspection_id: string;
  /** The review this one supersedes (the latest before it), null for the first. */
  supersedes_id: string | null;
  /** Principal subject and display name of the reviewer. */
  reviewer: string;
  reviewer_name: string | null;
  created_at: string;
  /** The true verdict: `pass` or `reject`. */
  verdict: string;
  /** The true class label (one of the inspection's labels). */
  label: string;
  class_index: number;
  /** 1 when verdict and label equal the model's (a confirmation), 0 for an override. */
  agrees: number;
  /** Corrected defect mask at the image's size, binary grayscale PNG blob. */
  mask_sha256: string | null;
  /** Corrected boxes, JSON `[{ label, box: [x0, y0, x1, y1] }]`. */
  boxes_json: string | null;
  comment: string | null;
}

/** A reviewer's hold on an inspection of the queue, until `expires_at`. */
export interface ReviewClaimsTable {
  inspection_id: string;
  account_id: string;
  reviewer: string;
  claimed_at: string;
  expires_at: string;
}

/** The review tables, merged into the app's `Database`. */
export interface ReviewTables {
  reviews: ReviewsTable;
  review_claims: ReviewClaimsTable;
}

/** A review row. */
export type ReviewRow = Selectable<ReviewsTable>;
/** A new review row. */
export type NewReviewRow = Insertable<ReviewsTable>;
/** A claim row. */
export type ReviewClaimRow = Selectable<ReviewClaimsTable>;
