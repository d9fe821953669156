// The schedule choose-schedules gives a layer's kernel: what tests that call a generator directly put
// on the node (codegen applies no defaults), optionally with a kind forced as `--schedule LAYER=KIND` does.
import type { Graph, Node, Schedule } from "../../src/ir/graph.js";
import { lowerToKernels } from "../../src/kernels/lower.js";
import { chooseSchedules } from "../../src/passes/chooseSchedules.js";
import { PORTABLE_TARGET } from "../../src/schedule/types.js";

export function chosenSchedule(graph: Graph, node: Node, kind?: string, batch = 1): Schedule {
  const requests = kind === undefined ? {} : { forced: { layers: { [node.name]: kind } } };
  const kernels = chooseSchedules(lowerToKernels(graph), { batch, target: PORTABLE_TARGET, constantWeights: true, requests });
  const schedule = kernels.kernels.find((kernel) => kernel.anchorLayer === node.id)?.schedule;
  if (schedule === undefined) throw new Error(`test: choose-schedules gave ${node.name} no schedule`);
  return schedule;
}
