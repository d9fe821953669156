// The state_dict tensors a plan lists (Plan.weights): each parameter of the layer graph with what its
// seeded initialization needs (init kind, fan-in), so that a built plan initializes the same weights
// as `cnnc run MODEL.cnn --seed S` without the graph.
import { paramFullName, shapeSize, type Graph, type Node, type ParamInit } from "../ir/graph.js";
import type { PlanWeight } from "./plan.js";

/** fan_in of the node's weight: every axis past the first (output) one. */
export function fanIn(node: Node): number {
  const weight = node.params.find((param) => param.name === "weight");
  if (weight === undefined || weight.shape.length < 2) {
    throw new Error(`node ${node.name}: fan-in initialization needs a weight of rank >= 2`);
  }
  return shapeSize(weight.shape.slice(1));
}

/** The initializations that scale by a fan-in; the others (constants) record a fan-in of 0. */
export function initUsesFanIn(init: ParamInit): boolean {
  return init === "kaiming" || init === "uniform_fan_in";
}

/** Every parameter of `graph`, by PyTorch state_dict name, in node order. */
export function planWeights(graph: Graph): PlanWeight[] {
  return graph.nodes.flatMap((node) =>
    node.params.map((param) => ({
      name: paramFullName(node, param),
      shape: [...param.shape],
      init: param.init,
      fanIn: initUsesFanIn(param.init) ? fanIn(node) : 0,
      trainable: param.trainable,
    })),
  );
}
