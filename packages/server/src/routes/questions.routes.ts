/**
 * Question routes under the API prefix: `POST /inspections/:id/questions` (viewer: ask about
 * an inspection), `GET /inspections/:id/questions` (viewer: the questions asked, oldest
 * first), `POST /questions/:id/feedback` (viewer; a correction needs operator, as a review
 * does) and `GET /questions` (engineer: the answers marked unhelpful). The account comes
 * from the principal: another account's inspection or question is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { unauthorized } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import { AnswerFeedbackSchema, AnswerSchema, AskInputSchema, CitationSchema, FeedbackInputSchema, QuestionHistorySchema, QuestionListQuerySchema, QuestionPageSchema, QuestionRef, QuestionSchema } from '../schemas/question.schema.ts';
import { askServices } from '../services/ask-setup.ts';

/** Options of {@link questionRoutes}. */
export interface QuestionRoutesOptions {
  config: Config;
}

const TAGS = ['questions'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

const ASK_DESCRIPTION =
  'Answers a question in plain language from the inspection\'s own record (verdict, findings, explanations, uncertainty, similar past cases, ' +
  "the model version's reviewed figures and card) and the account's knowledge base plus the shipped defect book. The answer starts with a short " +
  'answer, then evidence lines whose [n] markers name the citations. With XQC_LLM_URL set (and useLlm not false) a language model may write the ' +
  'text; its answer is kept only when it cites, and cites only the sources given (else the grounded answer, with llmRejected). 400 ' +
  'XQC_QUESTION_EMPTY (blank after trimming), XQC_QUESTION_TOO_LONG (over 1,000 characters); 404 XQC_NOT_FOUND for an unknown inspection or one ' +
  'of another account. Nothing is stored on error.';

const FEEDBACK_DESCRIPTION =
  "Stores the caller's feedback on an answer; a second feedback of the same user replaces the first (201 each time). A correction of the verdict " +
  'or class becomes a review of the inspection through the review rules: 403 XQC_FORBIDDEN below the operator role, 400 XQC_REVIEW_LABEL for a ' +
  "label the model does not have (or a flipped verdict whose class is ambiguous), 409 XQC_REVIEW_CLAIMED when another reviewer holds the inspection; " +
  'nothing is stored on error. The feedback names the review (reviewId).';

/** Registers the question routes (mount under the API prefix). */
export const questionRoutes: FastifyPluginAsyncTypebox<QuestionRoutesOptions> = async (app, { config }) => {
  const { ask } = askServices(app, config);
  app.addSchema(CitationSchema);
  app.addSchema(AnswerSchema);
  app.addSchema(AnswerFeedbackSchema);
  app.addSchema(QuestionSchema);

  app.post(
    '/inspections/:id/questions',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: 'Ask a question about an inspection; the answer cites what it rests on', description: ASK_DESCRIPTION, params: IdParams, body: AskInputSchema, response: { 201: QuestionRef, ...problems(400, 401, 403, 404, 409) } },
    },
    async (request, reply) => reply.code(201).send(await ask.ask(callerOf(request), request.params.id, request.body)),
  );

  app.get(
    '/inspections/:id/questions',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "The questions asked about an inspection, oldest first, each with the caller's feedback", params: IdParams, response: { 200: QuestionHistorySchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => ask.history(callerOf(request), request.params.id),
  );

  app.post(
    '/questions/:id/feedback',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: 'Feedback on an answer (helpful or not, a comment, a correction that becomes a review)', description: FEEDBACK_DESCRIPTION, params: IdParams, body: FeedbackInputSchema, response: { 201: Type.Ref('AnswerFeedback'), ...problems(400, 401, 403, 404, 409) } },
    },
    async (request, reply) => reply.code(201).send(await ask.feedback(callerOf(request), request.params.id, request.body)),
  );

  app.get(
    '/questions',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: "The account's answers with feedback, newest feedback first (default: the unhelpful ones), with cursor pagination", querystring: QuestionListQuerySchema, response: { 200: QuestionPageSchema, ...problems(400, 401, 403) } },
    },
    async (request) => ask.list(callerOf(request), request.query),
  );
};
