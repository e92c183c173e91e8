/**
 * The model upload form: building the multipart body the server takes (`model`, `card`,
 * the anomaly parts, `activate`, `description`) and placing the server's field errors
 * under the form's fields. An anomaly model's `anomaly.json` names its format, and with it
 * the other parts: PatchCore's `features.onnx` and `bank.npy`, or `network.onnx` of a
 * detector trained on simulated defects.
 */
import { isXaiQcApiError } from '@xai-qc/client';

/** Upload parts with a file input of their own. */
export const UPLOAD_PARTS = ['model', 'card', 'features', 'bank', 'anomaly', 'network'] as const;
/** An upload part. */
export type UploadPart = (typeof UPLOAD_PARTS)[number];

/** What the form holds. */
export interface ModelUploadInput {
  model: File | null;
  /** The card's YAML text (loaded from the chosen file, editable). */
  cardText: string;
  cardName?: string;
  features?: File | null;
  bank?: File | null;
  anomaly?: File | null;
  network?: File | null;
  activate: boolean;
  description?: string;
}

/** Problems the form finds before sending, by field. */
export function checkUpload(input: ModelUploadInput): Partial<Record<UploadPart, string>> {
  const out: Partial<Record<UploadPart, string>> = {};
  if (!input.model) out.model = 'Choose the ONNX model file.';
  else if (!/\.onnx$/i.test(input.model.name)) out.model = 'The model file must be an .onnx file.';
  if (!input.cardText.trim()) out.card = 'Choose the model card (model_card.yaml) or paste its text.';
  return out;
}

/** The multipart body of `POST /models`. */
export function uploadForm(input: ModelUploadInput): FormData {
  const form = new FormData();
  if (input.model) form.append('model', input.model, input.model.name);
  form.append('card', new Blob([input.cardText], { type: 'application/yaml' }), input.cardName || 'model_card.yaml');
  for (const part of ['features', 'bank', 'anomaly', 'network'] as const) {
    const f = input[part];
    if (f) form.append(part, f, f.name);
  }
  form.append('activate', input.activate ? 'true' : 'false');
  if (input.description?.trim()) form.append('description', input.description.trim());
  return form;
}

/** The file parts of each anomaly detector format beside `anomaly.json`, with their file names. */
export const ANOMALY_FORMAT_PARTS = Object.freeze({
  patchcore: [['features', 'features.onnx'], ['bank', 'bank.npy']] as const,
  simulated: [['network', 'network.onnx']] as const,
});

/** An anomaly detector format. */
export type AnomalyFormat = keyof typeof ANOMALY_FORMAT_PARTS;

/**
 * The format an `anomaly.json` text names (`xai-qc.patchcore` or `xai-qc.simulated`);
 * undefined when it is not JSON or names another (the server then says what is wrong).
 */
export function anomalyFormatOf(jsonText: string): AnomalyFormat | undefined {
  try {
    const format = (JSON.parse(jsonText) as { format?: unknown } | null)?.format;
    if (format === 'xai-qc.patchcore') return 'patchcore';
    if (format === 'xai-qc.simulated') return 'simulated';
  } catch {
    // Not JSON: the server's check names the problem.
  }
  return undefined;
}

/** True when the card text declares an anomaly task (the form then asks for the anomaly parts). */
export function cardIsAnomaly(cardText: string): boolean {
  return /^task:\s*["']?anomaly["']?\s*$/m.test(cardText);
}

/** The card's `name:` and `version:` lines, to say what will be registered. */
export function cardIdentity(cardText: string): { name?: string; version?: string } {
  const pick = (key: string) => new RegExp(`^${key}:\\s*["']?([^"'#\\n]+?)["']?\\s*(#.*)?$`, 'm').exec(cardText)?.[1]?.trim();
  return { name: pick('name'), version: pick('version') };
}

/**
 * The server's field errors by upload part; `rest` holds those naming no part of the form
 * (they stay in the summary above the fields).
 */
export function partErrors(error: unknown): { byPart: Partial<Record<UploadPart, string[]>>; rest: { field: string; message: string }[] } {
  const byPart: Partial<Record<UploadPart, string[]>> = {};
  const rest: { field: string; message: string }[] = [];
  if (!isXaiQcApiError(error)) return { byPart, rest };
  for (const e of error.errors) {
    const field = e.field.replace(/^\/?(body[./])?/, '').split(/[./]/)[0] ?? '';
    if ((UPLOAD_PARTS as readonly string[]).includes(field)) (byPart[field as UploadPart] ??= []).push(e.message);
    else rest.push(e);
  }
  return { byPart, rest };
}
