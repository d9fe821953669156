// plan.json and the kernel files read back: the same plan, and every kind of damage refused with a
// CnncUserError naming the file, the field and the fix.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { Plan } from "../../src/codegen/plan.js";
import { loadPlanDirectory } from "../../src/planFile/loadPlanDirectory.js";
import { wgslSha256 } from "../../src/planFile/planFormat.js";
import { serializePlan } from "../../src/planFile/serializePlan.js";
import { userError } from "../support/userError.js";
import { editPlanJson, tinyPlan, writtenPlan } from "./planFixture.js";

/** The fixture's plan, whose folded batchnorm gives it two derived parameters. */
function planWithDerived(): Plan {
  const plan = tinyPlan();
  if (plan.derived.map((derived) => derived.name).join() !== "batchnorm1:scale,batchnorm1:shift") {
    throw new Error(`the fixture should fold one batchnorm, got derived ${plan.derived.map((derived) => derived.name).join(", ")}`);
  }
  return plan;
}

function loadError(dir: string): { message: string; location: string | undefined; hint: string | undefined } {
  const error = userError(() => loadPlanDirectory(dir));
  return { message: error.message, location: error.location, hint: error.hint };
}

describe("plan files", () => {
  it("read back as the plan that was written", () => {
    const plan = planWithDerived();
    expect(loadPlanDirectory(writtenPlan(plan))).toEqual(plan);
  });

  it("are the same bytes for the same plan, with one kernel file per program", () => {
    const first = serializePlan(tinyPlan());
    const second = serializePlan(tinyPlan());
    expect(second.planJson).toBe(first.planJson);
    expect([...second.kernels]).toEqual([...first.kernels]);
    expect(first.planJson.endsWith("}\n")).toBe(true);
    expect(first.planJson.startsWith('{\n  "format": "cnnc-plan",\n  "version": 2,\n')).toBe(true);
    expect(first.kernels.size).toBe(tinyPlan().programs.length);
  });

  it("refuse a plan of another format version, saying to rebuild", () => {
    // Version 1 plans have no loopIterations: run unchecked on llvmpipe, one could give wrong numbers.
    const dir = writtenPlan();
    editPlanJson(dir, (json) => (json.version = 1));
    const error = loadError(dir);
    expect(error.location).toBe(join(dir, "plan.json"));
    expect(error.message).toBe("`version` is 1: the plan was built by a different cnnc (this one reads plan format version 2)");
    expect(error.hint).toBe("rebuild it with this cnnc: `cnnc build MODEL.cnn -o DIR`");
  });

  it("refuse a JSON file that is not a cnnc plan", () => {
    const dir = writtenPlan();
    editPlanJson(dir, (json) => (json.format = "onnx"));
    expect(loadError(dir).message).toBe('`format` is "onnx": this is not a plan cnnc wrote (a cnnc plan\'s format is "cnnc-plan")');
  });

  it("refuse malformed JSON", () => {
    const dir = writtenPlan();
    writeFileSync(join(dir, "plan.json"), '{ "format": "cnnc-plan", ');
    const error = loadError(dir);
    expect(error.location).toBe(join(dir, "plan.json"));
    expect(error.message).toMatch(/^is not valid JSON: /);
    expect(error.hint).toMatch(/^rebuild it with `cnnc build MODEL.cnn -o DIR`/);
  });

  it("refuse a field of the wrong type, naming its path", () => {
    const dir = writtenPlan();
    editPlanJson(dir, (json) => (json.buffers[2]!.bytes = "12"));
    expect(loadError(dir).message).toBe('`buffers[2].bytes` must be a whole number of at least 4, got the string "12"');
    editPlanJson(dir, (json) => {
      json.buffers[2]!.bytes = 12;
      delete json.steps[1]!.workgroups;
    });
    expect(loadError(dir).message).toBe("`steps[1].workgroups` is missing (it must be an array)");
  });

  it("refuse ids out of range", () => {
    const dir = writtenPlan();
    const buffers = tinyPlan().buffers.length;
    editPlanJson(dir, (json) => (json.steps[0]!.bindings[0]!.buffer = 999));
    expect(loadError(dir).message).toBe(`\`steps[0].bindings[0].buffer\` must be an index of \`buffers\`, 0 to ${buffers - 1}, got 999`);
    editPlanJson(dir, (json) => {
      json.steps[0]!.bindings[0]!.buffer = 0;
      json.steps[0]!.program = "nosuch";
    });
    expect(loadError(dir).message).toBe('`steps[0].program` is "nosuch", which `programs` does not list');
  });

  it("refuse a missing kernel file", () => {
    const plan = tinyPlan();
    const dir = writtenPlan(plan);
    rmSync(join(dir, "kernels", `${plan.programs[1]!.key}.wgsl`));
    expect(loadError(dir).message).toBe(`\`programs[1].file\` names kernels/${plan.programs[1]!.key}.wgsl, which is missing from \`${dir}\``);
  });

  it("refuse a kernel file changed after the build", () => {
    const plan = tinyPlan();
    const dir = writtenPlan(plan);
    const path = join(dir, "kernels", `${plan.programs[0]!.key}.wgsl`);
    writeFileSync(path, `${readFileSync(path, "utf8")}\n// edited\n`);
    const error = loadError(dir);
    expect(error.message).toMatch(/^`programs\[0\]\.sha256` does not match kernels\/\S+\.wgsl \(its sha256 is [0-9a-f]{64}\): the kernel was changed after the build$/);
    expect(error.hint).toMatch(/cnnc build/);
  });

  it("refuse a step whose bindings disagree with its kernel's declarations", () => {
    const dir = writtenPlan();
    editPlanJson(dir, (json) => json.steps[0]!.bindings.pop());
    expect(loadError(dir).message).toMatch(/^`steps\[0\]\.bindings` has \d+ bindings, but its program's kernel kernels\/\S+\.wgsl declares \d+$/);
    const other = writtenPlan();
    editPlanJson(other, (json) => (json.steps[0]!.bindings[0]!.access = "read_write"));
    expect(loadError(other).message).toMatch(/^`steps\[0\]\.bindings\[0\]\.access` is "read_write", but kernels\/\S+\.wgsl declares binding 0 \(\w+\) "read"$/);
  });

  it("refuse a program whose listed bindings are not its kernel's (kernel and sha256 edited together)", () => {
    const plan = tinyPlan();
    const dir = writtenPlan(plan);
    const key = plan.programs[0]!.key;
    const path = join(dir, "kernels", `${key}.wgsl`);
    const wgsl = readFileSync(path, "utf8").replace("var<storage, read> ", "var<storage, read_write> ");
    writeFileSync(path, wgsl);
    editPlanJson(dir, (json) => (json.programs[0]!.sha256 = wgslSha256(wgsl)));
    expect(loadError(dir).message).toMatch(/^`programs\[0\]\.bindings` are \[.*\], but kernels\/\S+\.wgsl declares \[.*\]$/);
  });

  it("refuse buffer sizes that disagree with the shapes and weights they hold", () => {
    const plan = tinyPlan();
    const dir = writtenPlan(plan);
    editPlanJson(dir, (json) => (json.buffers[0]!.bytes = 4));
    expect(loadError(dir).message).toBe("`buffers[0].bytes` is 4 bytes, but a [2, 3, 14, 14] float32 value takes 4,704 bytes");
    const weightBuffer = plan.buffers.findIndex((buffer) => buffer.paramName === "conv1.weight");
    const other = writtenPlan(plan);
    editPlanJson(other, (json) => (json.buffers[weightBuffer]!.bytes = 800));
    expect(loadError(other).message).toBe(`\`buffers[${weightBuffer}].bytes\` is 800 bytes, but conv1.weight takes 864 bytes`);
  });

  it("refuse a derived parameter reading a tensor the plan does not list", () => {
    const dir = writtenPlan(planWithDerived());
    editPlanJson(dir, (json) => ((json.derived[0]!.from as Record<string, string>).runningVar = "bn9.running_var"));
    expect(loadError(dir).message).toBe('`derived[0].from.runningVar` names "bn9.running_var", which `weights` does not list');
  });

  it("say a directory without plan.json is not a build", () => {
    const dir = writtenPlan();
    rmSync(join(dir, "plan.json"));
    const error = loadError(dir);
    expect(error.message).toBe(`\`${dir}\` has no plan.json: it is not a directory \`cnnc build\` wrote`);
    expect(error.hint).toMatch(/^build a plan into it with `cnnc build MODEL.cnn -o /);
  });
});
