// What a training step's loss kernel reads as labels, checked: cross-entropy takes one class index
// per image (uploaded as u32 bits), mse a row of targets per image. Wrong counts or classes are user
// errors here, before anything is written to the GPU.
import { CnncUserError } from "../../src/errors.js";
import type { LossKind } from "../../src/ir/graph.js";

export function lossTargets(loss: LossKind, labels: Int32Array | Float32Array, batch: number, classes: number, network: string): Float32Array {
  if (loss === "mse") {
    if (!(labels instanceof Float32Array) || labels.length !== batch * classes) {
      throw new CnncUserError(`mse takes a Float32Array of ${batch} x ${classes} targets per step, got ${labels.constructor.name} of ${labels.length}`, {
        hint: "give one target row per image (one-hot rows for class labels)",
      });
    }
    return labels;
  }
  if (!(labels instanceof Int32Array) || labels.length !== batch) {
    throw new CnncUserError(`cross_entropy takes an Int32Array of ${batch} class indices per step, got ${labels.constructor.name} of ${labels.length}`, {
      hint: "give one class index per image",
    });
  }
  for (const label of labels) {
    if (!(label >= 0 && label < classes)) {
      throw new CnncUserError(`a label is ${label}, but ${network} has ${classes} classes`, { hint: `labels must lie in 0..${classes - 1}` });
    }
  }
  return new Float32Array(new Uint32Array(labels).buffer);
}
