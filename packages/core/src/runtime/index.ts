export { OnnxSession, SessionCache, createSession, defaultSessionCache, modelHash, runtimeVersions } from './session.ts';
export type { SessionOptions } from './session.ts';
