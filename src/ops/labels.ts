// Labels of the ops whose label depends on their attrs. A leaf module: the shape functions of these ops
// (src/ir/shapes/conv.ts, pool.ts) name the op in their messages, and the registry imports those shape
// functions, so the labels cannot live behind the registry without an import cycle.
import type { ConvAttrs, GlobalPoolAttrs, PoolAttrs } from "../ir/graph.js";

export function convLabel(attrs: ConvAttrs): string {
  return attrs.spatialRank === 1 ? "conv1d" : "conv";
}

export function poolLabel(attrs: PoolAttrs): string {
  return `${attrs.kind}pool`;
}

export function globalPoolLabel(attrs: GlobalPoolAttrs): string {
  return `global_${attrs.kind}pool`;
}
