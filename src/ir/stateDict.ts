// The state_dict a network expects, as PyTorch's `model.state_dict()` lists it: per layer in graph
// order, its parameters, then its buffers (batchnorm's running statistics, then the step counter that
// cnnc never reads). What `cnnc weights` prints and what a torchvision key list is compared with.
import { opDefinition } from "../ops/registry.js";
import { paramFullName, type Graph } from "./graph.js";

export interface StateDictEntry {
  /** The state_dict key: `layer1.0.conv1.weight`. */
  name: string;
  /** Its shape in PyTorch's layout; `[]` for a scalar. */
  shape: number[];
  /** A trained parameter, or a buffer (saved with the weights, not trained: running statistics). */
  kind: "parameter" | "buffer";
  /** Whether cnnc reads it from a weights file (the step counter it skips is not). */
  read: boolean;
}

export function stateDict(graph: Graph): StateDictEntry[] {
  return graph.nodes.flatMap((node) => {
    const params = node.params.map((param): StateDictEntry => ({ name: paramFullName(node, param), shape: [...param.shape], kind: param.trainable ? "parameter" : "buffer", read: true }));
    // Parameters before buffers, as nn.Module.state_dict orders them.
    params.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "parameter" ? -1 : 1));
    const counters = (opDefinition(node.attrs.op).counterBuffers ?? []).map((name): StateDictEntry => ({ name: `${node.name}.${name}`, shape: [], kind: "buffer", read: false }));
    return [...params, ...counters];
  });
}
