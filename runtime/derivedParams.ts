// Parameters computed from the user's weights when they are uploaded (Plan.derived): folded batchnorm's
// per-channel scale and shift, so a fused kernel applies batchnorm as one multiply-add. Computed in
// float64 from the float32 tensors and rounded to float32 once, as the CPU reference's batchnorm
// would be if it were folded.
import type { DerivedParam } from "../src/kernels/kernelGraph.js";
import { CnncUserError } from "../src/errors.js";
import { describeShape, makeTensor, type Tensor, type WeightMap } from "../src/tensor.js";

function sourceTensor(weights: WeightMap, derived: DerivedParam, name: string): Float32Array {
  const tensor: Tensor | undefined = weights.get(name);
  if (tensor === undefined) {
    throw new CnncUserError(`the weights have no tensor \`${name}\`, which ${derived.name} (folded batchnorm) is computed from`, {
      hint: `the model needs \`${name}\` (${derived.elements} float32 values): give weights saved for this model`,
    });
  }
  if (tensor.data.length !== derived.elements) {
    throw new CnncUserError(
      `weight \`${name}\` has shape ${describeShape(tensor.shape)} but ${derived.name} (folded batchnorm) needs ${derived.elements} values`,
      { hint: "the weights were saved for a different model (or a different version of this one)" },
    );
  }
  return tensor.data;
}

/** One derived parameter's values. */
function deriveParam(derived: DerivedParam, weights: WeightMap): Tensor {
  const weight = sourceTensor(weights, derived, derived.from.weight);
  const runningVar = sourceTensor(weights, derived, derived.from.runningVar);
  const bias = derived.transform === "batchnorm_shift" ? sourceTensor(weights, derived, derived.from.bias) : undefined;
  const runningMean = derived.transform === "batchnorm_shift" ? sourceTensor(weights, derived, derived.from.runningMean) : undefined;
  const values = new Float32Array(derived.elements);
  for (let channel = 0; channel < derived.elements; channel++) {
    // float64 throughout; Float32Array stores the one rounding.
    const scale = weight[channel]! / Math.sqrt(runningVar[channel]! + derived.eps);
    values[channel] = bias === undefined || runningMean === undefined ? scale : bias[channel]! - runningMean[channel]! * scale;
  }
  return makeTensor([derived.elements], values);
}

/**
 * The derived parameters' values by name (`bn1:scale`), from `weights` (state_dict names). A missing or
 * mis-sized source tensor is a CnncUserError naming it. NaN in a source stays NaN (never hidden).
 */
export function deriveParams(derived: readonly DerivedParam[], weights: WeightMap): WeightMap {
  const result: WeightMap = new Map();
  for (const each of derived) result.set(each.name, deriveParam(each, weights));
  return result;
}
