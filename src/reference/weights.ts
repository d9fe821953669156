// Looks up a node's parameters by their PyTorch state_dict names and checks them against the shapes the
// op's definition implies (computed here from the attributes, independently of node.params).
import type { Node } from "../ir/graph.js";
import { CnncUserError } from "../errors.js";
import type { WeightMap } from "../tensor.js";

export type ParamName = "weight" | "bias" | "running_mean" | "running_var";

export function requireWeight(weights: WeightMap, node: Node, param: ParamName, expected: number[]): Float32Array {
  const name = `${node.name}.${param}`;
  const tensor = weights.get(name);
  if (tensor === undefined) {
    throw new CnncUserError(`weight "${name}" is missing`, {
      hint: `layer ${node.name} (${node.attrs.op}) needs ${name} of shape [${expected.join(", ")}]`,
    });
  }
  const sameShape = tensor.shape.length === expected.length && tensor.shape.every((size, i) => size === expected[i]);
  if (!sameShape) {
    throw new CnncUserError(
      `weight "${name}" has shape [${tensor.shape.join(", ")}] but layer ${node.name} expects [${expected.join(", ")}]`,
      { hint: "the weights must use PyTorch layouts: conv [out, in/groups, kh, kw] (1-D: [out, in/groups, k]), fc [out, in]" },
    );
  }
  return tensor.data;
}
