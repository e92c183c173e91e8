/**
 * Every error leaves as RFC 9457 problem+json (`application/problem+json`) with a stable
 * `code`, the request id in the body and the `x-request-id` header. Validation errors list
 * each offending field; statuses of core `XqcError`s come from the one table in
 * `errors/status-table.ts`; messages of 5xx responses are logged, never sent.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { isXqcError } from '@xai-qc/core';
import { ApiError, ProblemSchema } from '../errors/api-error.ts';
import type { Problem } from '../errors/api-error.ts';
import { HTTP_STATUS_CODE, STATUS_TITLE, statusOfCoreCode } from '../errors/status-table.ts';

/** Media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

interface FieldError {
  field: string;
  message: string;
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `body.name`, `querystring.limit`: the field an Ajv issue is about, in the request part it came from. */
function fieldOf(issue: AjvIssue, context: string | undefined): string {
  const path = (issue.instancePath ?? '').split('/').filter(Boolean);
  const missing = issue.params?.missingProperty;
  if (typeof missing === 'string') path.push(missing);
  const extra = issue.params?.additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return [context ?? 'request', ...path].join('.');
}

function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((issue) => {
    const i = issue as AjvIssue;
    const allowed = i.params?.allowedValues;
    const extra = Array.isArray(allowed) ? ` (one of ${allowed.join(', ')})` : '';
    return { field: fieldOf(i, error.validationContext), message: `${i.message ?? 'is invalid'}${extra}` };
  });
}

/** Builds the problem body for `error`; `expose` is false for 5xx. */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  let status = 500;
  let code = 'XQC_INTERNAL';
  let detail: string | undefined;
  let errors: FieldError[] | undefined;
  if (error instanceof ApiError) {
    status = error.status;
    code = error.code;
    detail = error.message;
    errors = error.fieldErrors ? [...error.fieldErrors] : undefined;
  } else if (isXqcError(error)) {
    status = statusOfCoreCode(error.code);
    code = error.code;
    detail = error.message;
  } else {
    const fe = error as Partial<FastifyError>;
    if (fe.validation) {
      status = 400;
      code = 'XQC_VALIDATION';
      errors = validationErrors(fe as FastifyError);
      detail = `invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`;
    } else if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 600) {
      status = fe.statusCode;
      code = HTTP_STATUS_CODE[status] ?? (status < 500 ? 'XQC_BAD_REQUEST' : 'XQC_INTERNAL');
      detail = fe.message;
    }
  }
  if (status >= 500) {
    detail = status === 503 && error instanceof ApiError ? error.message : 'an internal error occurred; quote the request id when reporting it';
    errors = undefined;
  }
  return {
    type: `https://xai-qc.dev/problems/${code}`,
    title: STATUS_TITLE[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...(errors === undefined ? {} : { errors }),
  };
}

/** Sends `problem` as problem+json. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  countError(reply, problem);
  return reply.code(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

const errorCounters = new WeakMap<Registry, Counter<'code' | 'status'>>();

/** Counts an error response by code and status (`xqc_errors_total`) in the app's registry, once the metrics plugin has made it. */
function countError(reply: FastifyReply, problem: Problem): void {
  const registry = (reply.server as Partial<FastifyInstance>).metricsRegistry;
  if (!registry) return;
  let counter = errorCounters.get(registry);
  if (!counter) {
    counter = new Counter({ name: 'xqc_errors_total', help: 'Error responses by stable code and HTTP status', labelNames: ['code', 'status'] as const, registers: [registry] });
    errorCounters.set(registry, counter);
  }
  counter.inc({ code: problem.code, status: String(problem.status) });
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemSchema);
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, problem.detail ?? 'request refused');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = toProblem(new ApiError(404, 'XQC_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`), request);
    return sendProblem(reply, problem);
  });
}

/** Registers the Problem schema, the error handler and the not-found handler. */
export default fp(errorHandlerPlugin, { name: 'xqc-error-handler', fastify: '5.x' });
