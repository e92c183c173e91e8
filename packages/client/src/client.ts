/**
 * A small typed client for the XAI-QC REST API over openapi-fetch: paths, parameters and
 * bodies are typed from the generated OpenAPI types, credentials (bearer token or API key)
 * are added to every request, and every non-2xx answer is thrown as an {@link XaiQcApiError}.
 *
 * @example
 * const xqc = createXaiQcClient({ baseUrl: 'http://127.0.0.1:8080', token: session.access_token });
 * const { items } = await data(xqc.GET('/api/xai-qc/models'));
 */
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import type { paths } from './generated/api.ts';
import { XaiQcApiError } from './xai-qc-api-error.ts';

/** The typed client: `GET`, `POST`, `DELETE`, ... on the API's paths. */
export type XaiQcClient = Client<paths>;

/** A bearer token, or a function returning the current one (refreshed sessions). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/** Options of {@link createXaiQcClient}. */
export interface XaiQcClientOptions {
  /** Server origin, e.g. `http://127.0.0.1:8080` (paths carry the `/api/xai-qc` prefix). */
  baseUrl: string;
  /** Bearer token: a local access token or an identity provider's (Supabase) access token. */
  token?: TokenSource;
  /** API key (`xqc_<prefix>_<secret>`), sent as `x-api-key`; used when no token is given. */
  apiKey?: string;
  /** fetch to use (default `globalThis.fetch`). */
  fetch?: (input: Request) => Promise<Response>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/**
 * Creates a client. Requests carry `authorization: Bearer <token>` (or `x-api-key`);
 * answers outside 2xx reject with {@link XaiQcApiError}.
 */
export function createXaiQcClient(options: XaiQcClientOptions): XaiQcClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  client.use({
    async onRequest({ request }) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      else if (options.apiKey) request.headers.set('x-api-key', options.apiKey);
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw await XaiQcApiError.fromResponse(response.clone());
      return undefined;
    },
  });
  return client;
}

/**
 * The data of a successful call (the client throws on errors, so a resolved call has data).
 * @example const version = await data(xqc.POST('/api/xai-qc/models/{model}/versions/{version}/activate', { params: { path: { model, version } } }));
 */
export async function data<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data: body, response } = await call;
  if (body === undefined && response.status !== 204) {
    throw new XaiQcApiError({ status: response.status, code: 'XQC_EMPTY_RESPONSE', detail: 'the server answered without a body', requestId: response.headers.get('x-request-id') ?? undefined });
  }
  return body as T;
}
