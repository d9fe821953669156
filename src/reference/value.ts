// The reference interpreter's working representation of one node's value: every sample of the batch,
// row-major (N first, then the node's per-sample shape), in float64 so that the oracle's own rounding
// error stays far below the float32 tolerance the GPU results are judged by.
import { checkHostArray, checkHostBatch } from "../hostLimits.js";
import { largestValueNode, shapeSize, type Graph, type Node, type Shape } from "../ir/graph.js";

export interface RefValue {
  batch: number;
  /** Per-sample shape, as on the IR node: [C, H, W], [C, L] or [F]. */
  shape: Shape;
  data: Float64Array;
}

const REFERENCE_SIZE_HINT = "the CPU reference holds values in float64: use a smaller batch";

/** A zeroed value, its size checked as it is allocated (runReference computes each node's value into one). */
export function makeValue(batch: number, shape: Shape): RefValue {
  const elements = batch * shapeSize(shape);
  checkHostArray(`a CPU reference value [${batch}, ${shape.join(", ")}]`, elements, "float64", REFERENCE_SIZE_HINT);
  return { batch, shape: [...shape], data: new Float64Array(elements) };
}

/**
 * Checks that the reference can hold every node's value at `batch` (the largest one decides the
 * largest batch that fits), for a caller that must know before computing anything (`cnnc run --check`
 * checks it before the GPU run); runReference itself finds out value by value, in makeValue.
 */
export function checkReferenceFits(graph: Graph, batch: number): void {
  const largest = largestValueNode(graph);
  if (largest === undefined) return;
  checkHostBatch(`the CPU reference's float64 copy of ${largest.name} [N, ${largest.shape.join(", ")}]`, shapeSize(largest.shape), batch, "float64");
}

/** Channels and the number of elements per channel of a per-sample shape ([F] counts as F channels of 1). */
export function channelsAndInner(shape: Shape): { channels: number; inner: number } {
  const channels = shape[0] ?? 1;
  return { channels, inner: shapeSize(shape.slice(1)) };
}

/**
 * A spatial value seen as [C, H, W]: a 1-D value [C, L] is [C, 1, L], which is how the IR stores 1-D
 * convolution and pooling attributes (height 1).
 */
export function asImage(shape: Shape, spatialRank: 1 | 2, node: Node): { C: number; H: number; W: number } {
  if (spatialRank === 2 && shape.length === 3) {
    return { C: shape[0]!, H: shape[1]!, W: shape[2]! };
  }
  if (spatialRank === 1 && shape.length === 2) {
    return { C: shape[0]!, H: 1, W: shape[1]! };
  }
  throw new Error(
    `reference: ${node.name} (${node.attrs.op}, spatialRank ${spatialRank}) got an input of shape [${shape.join(", ")}]`,
  );
}

/** Internal invariant: the IR's inferred shape must be the shape the definition produces. */
export function expectShape(node: Node, computed: Shape): void {
  const same = computed.length === node.shape.length && computed.every((size, i) => size === node.shape[i]);
  if (!same) {
    throw new Error(
      `reference: ${node.name} (${node.attrs.op}) has IR shape [${node.shape.join(", ")}] but its definition ` +
        `gives [${computed.join(", ")}]`,
    );
  }
}
