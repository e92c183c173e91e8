export { OnnxSession, SessionCache, createSession, defaultSessionCache, modelHash, optimizedModel, runtimeVersions, withSession } from './session.ts';
export type { SessionOptions } from './session.ts';
