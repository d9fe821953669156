// A network's inputs as the run paths need them, from a layer graph or from a built plan alike: each
// input's name and per-sample shape (the batch is not part of it).
import type { Plan } from "./codegen/plan.js";
import type { Graph, Shape } from "./ir/graph.js";

export interface NetworkInput {
  name: string;
  /** Per-sample shape: [C, H, W] for an image input. */
  shape: Shape;
}

export function graphInputs(graph: Graph): NetworkInput[] {
  return graph.inputs.map((id) => {
    const node = graph.nodes[id]!;
    return { name: node.name, shape: node.shape };
  });
}

/** A plan's inputs, whose shapes include the batch, without it. */
export function planInputs(plan: Plan): NetworkInput[] {
  return plan.inputs.map((input) => ({ name: input.name, shape: input.shape.slice(1) }));
}
