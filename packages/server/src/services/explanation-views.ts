/**
 * How stored explanations and aggregates look through the API: their rows as DTOs with the
 * links to their blobs, and the media type of each blob file.
 */
import { API_PREFIX } from '../api-prefix.ts';
import type { AggregateRow, ExplanationRow } from '../db/tables/explanations.tables.ts';
import type { ExplanationAggregateDto, ExplanationDto } from '../schemas/explanation.schema.ts';

/** The blob files of a stored result or aggregate. */
export type ExplanationFile = 'heatmap.npy' | 'heatmap.png' | 'overlay.png';

/** Media type of each blob file. */
export const EXPLANATION_MEDIA_TYPES: Readonly<Record<ExplanationFile, string>> = Object.freeze({ 'heatmap.npy': 'application/octet-stream', 'heatmap.png': 'image/png', 'overlay.png': 'image/png' });

/**
 * A stored result as the API shows it.
 * @param agreement with the aggregate of the answer it is part of (omitted outside an answer)
 */
export function explanationView(r: ExplanationRow, agreement?: number | null): ExplanationDto {
  const base = `${API_PREFIX}/explanations/${r.id}`;
  const dto: ExplanationDto = {
    id: r.id,
    inspectionId: r.inspection_id,
    method: r.method,
    target: { key: r.target_key, index: r.target_index, label: r.target_label, reason: r.target_reason },
    params: JSON.parse(r.params_json) as Record<string, unknown>,
    seed: r.seed,
    width: r.width,
    height: r.height,
    runtimeMs: r.runtime_ms,
    evaluations: r.evaluations,
    completenessError: r.completeness_error,
    degenerate: r.degenerate_json === null ? null : (JSON.parse(r.degenerate_json) as { reason: string; message: string }),
    quality: r.quality_json === null ? null : (JSON.parse(r.quality_json) as Record<string, unknown>),
    colormap: r.colormap,
    opacity: r.opacity,
    extras: JSON.parse(r.extras_json) as Record<string, unknown>,
    jobId: r.job_id,
    createdAt: r.created_at,
    links: { heatmapNpy: `${base}/heatmap.npy`, heatmapPng: `${base}/heatmap.png`, overlay: `${base}/overlay.png` },
  };
  if (agreement !== undefined) dto.agreement = agreement;
  return dto;
}

/** A stored aggregate as the API shows it. */
export function aggregateView(r: AggregateRow): ExplanationAggregateDto {
  const base = `${API_PREFIX}/explanations/aggregates/${r.id}`;
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    targetKey: r.target_key,
    seed: r.seed,
    members: JSON.parse(r.members_json) as ExplanationAggregateDto['members'],
    excluded: JSON.parse(r.excluded_json) as string[],
    score: r.score,
    meanSpearman: r.mean_spearman,
    meanIou: r.mean_iou,
    width: r.width,
    height: r.height,
    colormap: r.colormap,
    opacity: r.opacity,
    createdAt: r.created_at,
    links: { heatmapNpy: `${base}/heatmap.npy`, heatmapPng: `${base}/heatmap.png`, overlay: `${base}/overlay.png` },
  };
}
