// A small network's plan written into a fresh temporary directory, and helpers to damage it the ways
// the loader must catch.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildPlan } from "../../src/pipeline.js";
import type { Plan } from "../../src/codegen/plan.js";
import { compileSource } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";
import { writePlanDirectory } from "../../src/planFile/writePlanDirectory.js";

export const TINY_MODEL = `network Tiny {
  input image: 3x14x14
  conv(8, 3, pad=1) -> relu -> maxpool(2)
  conv(6, 3, stride=2, pad=1) as c2 -> batchnorm -> leaky_relu
  global_avgpool
  fc(10) -> softmax
}
`;

export function tinyGraph(): Graph {
  const result = compileSource(TINY_MODEL, "tiny.cnn");
  if (result.graph === undefined) throw new Error("the fixture model does not compile");
  return result.graph;
}

export function tinyPlan(batch = 2): Plan {
  return buildPlan(tinyGraph(), batch);
}

/** A fresh directory holding `plan` as `cnnc build` writes it. */
export function writtenPlan(plan: Plan = tinyPlan()): string {
  const dir = join(mkdtempSync(join(tmpdir(), "cnnc-plan-")), "built");
  writePlanDirectory(dir, plan, "tiny.cnn");
  return dir;
}

type JsonObject = Record<string, unknown>;

/** plan.json as parsed, typed as far as the tests edit it. */
export interface PlanDocument {
  [key: string]: unknown;
  buffers: JsonObject[];
  programs: JsonObject[];
  steps: (JsonObject & { bindings: JsonObject[] })[];
  weights: JsonObject[];
  derived: JsonObject[];
  inputs: JsonObject[];
}

/** Rewrites the plan.json of `dir` through `change`, which edits the parsed document in place. */
export function editPlanJson(dir: string, change: (plan: PlanDocument) => void): void {
  const path = join(dir, "plan.json");
  const json = JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
  change(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
}
