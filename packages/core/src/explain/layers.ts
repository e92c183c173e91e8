/**
 * Choosing the layer for CAM methods: the last spatial activation the target depends
 * on (see onnx/spatial-layers.ts), or the caller's choice once checked.
 */
import { XqcError } from '../errors.ts';
import type { Model } from '../onnx/ir.ts';
import { spatialLayers } from '../onnx/spatial-layers.ts';

/**
 * The layer CAM methods use: `preferred` when given (checked), else the last spatial activation.
 * @throws XQC_EXPLAIN when the model has no spatial layer on the path to the target.
 */
export function chooseCamLayer(model: Model, of: string, preferred?: string, inputShape?: number[]): string {
  const candidates = spatialLayers(model, of, inputShape);
  if (preferred) {
    if (!candidates.includes(preferred)) {
      throw new XqcError('XQC_EXPLAIN', `layer '${preferred}' is not a spatial [N,C,H,W] activation on the path to '${of}'`);
    }
    return preferred;
  }
  const last = candidates[candidates.length - 1];
  if (!last) throw new XqcError('XQC_EXPLAIN', `the model has no spatial [N,C,H,W] layer before '${of}': Grad-CAM needs one`);
  return last;
}
