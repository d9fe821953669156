// The name of a node's operation as people say it: `conv`, `conv1d`, `maxpool`, `global_avgpool`, `fc`.
import type { OpAttrs } from "./graph.js";

export function opLabel(attrs: OpAttrs): string {
  switch (attrs.op) {
    case "conv":
      return attrs.spatialRank === 1 ? "conv1d" : "conv";
    case "pool":
      return `${attrs.kind}pool`;
    case "global_pool":
      return `global_${attrs.kind}pool`;
    default:
      return attrs.op;
  }
}
