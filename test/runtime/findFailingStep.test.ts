// After a failed submission, the executor names the first kernel that fails on its own (a trainer's
// error says which kernel and layer) and submits only the steps it is allowed to rerun: a trainer's
// update kernels are encoded and validated, never applied a second time.
import { describe, expect, it } from "vitest";
import type { KernelStep } from "../../src/codegen/plan.js";
import { foldedDispatch, kernelSource } from "../../src/codegen/wgsl.js";
import { readFloat32 } from "../../runtime/buffers.js";
import { createExecutor } from "../../runtime/executor.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { TestPlan } from "../codegen/kernelHarness.js";

const GRAPH = { name: "failing", nodes: [], inputs: [], outputs: [] };

function addOne(name: string, bindings: { buffer: number; access: "read" | "read_write" }[], phase: KernelStep["phase"]): KernelStep {
  const dispatch = foldedDispatch(4, 64);
  const specs = bindings.length === 1 ? [{ name: "y", access: "read_write" as const }] : [{ name: "x", access: "read" as const }, { name: "y", access: "read_write" as const }];
  const body = bindings.length === 1 ? ["  y[index] = y[index] + 1.0f;"] : ["  y[index] = x[index] + 1.0f;"];
  const wgsl = kernelSource({ title: "add one", details: {}, bindings: specs, declarations: [], dispatch, body });
  return { name, node: 0, layer: "layer1", program: name, wgsl, entryPoint: "main", workgroups: dispatch.workgroups, bindings, loopIterations: 1, ...(phase === undefined ? {} : { phase }) };
}

describe("PlanExecutor.findFailingStep", () => {
  it("names the failing kernel and layer, and never submits the steps it may not rerun", async () => {
    const gpu = await testGpu();
    const test = new TestPlan(GRAPH, 1);
    const values = test.input("values", { shape: [4], data: new Float32Array(4) });
    test.output("values", [4], 0, values);
    // The update adds one; the bad kernel binds one buffer both read-only and read_write, which Dawn refuses.
    test.step(addOne("layer1.update", [{ buffer: values, access: "read_write" }], "update"));
    test.step(addOne("layer1.bad", [{ buffer: values, access: "read" }, { buffer: values, access: "read_write" }], "backward"));
    const executor = await createExecutor(gpu, test.plan(), test.weights);
    try {
      gpu.device.pushErrorScope("validation");
      executor.submit(new Map([["values", { shape: [4], data: new Float32Array(4) }]]));
      expect(await gpu.device.popErrorScope()).not.toBeNull();
      const located = await executor.findFailingStep((step) => step.phase !== "update");
      expect(located).toBeInstanceOf(Error);
      expect((located as Error).message).toContain("kernel layer1.bad (layer layer1)");
      // The failed submission ran nothing, and the search only validated the update: still zeros.
      expect([...(await readFloat32(gpu.device, executor.bufferAt(values), 16))]).toEqual([0, 0, 0, 0]);
      // Allowed to rerun it, the search applies it (so the check above can fail).
      await executor.findFailingStep(() => true);
      expect([...(await readFloat32(gpu.device, executor.bufferAt(values), 16))]).toEqual([1, 1, 1, 1]);
    } finally {
      executor.destroy();
    }
  });
});
