/** File formats the engine reads and writes. */
export { readNpy, readNpyFile, writeNpy, writeNpyFile } from './npy.ts';
