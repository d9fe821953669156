import { describe, expect, it } from "vitest";
import { foldedDispatch, kernelSource } from "../../../src/codegen/wgsl.js";
import { testGpu } from "../gpuHarness.js";
import { fromU32Bits, runTrainingKernels, u32Bits } from "./trainingHarness.js";

describe("runTrainingKernels", () => {
  it("binds operands by name, uploads them and reads back the read_write ones", async () => {
    const dispatch = foldedDispatch(5, 64);
    const bindings = [
      { name: "a", access: "read" as const },
      { name: "b", access: "read" as const, element: "u32" as const },
      { name: "sum", access: "read_write" as const },
    ];
    const wgsl = kernelSource({ title: "test sum", details: {}, bindings, declarations: [], dispatch, body: ["  sum[index] = sum[index] + a[index] + f32(b[index]);"] });
    const outputs = await runTrainingKernels(
      await testGpu(),
      { kernels: [{ kernel: "sum", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 1 }], scratch: [] },
      { a: new Float32Array([1, 2, 3, 4, 5]), b: u32Bits([10, 20, 30, 40, 50]), sum: new Float32Array([100, 100, 100, 100, 100]) },
    );
    expect([...outputs.keys()]).toEqual(["sum"]);
    expect([...outputs.get("sum")!]).toEqual([111, 122, 133, 144, 155]);
    expect([...fromU32Bits(u32Bits([7, 2 ** 31]))]).toEqual([7, 2 ** 31]);
  });
});
