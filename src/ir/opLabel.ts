// The name of a node's operation as people say it: `conv`, `conv1d`, `maxpool`, `global_avgpool`, `fc`.
// Each op's label is its registry definition's (src/ops/).
import type { OpAttrs } from "./graph.js";
import { opDefinition } from "../ops/registry.js";

export function opLabel(attrs: OpAttrs): string {
  return opDefinition(attrs.op).label(attrs);
}
