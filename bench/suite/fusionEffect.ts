// Part 4 of the suite: what fusion changes in a network's plan, fused against --no-fuse: kernels
// launched per forward pass, and bytes the kernels move per image. Static figures read from the plans
// (no timing). A kernel's bytes are the sizes of the buffers it binds, read-only ones as read and
// read-write ones as written (and read): an upper bound where a kernel reads part of a buffer or a
// value lives in a larger shared buffer, the same bound for both plans.
import type { Plan } from "../../src/codegen/plan.js";
import type { Graph } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import type { Target } from "../../src/schedule/types.js";

export interface PlanTraffic {
  kernels: number;
  readBytesPerImage: number;
  writtenBytesPerImage: number;
}

export interface FusionEffect {
  network: string;
  batch: number;
  fused: PlanTraffic;
  unfused: PlanTraffic;
}

export function planTraffic(plan: Plan): PlanTraffic {
  let read = 0;
  let written = 0;
  for (const step of plan.steps) {
    for (const binding of step.bindings) {
      const bytes = plan.buffers[binding.buffer]!.bytes;
      if (binding.access === "read") read += bytes;
      else written += bytes;
    }
  }
  return { kernels: plan.steps.length, readBytesPerImage: read / plan.batch, writtenBytesPerImage: written / plan.batch };
}

export function fusionEffect(graph: Graph, batch: number, target: Target): FusionEffect {
  return {
    network: graph.name,
    batch,
    fused: planTraffic(buildPlan(graph, batch, { target })),
    unfused: planTraffic(buildPlan(graph, batch, { fuse: false, target })),
  };
}
