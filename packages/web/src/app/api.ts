/**
 * The one API client of the web app (`@xai-qc/client`), with the session's token on every
 * call. A 401 marks the session expired (a sign-in dialog opens over the page). Also:
 * uploads as multipart, and authorised binary files (images, heatmaps, reports) as blobs,
 * because an <img> cannot send a bearer token.
 */
import { createXaiQcClient, XaiQcApiError } from '@xai-qc/client';
import type { XaiQcClient } from '@xai-qc/client';
import { currentAccessToken, expireSession } from './session.ts';

/** The API prefix every path carries. */
export const API_PREFIX = '/api/xai-qc';

async function authedFetch(request: Request): Promise<Response> {
  const res = await fetch(request);
  if (res.status === 401 && !request.url.includes('/auth/login')) expireSession();
  return res;
}

/** The typed client: `api.GET('/api/xai-qc/models')`, ... */
export const api: XaiQcClient = createXaiQcClient({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  token: currentAccessToken,
  fetch: authedFetch,
});

async function authHeaders(): Promise<Record<string, string>> {
  const token = await currentAccessToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Throws the server's problem as an {@link XaiQcApiError} when `res` is not 2xx. */
async function ensureOk(res: Response): Promise<Response> {
  if (res.status === 401) expireSession();
  if (!res.ok) throw await XaiQcApiError.fromResponse(res);
  return res;
}

/**
 * POSTs multipart form data (files and fields) to an API path, e.g. `/detect`.
 * @returns the parsed JSON answer.
 */
export async function postForm<T>(path: string, form: FormData, init: { signal?: AbortSignal; query?: Record<string, string | number | boolean | undefined> } = {}): Promise<T> {
  const url = new URL(API_PREFIX + path, window.location.origin);
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const res = await ensureOk(await fetch(url, { method: 'POST', body: form, headers: await authHeaders(), signal: init.signal }));
  return (await res.json()) as T;
}

/** GETs a binary API file (image, PNG heatmap, PDF) as a Blob with the session's token. */
export async function getBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const url = path.startsWith('/api/') ? path : API_PREFIX + path;
  const res = await ensureOk(await fetch(url, { headers: await authHeaders(), signal }));
  return res.blob();
}

/** Saves a Blob as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
