// Ops that move or combine values without arithmetic of their own (add aside): add, concat, flatten, dropout.
import { shapeSize, type Node } from "../ir/graph.js";
import { expectShape, makeValue, type RefValue } from "./value.js";

/** Elementwise sum of any number of same-shaped values. */
export function runAdd(node: Node, inputs: readonly RefValue[]): RefValue {
  const first = inputs[0];
  if (first === undefined) throw new Error(`reference: add ${node.name} has no inputs`);
  for (const input of inputs) expectShape(node, input.shape);
  const output = makeValue(first.batch, node.shape);
  for (const input of inputs) {
    for (let i = 0; i < output.data.length; i++) output.data[i] = output.data[i]! + input.data[i]!;
  }
  return output;
}

/** Concatenation along the channel (first per-sample) axis; the other axes must agree. */
export function runConcat(node: Node, inputs: readonly RefValue[]): RefValue {
  const first = inputs[0];
  if (first === undefined) throw new Error(`reference: concat ${node.name} has no inputs`);
  const rest = first.shape.slice(1);
  for (const input of inputs) {
    if (input.shape.length !== first.shape.length || input.shape.slice(1).some((size, i) => size !== rest[i])) {
      throw new Error(`reference: concat ${node.name} got shapes that differ past the channel axis`);
    }
  }
  const channels = inputs.reduce((total, input) => total + input.shape[0]!, 0);
  expectShape(node, [channels, ...rest]);
  const output = makeValue(first.batch, node.shape);
  const sampleSize = shapeSize(node.shape);
  for (let n = 0; n < first.batch; n++) {
    let offset = n * sampleSize;
    for (const input of inputs) {
      const size = shapeSize(input.shape);
      output.data.set(input.data.subarray(n * size, (n + 1) * size), offset);
      offset += size;
    }
  }
  return output;
}

/** [C, H, W] -> [C*H*W]: row-major data is already in that order, so only the shape changes. */
export function runFlatten(node: Node, input: RefValue): RefValue {
  expectShape(node, [shapeSize(input.shape)]);
  return { batch: input.batch, shape: [...node.shape], data: input.data };
}

/** Inference: dropout is the identity (PyTorch's eval mode). */
export function runDropout(node: Node, input: RefValue): RefValue {
  expectShape(node, input.shape);
  return { batch: input.batch, shape: [...node.shape], data: input.data };
}
