/**
 * Messages between the API (or job) thread and an explain worker (explain-worker.ts). Only
 * structured-clonable values cross: bytes as Uint8Array, summaries as plain JSON.
 */
import type { DegenerateMap, MapQuality } from '@xai-qc/core';

/** A model version as the worker loads it (sent with the first request for that version). */
export interface ExplainModel {
  /** ONNX bytes of the version. */
  onnx: Uint8Array;
  /** The model card, JSON. */
  cardJson: string;
}

/** A stored usable map that joins the aggregate: float32 .npy at model-input size. */
export interface StoredMember {
  method: string;
  modelMapNpy: Uint8Array;
}

/** What one explain request asks of the worker. */
export interface ExplainTask {
  /** Model version id (the worker keeps one Predictor per key). */
  key: string;
  /** Present when the worker has not loaded `key` yet. */
  model?: ExplainModel;
  /** The inspection's stored image bytes. */
  image: Uint8Array;
  /** Longest side of the decoded image the maps are drawn at. */
  maxSide: number;
  maxPixels: number;
  /** Methods to compute (may be empty when only the aggregate is missing). */
  methods: string[];
  target?: number;
  seed: number;
  params: Record<string, Record<string, unknown>>;
  /** Reviewed defect mask, an encoded image of the stored image's size (nonzero = defect). */
  mask?: Uint8Array;
  colormap: string;
  opacity: number;
  /** Compute the aggregate of these stored maps and the fresh usable ones (two or more). */
  aggregate?: { stored: StoredMember[] };
}

/** One computed method result. */
export interface MethodOutput {
  method: string;
  runtimeMs: number;
  evaluations: number;
  params: Record<string, unknown>;
  degenerate?: DegenerateMap;
  completenessError?: number;
  quality?: MapQuality;
  extras: Record<string, unknown>;
  width: number;
  height: number;
  /** float32 .npy [height, width] at the decoded image's size. */
  heatmapNpy: Uint8Array;
  /** float32 .npy at model-input size. */
  modelMapNpy: Uint8Array;
  heatmapPng: Uint8Array;
  overlayPng: Uint8Array;
}

/** The aggregate of the usable maps. */
export interface AggregateOutput {
  /** Members in the order the maps were combined, with their agreement with the consensus. */
  members: { method: string; agreement: number }[];
  score: number;
  meanSpearman: number;
  meanIou: number;
  width: number;
  height: number;
  npy: Uint8Array;
  png: Uint8Array;
  overlayPng: Uint8Array;
}

/** What the worker answers. */
export interface ExplainOutput {
  /** The target explained (set when methods ran). */
  target?: { index: number; label: string | null; reason: string };
  methods: MethodOutput[];
  aggregate?: AggregateOutput;
  /** Wall time in the worker, ms. */
  totalMs: number;
}

/** Requests to the worker. */
export type ExplainWorkerRequest = { type: 'explain'; id: number; task: ExplainTask } | { type: 'unload'; id: number; key: string };

/** Replies of the worker. */
export type ExplainWorkerReply =
  | { type: 'ready' }
  | { type: 'startError'; message: string }
  | { type: 'progress'; id: number; step: number; steps: number; stage: string }
  | { type: 'done'; id: number; output: ExplainOutput | null }
  | { type: 'error'; id: number; code: string; message: string };
