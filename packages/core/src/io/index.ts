/** File formats the engine reads and writes. */
export { readNpy, readNpyFile, writeNpy, writeNpyFile } from './npy.ts';
export { FolderSink, MemorySink, checkArtifactName, ioError, stageFolder, writeFileAtomic } from './atomic-write.ts';
export type { ArtifactRef, ArtifactSink, FileData, StagedFolder } from './atomic-write.ts';
