/**
 * The live-event schemas agree with the event port and with the typed client: every entry of
 * `EventPayloads` (events/event-bus.ts) has a schema in `EVENT_SCHEMAS` with the same data
 * fields, the client's hand-written `XqcEventPayloads` (packages/client/src/events.ts) lists
 * the same types and fields, events as the bus makes them validate, and the OpenAPI document
 * carries the schemas as components. The interfaces are read from source with the TypeScript
 * parser, so a new event type fails here (and in the typecheck) until its schema and its
 * client mirror exist.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatRegistry } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EVENT_TYPES as CLIENT_EVENT_TYPES } from '@xai-qc/client';
import type { XqcEvent as ClientXqcEvent } from '@xai-qc/client';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../events/event-bus.ts';
import type { EventPayloads, EventType, XqcEvent } from '../events/event-bus.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { EVENT_SCHEMAS, EVENT_SHARED_SCHEMAS, XqcEventSchema } from './event.schema.ts';

const EVENT_BUS_SOURCE = fileURLToPath(new URL('../events/event-bus.ts', import.meta.url));
const CLIENT_EVENTS_SOURCE = fileURLToPath(new URL('../../../client/src/events.ts', import.meta.url));

FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v);

/** Compile-time equality of two types (checked by `npm run typecheck`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Per event type: is the schema's static type exactly the port's event of that type? */
type SchemaMatchesPort = { [T in EventType]: Equal<Static<(typeof EVENT_SCHEMAS)[T]>, Extract<XqcEvent, { type: T }>> };
/** The typecheck fails here when a schema's fields or types differ from `EventPayloads` (schemas/event.schema.ts). */
const SCHEMAS_MATCH_EVENT_PAYLOADS: false extends SchemaMatchesPort[EventType] ? false : true = true;
/** The typecheck fails here when `XqcEventPayloads` of packages/client/src/events.ts differs from `EventPayloads`. */
const CLIENT_MIRRORS_EVENT_PAYLOADS: Equal<ClientXqcEvent, XqcEvent> = true;

/** The members of interface `name` in `file`: each property name with the property names of its type literal. */
function interfaceFields(file: string, name: string): Record<string, string[]> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  let found: ts.InterfaceDeclaration | undefined;
  source.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n;
  });
  if (!found) throw new Error(`no interface ${name} in ${file}`);
  const out: Record<string, string[]> = {};
  for (const m of found.members) {
    if (!ts.isPropertySignature(m) || !m.type || !ts.isTypeLiteralNode(m.type)) throw new Error(`${name}: every member must be a property with an object type literal`);
    const key = ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : m.name.getText(source);
    out[key] = m.type.members.map((f) => (f.name && (ts.isIdentifier(f.name) || ts.isStringLiteral(f.name)) ? f.name.text : '?')).sort();
  }
  return out;
}

/** The data fields of each schema. */
function schemaFields(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([type, s]) => [type, Object.keys(s.properties.data.properties).sort()]));
}

/** One event of each type, as the bus makes it. */
const SAMPLES: { [T in EventType]: EventPayloads[T] } = {
  'inspection.created': { inspectionId: '6f1d1a4e-2b7c-4f0e-9a51-0c1f6f1e8a11', modelName: 'surface-classifier', modelVersion: '1.0.0', verdict: 'reject', score: 0.93 },
  'explanation.ready': { inspectionId: '6f1d1a4e-2b7c-4f0e-9a51-0c1f6f1e8a11', explanationId: '0b8c3c1e-5d7f-4b8a-8a43-55b7f0e7c2d9', method: 'occlusion', jobId: null },
  'job.progress': { jobId: '9a1f3f0e-0d3b-4c5e-8f61-3c2b1a0e9d87', name: 'explain', progress: 0.5, message: 'half' },
  'job.finished': { jobId: '9a1f3f0e-0d3b-4c5e-8f61-3c2b1a0e9d87', name: 'explain', status: 'failed', error: 'out of memory' },
  'run.epoch': { runId: '3c2b1a0e-9d87-4c5e-8f61-9a1f3f0e0d3b', jobId: '9a1f3f0e-0d3b-4c5e-8f61-3c2b1a0e9d87', epoch: 2, epochs: 5, trainLoss: 0.41, valMetric: 0.88, lr: 0.001, seconds: 1.7, best: true },
  'alert.fired': { alertId: '5d2c1b0a-9e8f-4a7b-8c6d-1e2f3a4b5c6d', ruleId: '7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b', ruleName: 'escapes', metric: 'escapeRate', comparator: '>', threshold: 0.02, value: 0.05, modelName: 'surface-classifier', modelVersion: null, firedAt: '2026-12-05T12:00:00.000Z' },
  'review.created': { inspectionId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', reviewId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', verdict: 'reject', label: 'scratch', agrees: false, reviewer: 'user-1' },
  'monitor.result': { monitorId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', resultId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', modelName: 'surface-classifier', modelVersion: '1.0.0', level: 'drift', driftedSignals: ['brightness'], computedAt: '2026-12-05T12:00:00.000Z' },
};

describe('live event schemas', () => {
  it('has a schema for every EventPayloads entry of events/event-bus.ts, with the same data fields', () => {
    const port = interfaceFields(EVENT_BUS_SOURCE, 'EventPayloads');
    const schemas = schemaFields();
    for (const type of Object.keys(port)) {
      expect(schemas[type], `EventPayloads declares '${type}' but EVENT_SCHEMAS in schemas/event.schema.ts has no schema for it: add one there and its mirror in packages/client/src/events.ts`).toBeDefined();
    }
    expect(schemas).toEqual(port);
    expect([SCHEMAS_MATCH_EVENT_PAYLOADS, CLIENT_MIRRORS_EVENT_PAYLOADS]).toEqual([true, true]);
  });

  it('matches the typed client: same event types, in the same order, with the same data fields', () => {
    expect([...CLIENT_EVENT_TYPES], 'EVENT_TYPES of packages/client/src/events.ts must list the server event types of EVENT_SCHEMAS').toEqual(Object.keys(EVENT_SCHEMAS));
    expect(interfaceFields(CLIENT_EVENTS_SOURCE, 'XqcEventPayloads')).toEqual(schemaFields());
  });

  it('accepts events as the bus makes them, in each schema and in the union, and refuses an extra field or a wrong type', () => {
    for (const type of Object.keys(EVENT_SCHEMAS) as EventType[]) {
      const sample = (SAMPLES as Partial<Record<string, EventPayloads[EventType]>>)[type];
      expect(sample, `add a sample '${type}' event to SAMPLES in this test`).toBeDefined();
      const event = makeEvent('acct', type, sample as EventPayloads[typeof type]);
      expect(Value.Check(EVENT_SCHEMAS[type], event), type).toBe(true);
      expect(Value.Check(XqcEventSchema, [...Object.values(EVENT_SCHEMAS)], event), type).toBe(true);
      expect(Value.Check(EVENT_SCHEMAS[type], { ...event, extra: 1 })).toBe(false);
    }
    const wrong = { ...makeEvent('acct', 'job.progress', SAMPLES['job.progress']), type: 'job.finished' };
    expect(Value.Check(XqcEventSchema, [...Object.values(EVENT_SCHEMAS)], wrong)).toBe(false);
  });

  describe('in the OpenAPI document', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('sqlite');
    });
    afterAll(async () => t.close());

    it('lists every event schema and the XqcEvent union under components, the union describing the WebSocket', () => {
      const doc = t.app.swagger() as { components: { schemas: Record<string, { description?: string; anyOf?: { $ref: string }[] }> }; paths: Record<string, unknown> };
      const ids = EVENT_SHARED_SCHEMAS.map((s) => s.$id as string);
      expect(ids).toEqual([...Object.values(EVENT_SCHEMAS).map((s) => s.$id), 'XqcEvent']);
      expect(ids.slice(0, 4)).toEqual(['InspectionCreatedEvent', 'ExplanationReadyEvent', 'JobProgressEvent', 'JobFinishedEvent']);
      for (const id of ids) expect(Object.keys(doc.components.schemas)).toContain(id);
      const union = doc.components.schemas.XqcEvent;
      expect(union.anyOf?.map((r) => r.$ref)).toEqual(ids.slice(0, -1).map((id) => `#/components/schemas/${id}`));
      expect(union.description).toMatch(/\/api\/xai-qc\/ws/);
      expect(union.description).toMatch(/xqc-token\./);
      // The WebSocket is not an HTTP operation: it stays out of the paths (and out of the smoke test's walk).
      expect(Object.keys(doc.paths)).not.toContain('/api/xai-qc/ws');
    });
  });
});
