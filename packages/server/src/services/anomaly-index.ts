/**
 * The retrieval trace kept in step with the inspections: embeddings are computed lazily,
 * never in the /detect request. When an answer is asked, the inspection itself and then a
 * bounded batch of the account's not-yet-embedded inspections of that model version are
 * embedded (oldest first, in the anomaly worker thread) and stored; the `embedding.index`
 * job does the same in the background until nothing is pending. Searches run on one
 * in-memory {@link EmbeddingIndex} per (account, model version, layer), built from the
 * account's rows only (filtered in SQL) and refreshed when the stored count or the latest
 * embedding time changes: new rows are appended, a deletion (the rows cascade with their
 * inspection) rebuilds it.
 */
import type { ServingVersion } from '../repositories/inspection.repository.ts';
import type { EmbeddingRepository } from '../repositories/embedding.repository.ts';
import { vectorBytes } from '../repositories/embedding.repository.ts';
import type { AnomalyCompute } from './anomaly-compute.ts';
import { EmbeddingIndex, l2NormalizeRows } from './anomaly-core.ts';
import type { AnomalyModels, BlobBytes } from './anomaly-models.ts';

/** Inspections embedded per request by default (the rest is left to the job). */
export const CATCH_UP_BATCH = 64;
/** Images per call of the worker thread. */
const EMBED_CHUNK = 16;
/** (account, version) indexes kept in memory at most; the least recently used goes first. */
const MAX_CACHED_INDEXES = 32;

/** Dependencies of {@link AnomalyIndexer}. */
export interface AnomalyIndexerDeps {
  repo: Pick<EmbeddingRepository, 'pending' | 'countPending' | 'has' | 'insert' | 'state' | 'load' | 'vector'>;
  compute: Pick<AnomalyCompute, 'run'>;
  models: Pick<AnomalyModels, 'files'>;
  readBlob: BlobBytes;
  clock?: () => Date;
}

interface CachedIndex {
  index: EmbeddingIndex;
  count: number;
  latest: string | null;
}

/** See the module comment. */
export class AnomalyIndexer {
  private readonly cache = new Map<string, CachedIndex>();
  private readonly refreshing = new Map<string, Promise<EmbeddingIndex>>();
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly clock: () => Date;

  constructor(private readonly deps: AnomalyIndexerDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Embeds and stores the given inspections of `accountId` (all of version `v`). */
  private async embed(accountId: string, v: ServingVersion, items: readonly { id: string; imageSha256: string }[]): Promise<void> {
    if (items.length === 0) return;
    const model = await this.deps.models.files(v);
    for (let start = 0; start < items.length; start += EMBED_CHUNK) {
      const chunk = items.slice(start, start + EMBED_CHUNK);
      const images = await Promise.all(chunk.map((c) => this.deps.readBlob(c.imageSha256)));
      const embedded = await this.deps.compute.run('embed', { model, images });
      const dim = embedded.dim;
      // Stored rows are unit length, as EmbeddingIndex.restore requires (the embedder's are already).
      const vectors = l2NormalizeRows(embedded.vectors, chunk.length, dim);
      const embeddedAt = this.clock().toISOString();
      await this.deps.repo.insert(
        chunk.map((c, i) => ({
          inspection_id: c.id,
          account_id: accountId,
          model_version_id: v.id,
          layer: model.layer,
          dim,
          vector: vectorBytes(vectors.subarray(i * dim, (i + 1) * dim)),
          embedded_at: embeddedAt,
        })),
      );
    }
  }

  /**
   * Embeds inspection `first` when it is not yet (it is the one being answered), then up to
   * `limit` pending inspections of the account and version, oldest first.
   * @returns how many were embedded and how many are still pending
   */
  async catchUp(accountId: string, v: ServingVersion, limit = CATCH_UP_BATCH, first?: { id: string; imageSha256: string }): Promise<{ embedded: number; pending: number }> {
    // One catch-up per account and version at a time in this process: a concurrent answer
    // waits and then finds the batch embedded instead of embedding it twice. Across
    // processes the insert keeps the first embedding of an inspection.
    const key = `${accountId}\u0000${v.id}`;
    const run = (this.lanes.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.catchUpNow(accountId, v, limit, first));
    this.lanes.set(key, run);
    try {
      return await run;
    } finally {
      if (this.lanes.get(key) === run) this.lanes.delete(key);
    }
  }

  private async catchUpNow(accountId: string, v: ServingVersion, limit: number, first?: { id: string; imageSha256: string }): Promise<{ embedded: number; pending: number }> {
    let embedded = 0;
    if (first && !(await this.deps.repo.has(accountId, first.id))) {
      await this.embed(accountId, v, [first]);
      embedded++;
    }
    const batch = limit > 0 ? await this.deps.repo.pending(accountId, v.id, limit) : [];
    await this.embed(accountId, v, batch);
    embedded += batch.length;
    return { embedded, pending: await this.deps.repo.countPending(accountId, v.id) };
  }

  /**
   * Embeds those of `items` (inspections of `accountId`, all of version `v`) that have no
   * embedding yet, in the same lane as {@link catchUp} (a monitor's windows).
   * @returns how many were embedded
   */
  async ensure(accountId: string, v: ServingVersion, items: readonly { id: string; imageSha256: string }[]): Promise<number> {
    const key = `${accountId}\u0000${v.id}`;
    const run = (this.lanes.get(key) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const missing: { id: string; imageSha256: string }[] = [];
      for (const item of items) if (!(await this.deps.repo.has(accountId, item.id))) missing.push(item);
      await this.embed(accountId, v, missing);
      return missing.length;
    });
    this.lanes.set(key, run);
    try {
      return await run;
    } finally {
      if (this.lanes.get(key) === run) this.lanes.delete(key);
    }
  }

  /** The account's index of version `v`, current with the stored embeddings. */
  async index(accountId: string, v: ServingVersion): Promise<EmbeddingIndex> {
    const layer = (await this.deps.models.files(v)).layer;
    const key = `${accountId}\u0000${v.id}\u0000${layer}`;
    const inFlight = this.refreshing.get(key);
    if (inFlight) return inFlight;
    const p = this.refresh(key, accountId, v, layer).finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, p);
    return p;
  }

  private async refresh(key: string, accountId: string, v: ServingVersion, layer: string): Promise<EmbeddingIndex> {
    const state = await this.deps.repo.state(accountId, v.id, layer);
    const cached = this.cache.get(key);
    this.cache.delete(key);
    let entry: CachedIndex | undefined;
    if (cached && cached.count === state.count && cached.latest === state.latest) entry = cached;
    else if (cached && cached.latest !== null && state.count > cached.count) {
      for (const r of await this.deps.repo.load(accountId, v.id, layer, cached.latest)) {
        if (!cached.index.has(r.inspectionId)) cached.index.add({ id: r.inspectionId, verdict: r.verdict, review: null }, r.vector);
      }
      if (cached.index.size === state.count) entry = { index: cached.index, count: state.count, latest: state.latest };
    }
    entry ??= await this.build(accountId, v, layer);
    this.cache.set(key, entry);
    while (this.cache.size > MAX_CACHED_INDEXES) this.cache.delete(this.cache.keys().next().value as string);
    return entry.index;
  }

  private async build(accountId: string, v: ServingVersion, layer: string): Promise<CachedIndex> {
    const rows = await this.deps.repo.load(accountId, v.id, layer);
    const dim = rows[0]?.vector.length ?? 1;
    const flat = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => flat.set(r.vector, i * dim));
    const index = EmbeddingIndex.restore(
      dim,
      rows.map((r) => ({ id: r.inspectionId, verdict: r.verdict, review: null })),
      flat,
      { model: v.id, layer },
    );
    return { index, count: rows.length, latest: rows.length ? rows[rows.length - 1].embeddedAt : null };
  }

  /**
   * The `k` inspections of the account most similar to inspection `id` (itself left out),
   * most similar first. The inspection must be embedded (see {@link catchUp}).
   */
  async similar(accountId: string, v: ServingVersion, id: string, k: number): Promise<{ hits: { id: string; similarity: number }[]; indexed: number }> {
    const index = await this.index(accountId, v);
    const query = await this.deps.repo.vector(accountId, id);
    if (!query || index.size <= 1) return { hits: [], indexed: index.size };
    const hits = await index.search(query, k + 1);
    return { hits: hits.filter((h) => h.id !== id).slice(0, k).map((h) => ({ id: h.id, similarity: h.similarity })), indexed: index.size };
  }
}
