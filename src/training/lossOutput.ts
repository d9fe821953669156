// Training takes one loss, of one output. A network with several (`outputs a, b`) trains on the one its
// train section names (`output = a`); the layers that feed only the other outputs get no gradient and
// keep their weights (initialized or loaded), though they are still saved with the rest.
import { CnncUserError } from "../errors.js";
import type { Graph } from "../ir/graph.js";

/** `graph` with the loss's output as its only output (`graph` itself when it has one output). */
export function withLossOutput(graph: Graph): Graph {
  if (graph.outputs.length === 1) return graph;
  const names = graph.outputs.map((id) => graph.nodes[id]!.name);
  const chosen = graph.train?.lossOutput;
  if (chosen === undefined) {
    throw new CnncUserError(`${graph.name} has ${graph.outputs.length} outputs (${names.join(", ")}), and training takes the loss of one`, {
      hint: "add a train section that names it, e.g. `train { output = NAME }` with a name the network's `outputs` lists",
    });
  }
  if (!graph.outputs.includes(chosen)) throw new Error(`internal: the loss output ${chosen} is not an output of ${graph.name}`);
  return { ...graph, outputs: [chosen] };
}
