// Finding NaN and Inf: how many a tensor holds and where the first one is, the layer of a network
// that first produced them (re-running it layer by layer on the GPU), and what the float64 reference
// says at that layer (float32 overflow of the result or inside the layer, the same non-finite values,
// or finite: a kernel bug).
// `cnnc run` uses it to warn and, with --check, to explain; training needs the same to stop on a NaN.
import { formatAlternatives, formatInteger } from "../src/ir/format.js";
import { shapeSize, type Graph, type Node } from "../src/ir/graph.js";
import { describeShape, type Tensor } from "../src/tensor.js";
import type { IntermediateBound } from "./float32Bounds.js";

/** The largest finite float32, 3.4028234663852886e38; anything that rounds above it is +-Inf in float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface NonFiniteScan {
  elements: number;
  nan: number;
  positiveInfinity: number;
  negativeInfinity: number;
  /** Flat index of the first NaN or +-Inf; undefined when every element is finite. */
  firstIndex: number | undefined;
  /** The largest |value| among the finite elements (0 when there are none). */
  largestFinite: number;
}

export function scanNonFinite(data: ArrayLike<number>): NonFiniteScan {
  let nan = 0;
  let positiveInfinity = 0;
  let negativeInfinity = 0;
  let firstIndex: number | undefined;
  let largestFinite = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (Number.isFinite(value)) {
      largestFinite = Math.max(largestFinite, Math.abs(value));
      continue;
    }
    if (Number.isNaN(value)) nan++;
    else if (value > 0) positiveInfinity++;
    else negativeInfinity++;
    firstIndex ??= i;
  }
  return { elements: data.length, nan, positiveInfinity, negativeInfinity, firstIndex, largestFinite };
}

export function nonFiniteCount(scan: NonFiniteScan): number {
  return scan.nan + scan.positiveInfinity + scan.negativeInfinity;
}

/** The row-major multi-index of flat `index` in `shape`. */
export function unravelIndex(index: number, shape: readonly number[]): number[] {
  const position: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    position.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return position;
}

/**
 * `3 NaN and 1 +Inf of 40 values (the first at [0, 2, 1, 1])`, `no NaN or Inf` when there are none.
 * `shape` (the full [N, ...] shape) turns the first index into a position.
 */
export function describeNonFinite(scan: NonFiniteScan, shape?: readonly number[]): string {
  if (scan.firstIndex === undefined) return "no NaN or Inf";
  const parts: string[] = [];
  if (scan.nan > 0) parts.push(`${formatInteger(scan.nan)} NaN`);
  if (scan.positiveInfinity > 0) parts.push(`${formatInteger(scan.positiveInfinity)} +Inf`);
  if (scan.negativeInfinity > 0) parts.push(`${formatInteger(scan.negativeInfinity)} -Inf`);
  const counts = formatAlternatives(parts, "and");
  const first = shape === undefined ? `index ${scan.firstIndex}` : describeShape(unravelIndex(scan.firstIndex, shape));
  return `${counts} of ${formatInteger(scan.elements)} values (the first at ${first})`;
}

/** Where non-finite values first appear in a forward pass. */
export interface NonFiniteOrigin {
  /** `input`: a network input already holds them; `layer`: the first node (in plan order) whose output does. */
  kind: "input" | "layer";
  node: Node;
  /** The node's value's full shape, [N, ...node.shape]. */
  shape: number[];
  scan: NonFiniteScan;
}

/** What can run a network layer by layer: a Session, or an executor paired with its graph. */
export interface LayerByLayerRunner {
  readonly graph: Graph;
  runLayerByLayer(inputs: Map<string, Tensor>, visit: (node: number, value: Float32Array) => boolean): Promise<void>;
}

/**
 * The first place a forward pass holds NaN or Inf: a network input, or else the first layer whose
 * output does, found by re-running on the GPU layer by layer (nodes run in topological order, so that
 * layer's own inputs were finite). Undefined when the re-run finds none (a result that differs between
 * runs). Slow: call it only after an output was found to hold NaN or Inf.
 */
export async function locateFirstNonFinite(runner: LayerByLayerRunner, inputs: Map<string, Tensor>): Promise<NonFiniteOrigin | undefined> {
  const graph = runner.graph;
  let batch = 1;
  for (const id of graph.inputs) {
    const node = graph.nodes[id]!;
    const tensor = inputs.get(node.name);
    // A missing input is reported by runLayerByLayer, with the inputs the network expects.
    if (tensor === undefined) continue;
    batch = tensor.shape[0]!;
    const scan = scanNonFinite(tensor.data);
    if (scan.firstIndex !== undefined) return { kind: "input", node, shape: [...tensor.shape], scan };
  }
  let origin: NonFiniteOrigin | undefined;
  await runner.runLayerByLayer(inputs, (id, value) => {
    const node = graph.nodes[id]!;
    const shape = [batch, ...node.shape];
    const scan = scanNonFinite(value.subarray(0, shapeSize(shape)));
    if (scan.firstIndex === undefined) return true;
    origin = { kind: "layer", node, shape, scan };
    return false;
  });
  return origin;
}

/** What the float64 reference computes at a layer where the GPU's float32 value holds NaN or Inf. */
export type ReferenceVerdict =
  /** The reference holds NaN/Inf there too: the network computes them for this input and these weights. */
  | { kind: "non-finite"; scan: NonFiniteScan }
  /** The reference is finite but some |value| exceeds float32's range: float32 overflows here. */
  | { kind: "overflow"; largest: number }
  /** The result fits float32, but the sums or squares computing it need not: float32 overflows inside the layer. */
  | { kind: "intermediate-overflow"; largest: number; intermediate: IntermediateBound }
  /** The reference and everything computing it fit float32: the GPU kernel should not have produced NaN/Inf. */
  | { kind: "finite"; largest: number };

/**
 * Judges the reference's float64 value at the layer a NonFiniteOrigin names; `intermediate` is the
 * bound on the layer's float32 intermediates (float32Bounds.ts's intermediateBound), when it has any.
 */
export function judgeReferenceValue(reference: ArrayLike<number>, intermediate?: IntermediateBound): ReferenceVerdict {
  const scan = scanNonFinite(reference);
  if (scan.firstIndex !== undefined) return { kind: "non-finite", scan };
  const largest = scan.largestFinite;
  if (overflowsFloat32(largest)) return { kind: "overflow", largest };
  if (intermediate !== undefined && overflowsFloat32(intermediate.bound)) return { kind: "intermediate-overflow", largest, intermediate };
  return { kind: "finite", largest };
}

/** Whether `magnitude` rounds to Inf in float32 (just above FLOAT32_MAX still rounds down to it). */
function overflowsFloat32(magnitude: number): boolean {
  return Math.fround(magnitude) === Infinity;
}
