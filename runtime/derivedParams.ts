// Parameters computed from the user's weights when they are uploaded (Plan.derived): folded batchnorm's
// per-channel scale and shift, so a fused kernel applies batchnorm as one multiply-add, and a 3x3
// conv's Winograd-transformed filters U = G g Gᵀ. Computed in float64 from the float32 tensors and
// rounded to float32 once, as the CPU reference's batchnorm would be if it were folded.
import type { BatchnormDerivedParam, DerivedParam, WinogradFilterParam } from "../src/kernels/kernelGraph.js";
import { CnncUserError } from "../src/errors.js";
import { WINOGRAD_VARIANTS } from "../src/schedule/kinds/winograd.js";
import { transformFilter } from "../src/schedule/kinds/winogradTransforms.js";
import { describeShape, makeTensor, type Tensor, type WeightMap } from "../src/tensor.js";

function sourceTensor(weights: WeightMap, derived: DerivedParam, name: string, elements: number): Float32Array {
  const what = derived.transform === "winograd_filter" ? "Winograd filter transform" : "folded batchnorm";
  const tensor: Tensor | undefined = weights.get(name);
  if (tensor === undefined) {
    throw new CnncUserError(`the weights have no tensor \`${name}\`, which ${derived.name} (${what}) is computed from`, {
      hint: `the model needs \`${name}\` (${elements} float32 values): give weights saved for this model`,
    });
  }
  if (tensor.data.length !== elements) {
    throw new CnncUserError(`weight \`${name}\` has shape ${describeShape(tensor.shape)} but ${derived.name} (${what}) needs ${elements} values`, {
      hint: "the weights were saved for a different model (or a different version of this one)",
    });
  }
  return tensor.data;
}

function batchnormParam(derived: BatchnormDerivedParam, weights: WeightMap): Tensor {
  const tensor = (name: string): Float32Array => sourceTensor(weights, derived, name, derived.elements);
  const weight = tensor(derived.from.weight);
  const runningVar = tensor(derived.from.runningVar);
  const bias = derived.transform === "batchnorm_shift" ? tensor(derived.from.bias) : undefined;
  const runningMean = derived.transform === "batchnorm_shift" ? tensor(derived.from.runningMean) : undefined;
  const values = new Float32Array(derived.elements);
  for (let channel = 0; channel < derived.elements; channel++) {
    // float64 throughout; Float32Array stores the one rounding.
    const scale = weight[channel]! / Math.sqrt(runningVar[channel]! + derived.eps);
    values[channel] = bias === undefined || runningMean === undefined ? scale : bias[channel]! - runningMean[channel]! * scale;
  }
  return makeTensor([derived.elements], values);
}

/** U[k][c][p] = (G g_{k,c} Gᵀ)[p], in float64 from the [K, C/groups, 3, 3] weight, rounded once. */
function winogradFilterParam(derived: WinogradFilterParam, weights: WeightMap): Tensor {
  const transform = WINOGRAD_VARIANTS[derived.variant];
  const taps = transform.filter * transform.filter;
  const planes = transform.patch * transform.patch;
  const filters = derived.filters * derived.channelsPerGroup;
  const weight = sourceTensor(weights, derived, derived.from.weight, filters * taps);
  const values = new Float32Array(filters * planes);
  for (let filter = 0; filter < filters; filter++) values.set(transformFilter(transform, weight, filter * taps), filter * planes);
  return makeTensor([derived.filters, derived.channelsPerGroup, planes], values);
}

/**
 * The derived parameters' values by name (`bn1:scale`, `conv1:winograd_u`), from `weights` (state_dict
 * names). A missing or mis-sized source tensor is a CnncUserError naming it. NaN in a source stays NaN
 * (never hidden).
 */
export function deriveParams(derived: readonly DerivedParam[], weights: WeightMap): WeightMap {
  const result: WeightMap = new Map();
  for (const each of derived) result.set(each.name, each.transform === "winograd_filter" ? winogradFilterParam(each, weights) : batchnormParam(each, weights));
  return result;
}
