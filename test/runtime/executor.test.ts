// The plan executor: buffer sizing against device limits, input and weight checks with clear errors,
// the pipeline cache, and repeated runs.
import { describe, expect, it } from "vitest";

import { limitsLoopIterations, openDevice } from "../../runtime/device.js";
import { DeviceWeights } from "../../runtime/deviceWeights.js";
import { createExecutor } from "../../runtime/executor.js";
import { pipelineFor } from "../../runtime/pipelineCache.js";
import { buildPlan } from "../../src/pipeline.js";
import { CnncUserError } from "../../src/errors.js";
import type { Graph } from "../../src/ir/graph.js";
import { makeTensor } from "../../src/tensor.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { chainGraph, conv2d, randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";

const random = seededRandom(99);

async function userError(promise: Promise<unknown>): Promise<CnncUserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CnncUserError);
  return error as CnncUserError;
}

describe("PlanExecutor", () => {
  it("rejects a batch whose activations exceed the storage buffer limit, naming the layer and a batch that fits", async () => {
    const gpu = await testGpu();
    const features = 1_000_000;
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    const batch = Math.ceil(limit / (features * 4)) + 1;
    const plan = buildPlan(chainGraph([features], [{ op: "relu" }]), batch);
    const error = await userError(createExecutor(gpu, plan, new Map()));
    // Input and output are equally large: the first, the input, is named.
    expect(error.message).toMatch(new RegExp(`^input x \\[${batch}, 1000000\\] needs .* at batch ${batch}, more than this GPU allows in one storage buffer`));
    expect(error.hint).toContain(`at most ${Math.floor(limit / (features * 4))}`);
  });

  it("rejects a conv weight larger than one binding with a hint about the weight, not the batch", async () => {
    const gpu = await testGpu();
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    const channels = Math.ceil(Math.sqrt(limit / (9 * 4))) + 1;
    const plan = buildPlan(singleOpGraph(conv2d({ out: channels, kernel: 3 }), [channels, 3, 3], "big"), 1);
    const error = await userError(createExecutor(gpu, plan, new Map()));
    expect(error.message).toContain("weight big.weight");
    expect(error.hint).toContain("the layer's weight is larger than one GPU binding allows");
    expect(error.hint).not.toContain("batch");
  });

  it("reports missing and mis-sized weights by name", async () => {
    const gpu = await testGpu();
    const graph = singleOpGraph(conv2d({ out: 4, kernel: 3 }), [3, 5, 5], "c1");
    const plan = buildPlan(graph, 1);
    const missing = await userError(createExecutor(gpu, plan, new Map()));
    expect(missing.message).toContain("c1.weight");
    const wrong = new Map([
      ["c1.weight", makeTensor([4, 3, 2, 2])],
      ["c1.bias", makeTensor([4])],
    ]);
    const misSized = await userError(createExecutor(gpu, plan, wrong));
    expect(misSized.message).toContain("c1.weight");
    expect(misSized.message).toContain("[4, 3, 2, 2]");
  });

  it("checks input names and shapes, stating the expected NCHW shape", async () => {
    const gpu = await testGpu();
    const graph = chainGraph([3, 4, 5], [{ op: "relu" }]);
    const executor = await createExecutor(gpu, buildPlan(graph, 2), new Map());
    try {
      const wrongShape = await userError(executor.run(new Map([["x", makeTensor([2, 3, 5, 4])]])));
      expect(wrongShape.message).toContain("[2, 3, 4, 5]");
      expect(wrongShape.message).toContain("NCHW");
      const wrongName = await userError(executor.run(new Map([["image", makeTensor([2, 3, 4, 5])]])));
      expect(wrongName.message).toContain("image");
      expect(wrongName.hint).toContain("`x`");
      const none = await userError(executor.run(new Map()));
      expect(none.message).toContain("missing input `x`");
    } finally {
      executor.destroy();
    }
  });

  it("runs repeatedly with fresh inputs, reusing its buffers", async () => {
    const gpu = await testGpu();
    const graph = chainGraph([6], [{ op: "softmax" }]);
    const executor = await createExecutor(gpu, buildPlan(graph, 1), new Map());
    try {
      for (let run = 0; run < 3; run++) {
        const logits = makeTensor([1, 6], Float32Array.from([0, 0, 0, 0, 0, 0].map((_, i) => (i === run ? 50 : 0))));
        const output = (await executor.run(new Map([["x", logits]]))).get("l0")!;
        expect(output.data[run]).toBeCloseTo(1, 6);
      }
    } finally {
      executor.destroy();
    }
  });

  it("shares compiled pipelines between executors of identical kernels", async () => {
    const gpu = await testGpu();
    const graph = singleOpGraph(conv2d({ out: 5, kernel: 3, padding: 1 }), [3, 7, 7], "c1");
    const weights = randomWeights(graph, random);
    const plan = buildPlan(graph, 2);
    const otherPlan = buildPlan(graph, 2);
    const first = await createExecutor(gpu, plan, weights);
    const second = await createExecutor(gpu, otherPlan, weights);
    try {
      const input = new Map([["x", randomTensor([2, 3, 7, 7], random)]]);
      const a = (await first.run(input)).get("c1")!;
      const b = (await second.run(input)).get("c1")!;
      expect(b.data).toEqual(a.data);
      plan.steps.forEach((step, i) => {
        expect(pipelineFor(gpu.device, otherPlan.steps[i]!)).toBe(pipelineFor(gpu.device, step));
      });
      // A different batch bakes different shapes, so it is a different pipeline.
      expect(pipelineFor(gpu.device, buildPlan(graph, 3).steps[0]!)).not.toBe(pipelineFor(gpu.device, plan.steps[0]!));
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it("names the kernel and layer when a kernel does not compile or exceeds the dispatch limits", async () => {
    const gpu = await testGpu();
    const graph = chainGraph([4], [{ op: "relu" }]);
    const broken = buildPlan(graph, 1);
    broken.steps[0] = { ...broken.steps[0]!, wgsl: broken.steps[0]!.wgsl.replace("max(stage0, 0.0f)", "max(stage0, 0u)") };
    await expect(createExecutor(gpu, broken, new Map())).rejects.toThrow(/kernel l0\.relu: WGSL compilation reported 1 error/);
    const huge = buildPlan(graph, 1);
    huge.steps[0] = { ...huge.steps[0]!, workgroups: [gpu.device.limits.maxComputeWorkgroupsPerDimension + 1, 1, 1] };
    await expect(createExecutor(gpu, huge, new Map())).rejects.toThrow(/kernel l0\.relu dispatches/);
  });

  it("refuses, on llvmpipe, a kernel running more loop passes than it allows (a huge fc input, a global pool over a huge plane)", async () => {
    const gpu = await testGpu();
    const fc = singleOpGraph({ op: "fc", outFeatures: 4, bias: true }, [300_001], "big");
    const pool = singleOpGraph({ op: "global_pool", kind: "avg" }, [1, 4200, 4200], "big");
    for (const [graph, kernel, passes] of [
      [fc, "big.fc", "75,016"],
      [pool, "big.global_avgpool", "68,918"],
    ] as const) {
      const plan = buildPlan(graph, 1);
      const creating = createExecutor(gpu, plan, randomWeights(graph, random));
      if (!limitsLoopIterations(gpu.adapterDetails)) {
        (await creating).destroy(); // no such limit on this device
        continue;
      }
      const error = await userError(creating);
      expect(error.message).toMatch(new RegExp(`^kernel ${kernel.replace(".", "\\.")} \\(layers big\\) runs ${passes} loop iterations per invocation, more than llvmpipe's limit of 65,535`));
      expect(error.hint).toMatch(/^(give big fewer input features|pool or stride before big)/);
    }
  });

  it("fails cleanly after destroy", async () => {
    const gpu = await testGpu();
    const executor = await createExecutor(gpu, buildPlan(chainGraph([2], [{ op: "relu" }]), 1), new Map());
    executor.destroy();
    await expect(executor.run(new Map([["x", makeTensor([1, 2])]]))).rejects.toThrow(/destroyed/);
  });
});

/** The device calls that cost a forward pass time, counted by `countGpuCalls`. */
interface GpuCalls {
  createBuffer: number;
  pushErrorScope: number;
  submit: number;
  onSubmittedWorkDone: number;
}

/** Counts the calls `body` makes to a few methods of `device` (patched on the instances, restored after). */
async function countGpuCalls(device: GPUDevice, body: () => Promise<unknown>): Promise<GpuCalls> {
  const counts: GpuCalls = { createBuffer: 0, pushErrorScope: 0, submit: 0, onSubmittedWorkDone: 0 };
  const patched: [object, keyof GpuCalls][] = [
    [device, "createBuffer"],
    [device, "pushErrorScope"],
    [device.queue, "submit"],
    [device.queue, "onSubmittedWorkDone"],
  ];
  for (const [target, name] of patched) {
    const original = Reflect.get(target, name) as (...args: unknown[]) => unknown;
    const counted = (...args: unknown[]): unknown => {
      counts[name]++;
      return original.apply(target, args);
    };
    Object.defineProperty(target, name, { configurable: true, value: counted });
  }
  try {
    await body();
  } finally {
    for (const [target, name] of patched) Reflect.deleteProperty(target, name);
  }
  return counts;
}

/** x -> relu (l0) -> tanh (l1), both outputs: two values read back per forward pass. */
function twoOutputGraph(): Graph {
  const graph = chainGraph([2, 3], [{ op: "relu" }, { op: "tanh" }]);
  return { ...graph, outputs: [1, 2] };
}

function expectTwoOutputs(outputs: Map<string, { data: Float32Array }>, input: Float32Array): void {
  const relu = Array.from(input, (value) => Math.max(value, 0));
  expect(Array.from(outputs.get("l0")!.data)).toEqual(relu.map(Math.fround));
  Array.from(outputs.get("l1")!.data).forEach((value, i) => expect(value).toBeCloseTo(Math.tanh(relu[i]!), 6));
}

describe("PlanExecutor per-run work", () => {
  it("runs a forward pass as one submission in one error scope, creating no buffer and awaiting nothing but the read-back", async () => {
    const gpu = await testGpu();
    const plan = buildPlan(twoOutputGraph(), 1);
    const events: string[] = [];
    const executor = await createExecutor(gpu, plan, new Map(), (progress) => events.push(progress.phase));
    try {
      const inputs = [0, 1, 2].map(() => randomTensor([1, 2, 3], random));
      let outputs = new Map<string, { data: Float32Array }>();
      // The first run with a listener still submits kernel by kernel, then the copies to the staging buffer.
      const first = await countGpuCalls(gpu.device, async () => (outputs = await executor.run(new Map([["x", inputs[0]!]]))));
      expect(first.submit).toBe(plan.steps.length + 1);
      expect(events.filter((phase) => phase === "first run")).toHaveLength(plan.steps.length + 1);
      expectTwoOutputs(outputs, inputs[0]!.data);
      for (const input of inputs.slice(1)) {
        const calls = await countGpuCalls(gpu.device, async () => (outputs = await executor.run(new Map([["x", input]]))));
        expect(calls).toEqual({ createBuffer: 0, pushErrorScope: 2, submit: 1, onSubmittedWorkDone: 0 });
        // The reused staging buffer holds this run's values, not the last run's.
        expectTwoOutputs(outputs, input.data);
      }
    } finally {
      executor.destroy();
    }
  });

  it("reads each layer's value back in its layer's submission, reusing one staging buffer", async () => {
    const gpu = await testGpu();
    const plan = buildPlan(twoOutputGraph(), 1);
    const executor = await createExecutor(gpu, plan, new Map());
    try {
      const input = randomTensor([1, 2, 3], random);
      const layerByLayer = async (): Promise<Map<string, { data: Float32Array }>> => {
        const values = new Map<string, { data: Float32Array }>();
        await executor.runLayerByLayer(new Map([["x", input]]), (node, data) => values.set(`l${node - 1}`, { data }).size > 0);
        return values;
      };
      expectTwoOutputs(await layerByLayer(), input.data);
      let values = new Map<string, { data: Float32Array }>();
      const calls = await countGpuCalls(gpu.device, async () => (values = await layerByLayer()));
      expect(calls).toEqual({ createBuffer: 0, pushErrorScope: 2 * plan.steps.length, submit: plan.steps.length, onSubmittedWorkDone: 0 });
      expectTwoOutputs(values, input.data);
    } finally {
      executor.destroy();
    }
  });

  it("names the kernel that fails in a batched forward pass, and leaves the device usable", async () => {
    const gpu = await testGpu();
    const graph = chainGraph([4], [{ op: "relu" }, { op: "fc", outFeatures: 3, bias: true }]);
    const plan = buildPlan(graph, 1);
    const weights = new DeviceWeights(gpu.device, randomWeights(graph, random));
    const executor = await createExecutor(gpu, plan, weights);
    const input = new Map([["x", randomTensor([1, 4], random)]]);
    try {
      await executor.run(input);
      // A destroyed weight buffer fails the submission; only the fc kernel binds it.
      weights.destroy();
      const failing = plan.steps.find((step) => step.layer === "l1")!;
      await expect(executor.run(input)).rejects.toThrow(new RegExp(`^WebGPU validation error in kernel ${failing.name.replace(".", "\\.")} \\(layer l1\\)`));
    } finally {
      executor.destroy();
    }
    const healthy = await createExecutor(gpu, buildPlan(twoOutputGraph(), 1), new Map());
    try {
      const data = randomTensor([1, 2, 3], random);
      expectTwoOutputs(await healthy.run(new Map([["x", data]])), data.data);
    } finally {
      healthy.destroy();
    }
  });
});

describe("PlanExecutor on a lost device", () => {
  it("reports the device's loss for the forward pass rather than blaming its first kernel", async () => {
    const doomed = await openDevice({ backend: (await testGpu()).backend });
    const executor = await createExecutor(doomed, buildPlan(twoOutputGraph(), 1), new Map());
    const input = new Map([["x", randomTensor([1, 2, 3], random)]]);
    await executor.run(input);
    doomed.destroy();
    await expect(executor.run(input)).rejects.toThrow(/^the forward pass of test_chain \(batch 1\): the GPU device was closed/);
    executor.destroy();
  });
});

describe("PlanExecutor concurrency", () => {
  it("queues concurrent runs so each gets its own inputs' result", async () => {
    const gpu = await testGpu();
    const graph = chainGraph([3, 5], [{ op: "tanh" }]);
    const executor = await createExecutor(gpu, buildPlan(graph, 2), new Map());
    try {
      const inputs = [0, 1, 2, 3].map((k) => makeTensor([2, 3, 5], new Float32Array(30).fill(k * 0.5)));
      const outputs = await Promise.all(inputs.map((input) => executor.run(new Map([["x", input]]))));
      outputs.forEach((output, k) => {
        expect(output.get("l0")!.data[29]).toBeCloseTo(Math.tanh(k * 0.5), 6);
      });
    } finally {
      executor.destroy();
    }
  });
});
