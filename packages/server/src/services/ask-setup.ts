/**
 * The ask services of one app, built once and shared by the question and knowledge routes:
 * the knowledge base (services/ask-knowledge.ts), the context builder over the app's
 * repositories and blobs, the similar-case search through the anomaly answers' embedding
 * index (its own anomaly worker thread, started on demand), and the ask service over the
 * app's review service.
 */
import type { App } from '../app.ts';
import type { Config } from '../config/load-config.ts';
import { eventSink } from '../events/event-sink.ts';
import { EmbeddingRepository } from '../repositories/embedding.repository.ts';
import { ExplanationRepository } from '../repositories/explanation.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { KnowledgeRepository } from '../repositories/knowledge.repository.ts';
import { MetricsRepository } from '../repositories/metrics.repository.ts';
import { QuestionRepository } from '../repositories/question.repository.ts';
import { ReviewRepository } from '../repositories/review.repository.ts';
import { AnomalyCompute } from './anomaly-compute.ts';
import { AnomalyIndexer, CATCH_UP_BATCH } from './anomaly-index.ts';
import { AnomalyModels } from './anomaly-models.ts';
import { AskContextBuilder } from './ask-context.ts';
import type { SimilarSearch } from './ask-context.ts';
import { CORE_ANSWERER, embedderOf } from './ask-core.ts';
import { KnowledgeService } from './ask-knowledge.ts';
import { AskService } from './ask.service.ts';
import { extractDocumentText } from './document-text.ts';

/** The services of {@link askServices}. */
export interface AskServices {
  ask: AskService;
  knowledge: KnowledgeService;
}

// Keyed by the app's database: each route plugin sees its own encapsulated instance of the app.
const built = new WeakMap<object, AskServices>();

/** The app's ask services, built on first use (closing the app ends their worker thread). */
export function askServices(app: App, config: Config): AskServices {
  const existing = built.get(app.db);
  if (existing) return existing;
  const readBlob = async (sha256: string): Promise<Uint8Array> => (await app.blobs.get(sha256)).bytes;
  const knowledge = new KnowledgeService({
    repo: new KnowledgeRepository(app.db),
    extract: (bytes, filename, declaredType) => extractDocumentText(bytes, filename, declaredType),
    embed: config.ask.embed ? embedderOf(config.ask.embed) : undefined,
    maxBytes: config.ask.kbMaxBytes,
    onEmbedError: (err) => app.log.warn({ err }, 'knowledge base: the embedding endpoint failed; BM25 only for now'),
  });
  const inspections = new InspectionRepository(app.db);
  const embeddings = new EmbeddingRepository(app.db);
  let compute: AnomalyCompute | undefined;
  let indexer: AnomalyIndexer | undefined;
  const indexerOf = (): AnomalyIndexer => {
    if (!indexer) {
      compute = new AnomalyCompute();
      indexer = new AnomalyIndexer({ repo: embeddings, compute, models: new AnomalyModels(config.dataDir, readBlob), readBlob });
    }
    return indexer;
  };
  app.addHook('onClose', async () => compute?.close());
  const similar: SimilarSearch = {
    async similar(accountId, version, row, k, embed) {
      if (version.task !== 'anomaly') return undefined;
      if (embed) {
        const { pending } = await indexerOf().catchUp(accountId, version, CATCH_UP_BATCH, { id: row.id, imageSha256: row.image_sha256 });
        if (pending > 0) await app.jobQueue.enqueue('embedding.index', { versionId: version.id }, { accountId, dedupeKey: version.id, priority: -1 });
      } else if (!(await embeddings.has(accountId, row.id))) return [];
      return (await indexerOf().similar(accountId, version, row.id, k)).hits;
    },
  };
  const reviews = new ReviewRepository(app.db);
  const questions = new QuestionRepository(app.db);
  const context = new AskContextBuilder({
    inspections,
    explanations: new ExplanationRepository(app.db),
    reviews,
    metrics: new MetricsRepository(app.db),
    questions,
    blobs: { get: readBlob },
    similar,
  });
  const events = eventSink(app.events, app.log);
  const ask = new AskService({
    questions,
    inspections,
    context,
    core: CORE_ANSWERER,
    retrieve: (accountId, q, k) => knowledge.retrieve(accountId, q, k),
    reviews: app.reviews,
    image: readBlob,
    llm: config.ask.llm,
    onReview: (principal, review) =>
      events(principal.accountId, 'review.created', { inspectionId: review.inspectionId, reviewId: review.id, verdict: review.verdict, label: review.label, agrees: review.decision === 'confirm', reviewer: review.reviewer.subject }),
  });
  const services = { ask, knowledge };
  built.set(app.db, services);
  return services;
}
