import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from '../scripts/generate-openapi.ts';

describe('the committed OpenAPI document', () => {
  it('equals the one generated from the route schemas (run npm run openapi when this fails)', async () => {
    const generated = await generateOpenApi();
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(committed === generated, 'packages/client/openapi.json is out of date: run npm run openapi').toBe(true);
  });

  it('is OpenAPI 3.1 with every API route and problem+json error responses', async () => {
    const doc = JSON.parse(await generateOpenApi());
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/xai-qc/health', '/api/xai-qc/ready', '/api/xai-qc/models', '/api/xai-qc/models/{model}/versions/{version}/activate']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const problem = doc.paths['/api/xai-qc/models'].post.responses['422'].content['application/problem+json'].schema;
    expect(problem).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code']));
  });
});
