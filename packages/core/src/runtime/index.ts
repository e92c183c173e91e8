export { OnnxSession, SessionCache, createSession, defaultSessionCache, modelHash, optimizedModel, runtimeVersions } from './session.ts';
export type { SessionOptions } from './session.ts';
