// Test helpers for running graphs on the GPU and comparing with the CPU reference.
import { expect } from "vitest";

import { openDevice, parseBackend, type GpuContext } from "../../runtime/device.js";
import { createExecutor } from "../../runtime/executor.js";
import { buildPlan } from "../../src/pipeline.js";
import type { Graph } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";

/** Tolerances for float32 kernels against the float64 reference: |gpu - ref| <= atol + rtol * |ref|. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

export const FLOAT32_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

let shared: Promise<GpuContext> | undefined;

/** One device per test file (vitest forks a process per file); tests share it. */
export function testGpu(): Promise<GpuContext> {
  shared ??= openDevice({ backend: parseBackend(process.env.CNNC_TEST_BACKEND ?? "auto") });
  return shared;
}

/** Runs `graph` once on the GPU at the inputs' batch size. */
export async function runOnGpu(graph: Graph, inputs: Map<string, Tensor>, weights: WeightMap): Promise<Map<string, Tensor>> {
  const gpu = await testGpu();
  const batch = [...inputs.values()][0]!.shape[0]!;
  const executor = await createExecutor(gpu, buildPlan(graph, batch), weights);
  try {
    return await executor.run(inputs);
  } finally {
    executor.destroy();
  }
}

/** The largest absolute error, and the first element out of tolerance (NaN fails unless both are NaN). */
export function compareTensors(
  actual: Tensor,
  expected: Tensor,
  tolerance: Tolerance,
): { maxAbsError: number; firstBad?: { index: number; actual: number; expected: number } } {
  expect(actual.shape).toEqual(expected.shape);
  let maxAbsError = 0;
  let firstBad: { index: number; actual: number; expected: number } | undefined;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Object.is(a, e)) continue;
    const error = Math.abs(a - e);
    maxAbsError = Number.isNaN(error) ? Infinity : Math.max(maxAbsError, error);
    const within = error <= tolerance.atol + tolerance.rtol * Math.abs(e);
    if (!within && firstBad === undefined) firstBad = { index: i, actual: a, expected: e };
  }
  return firstBad === undefined ? { maxAbsError } : { maxAbsError, firstBad };
}

/** Asserts every output of the GPU run equals the reference within `tolerance`; `what` labels failures. */
export async function expectGpuMatchesReference(
  graph: Graph,
  inputs: Map<string, Tensor>,
  weights: WeightMap,
  what: string,
  tolerance: Tolerance = FLOAT32_TOLERANCE,
): Promise<void> {
  const gpu = await runOnGpu(graph, inputs, weights);
  const reference = runReference(graph, inputs, weights).outputs;
  expect([...gpu.keys()]).toEqual([...reference.keys()]);
  for (const [name, expected] of reference) {
    const { firstBad, maxAbsError } = compareTensors(gpu.get(name)!, expected, tolerance);
    expect(firstBad, `${what}: output ${name} (max abs error ${maxAbsError})`).toBeUndefined();
  }
}
