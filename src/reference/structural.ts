// Ops that move or combine values without arithmetic of their own (add and mul aside): add, mul,
// concat, flatten, dropout.
import { shapeSize, type Node } from "../ir/graph.js";
import { mulGateLayout } from "../ir/shapes/merge.js";
import { channelsAndInner, expectShape, makeValue, type RefValue } from "./value.js";

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

/**
 * The gate's element multiplying element `index` (batch included) of mul's value: the same element,
 * or its sample's channel's (`inner` elements per channel). Also the gradient's broadcast.
 */
export function mulGateIndex(value: RefValue, gate: RefValue, node: Node): (index: number) => number {
  const layout = mulGateLayout(value.shape, gate.shape);
  if (layout === undefined) throw new Error(`reference: mul ${node.name} got shapes [${value.shape.join(", ")}] and [${gate.shape.join(", ")}]`);
  if (layout === "same") return (index) => index;
  const { inner } = channelsAndInner(value.shape);
  return (index) => Math.floor(index / inner);
}

/** value * gate, elementwise, the gate broadcast over each channel when it has one value per channel. */
export function runMul(node: Node, inputs: readonly RefValue[]): RefValue {
  const [value, gate] = inputs;
  if (value === undefined || gate === undefined || inputs.length !== 2) throw new Error(`reference: mul ${node.name} needs two inputs`);
  expectShape(node, value.shape);
  const gateIndex = mulGateIndex(value, gate, node);
  const output = makeValue(value.batch, node.shape);
  for (let i = 0; i < output.data.length; i++) output.data[i] = value.data[i]! * gate.data[gateIndex(i)]!;
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
