// The kernel-graph verifier catches each broken invariant, naming the layer or kernel.
import { describe, expect, it } from "vitest";
import type { KernelGraph } from "../../src/kernels/kernelGraph.js";
import { lowerToKernels } from "../../src/kernels/lower.js";
import { verifyKernelGraph } from "../../src/kernels/verify.js";
import { PASS_NAMES } from "../../src/pipeline.js";
import { compileExample } from "../examples/exampleHelpers.js";
import { exampleKernels } from "./kernelHelpers.js";

const LIMITS = { maxStorageBindings: 8 };

function problems(graph: KernelGraph): string {
  return verifyKernelGraph(graph, LIMITS).join("\n");
}

describe("verifyKernelGraph", () => {
  const resnet = exampleKernels("resnet18.cnn");

  it("accepts every pass's output on the examples (buildKernelGraph verifies after each)", () => {
    for (const name of ["lenet5.cnn", "fashion_cnn.cnn", "googlenet.cnn", "textcnn.cnn", "alexnet.cnn"]) {
      const seen: string[] = [];
      exampleKernels(name, { afterPass: (pass) => seen.push(pass) });
      expect(seen).toEqual(PASS_NAMES);
    }
  });

  it("reports a layer no kernel implements, and one implemented twice", () => {
    const dropped = { ...resnet, kernels: resnet.kernels.slice(1).map((kernel, id) => ({ ...kernel, id })) };
    expect(problems(dropped)).toMatch(/layer conv1 is implemented 0 times/);
    const doubled = { ...resnet, kernels: resnet.kernels.map((kernel) => (kernel.id === 1 ? { ...kernel, layers: [...kernel.layers, resnet.kernels[0]!.anchorLayer] } : kernel)) };
    expect(problems(doubled)).toMatch(/layer conv1 is implemented 2 times/);
  });

  it("reports a value read before it is written", () => {
    const swapped = { ...resnet, kernels: [resnet.kernels[1]!, resnet.kernels[0]!, ...resnet.kernels.slice(2)].map((kernel, id) => ({ ...kernel, id })) };
    expect(problems(swapped)).toMatch(/before any kernel writes it/);
  });

  it("reports a residual that is the kernel's own output", () => {
    const kernels = resnet.kernels.map((kernel) =>
      kernel.epilogue.some((stage) => stage.kind === "add")
        ? { ...kernel, epilogue: kernel.epilogue.map((stage) => (stage.kind === "add" ? { ...stage, value: kernel.output } : stage)) }
        : kernel,
    );
    expect(problems({ ...resnet, kernels })).toMatch(/a residual input must never be the output buffer/);
  });

  it("reports a kernel binding more storage buffers than the target allows", () => {
    expect(verifyKernelGraph(resnet, { maxStorageBindings: 4 }).join("\n")).toMatch(/binds \d+ storage buffers; the target allows 4/);
  });

  it("accepts the unfused lowering of every example", () => {
    for (const name of ["vgg16.cnn", "resnet34.cnn", "zfnet.cnn"]) expect(verifyKernelGraph(lowerToKernels(compileExample(name)), LIMITS)).toEqual([]);
  });
});
