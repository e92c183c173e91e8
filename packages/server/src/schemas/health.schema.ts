/** Schemas of the liveness and readiness probes. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** `GET /health`: the process is up. */
export const HealthSchema = Type.Object(
  {
    status: Type.Literal('ok'),
    version: Type.String(),
    uptimeSeconds: Type.Number({ description: 'seconds since the process started' }),
  },
  { $id: 'Health', title: 'Health' },
);
/** A health body. */
export type Health = Static<typeof HealthSchema>;

/** `GET /ready`: every readiness check and the verdict. */
export const ReadySchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
    checks: Type.Array(
      Type.Object({
        name: Type.String({ description: 'database, blobStore, inference, ...' }),
        ok: Type.Boolean(),
        ms: Type.Number({ description: 'how long the check took' }),
        error: Type.Optional(Type.String({ description: 'why the check failed' })),
      }),
    ),
  },
  { $id: 'Ready', title: 'Ready' },
);
/** A readiness body. */
export type Ready = Static<typeof ReadySchema>;
