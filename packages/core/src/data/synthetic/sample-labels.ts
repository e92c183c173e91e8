/** Image-level labels of generated samples. */
import { XqcError } from '../../errors.ts';
import { classAreas } from './instance.ts';
import type { SyntheticKindSpec } from './synthetic.types.ts';

/** Throws `XQC_INVALID_ARGUMENT` unless `label` is one of the kind's labels. */
export function checkLabel(label: string, spec: SyntheticKindSpec): void {
  if (!spec.labels.includes(label)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `unknown ${spec.kind} label '${label}'; expected one of ${spec.labels.join(', ')}`);
  }
}

/**
 * The mask class covering most pixels (ties to the lower id), or the kind's good label
 * when the mask is empty: "the dominant defect type".
 */
export function dominantLabel(mask: Uint8Array, spec: SyntheticKindSpec): string {
  const areas = classAreas(mask, spec.maskClasses.length);
  let best = 0;
  for (let k = 1; k < areas.length; k++) if (areas[k] > 0 && (best === 0 || areas[k] > areas[best])) best = k;
  return best === 0 ? (spec.goodLabel ?? spec.maskClasses[0]) : spec.maskClasses[best];
}
