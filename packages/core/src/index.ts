/**
 * @xai-qc/core: the engine. No HTTP, no database, no environment variables: callers pass
 * explicit options. Sub-areas are re-exported here; see docs/architecture.md for the map.
 */
export * from './errors.ts';
export * from './onnx/index.ts';
export * from './runtime/index.ts';
export * from './autodiff/index.ts';
export * from './io/index.ts';
export * from './models/index.ts';
export * from './train/index.ts';
export * from './image/index.ts';
export * from './data/index.ts';
export * from './metrics/index.ts';
export * from './monitoring/index.ts';
export * from './uncertainty/index.ts';
export * from './explain/index.ts';
export * from './ask/index.ts';
