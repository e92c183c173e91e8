/** Synthetic inspection data: seeded generators of images with pixel-exact masks. */
export type { SyntheticInstance, SyntheticKind, SyntheticKindSpec, SyntheticOptions, SyntheticSample } from './synthetic.types.ts';
export { assertSyntheticKind, generateSample, sampleSeed, SYNTHETIC_KINDS, SYNTHETIC_SPECS } from './generate-sample.ts';
export { generateSurface, SURFACE_SPEC } from './surface.ts';
export type { SurfaceTexture } from './surface-textures.ts';
export { generateRadiograph, RADIOGRAPH_SPEC } from './radiograph.ts';
export { CELLS_SPEC, generateCells } from './cells.ts';
export type { WhiteCellType } from './cells-white.ts';
export { WHITE_CELL_TYPES } from './cells-white.ts';
export type { Rng } from '../../util/random.ts';
export { createRng, hashSeed, shuffled } from '../../util/random.ts';
export type { ContactSheetOptions } from './contact-sheet.ts';
export { contactSheet, writeContactSheet } from './contact-sheet.ts';
export type { FbmOptions } from './noise.ts';
export { fbmField, perlinNoise, valueNoise } from './noise.ts';
export type { BackboneCorpusOptions, BackboneFamily, BackboneSample } from './backbone-corpus.ts';
export { BACKBONE_FAMILIES, backboneLabel, backboneLabels, backboneSample } from './backbone-corpus.ts';
