/** One entry point over the three generators. */
import { XqcError } from '../../errors.ts';
import { CELLS_SPEC, generateCells } from './cells.ts';
import { hashSeed } from '../../util/random.ts';
import { generateRadiograph, RADIOGRAPH_SPEC } from './radiograph.ts';
import { generateSurface, SURFACE_SPEC } from './surface.ts';
import type { SyntheticKind, SyntheticKindSpec, SyntheticOptions, SyntheticSample } from './synthetic.types.ts';

/** The kinds, their labels and mask classes. */
export const SYNTHETIC_SPECS: Readonly<Record<SyntheticKind, SyntheticKindSpec>> = Object.freeze({
  surface: SURFACE_SPEC,
  radiograph: RADIOGRAPH_SPEC,
  cells: CELLS_SPEC,
});

/** Names of the kinds. */
export const SYNTHETIC_KINDS = Object.freeze(Object.keys(SYNTHETIC_SPECS) as SyntheticKind[]);

const GENERATORS: Record<SyntheticKind, (options: SyntheticOptions) => SyntheticSample> = {
  surface: generateSurface,
  radiograph: generateRadiograph,
  cells: generateCells,
};

/** Throws `XQC_INVALID_ARGUMENT` unless `kind` names a synthetic kind. */
export function assertSyntheticKind(kind: string): asserts kind is SyntheticKind {
  if (!(kind in SYNTHETIC_SPECS)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown synthetic kind '${kind}'; expected one of ${SYNTHETIC_KINDS.join(', ')}`);
}

/** Generates one sample of `kind`; same options, same bytes. */
export function generateSample(kind: SyntheticKind, options: SyntheticOptions): SyntheticSample {
  assertSyntheticKind(kind);
  return GENERATORS[kind](options);
}

/**
 * The seed of image `index` of a dataset generated with `seed`: a hash of both and the
 * kind, so image i does not depend on how many others are generated.
 */
export function sampleSeed(seed: number, kind: SyntheticKind, index: number): number {
  return hashSeed(seed, kind, index);
}
