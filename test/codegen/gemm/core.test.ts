// The GEMM core on randomized batched, planed GEMMs against a float64 product: every combination of
// vectorWidth 1/4, splitK 1/3 and workgroup memory off/on, each with register tiles that do not divide
// M, N or R, plus fc's quad mode (vec4 loads along the reduction). The operand loaders here read plain
// row-major matrices A [planes][batches][M][R] and B [planes][batches][R][N]; the conv and fc loaders
// are tested through their kernels (test/codegen/conv, fc). Tolerance: toleranceFor(R) (float32 sums).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitGemm, gemmPartialBytes } from "../../../src/codegen/gemm/core.js";
import type { GemmColumnOperand, GemmKnobs, GemmOperand, GemmProblem, GemmStore } from "../../../src/codegen/gemm/operands.js";
import { workgroupMemoryBytes } from "../../../src/schedule/kinds/gemmKnobs.js";
import type { Tensor } from "../../../src/tensor.js";
import { openDevice, type GpuContext } from "../../../runtime/device.js";
import { randomTensor, seededRandom, singleOpGraph } from "../../reference/graphBuilders.js";
import { expectClose, TestPlan, toleranceFor } from "../kernelHarness.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

const planeOffset = (plane: number, size: string): string => (plane === 0 ? "" : `${plane}u * ${size} + `);

function rowOperand(buffer: number, quad: boolean): GemmOperand {
  const at = (id: string, r: string, plane: number): string => `a_matrix[${planeOffset(plane, "BATCHES * M * R")}${id} + ${r}]`;
  return {
    storage: [{ name: "a_matrix", access: "read", buffer }],
    declarations: [],
    setup: (batch, row, id) => [`let ${id} = (${batch} * M + ${row}) * R;`],
    load: (id, r, out) => out.map((name, plane) => `let ${name} = ${at(id, r, plane)};`),
    ...(quad ? { quad: (id: string, r: string, out: readonly string[]) => out.map((name, plane) => `let ${name} = vec4<f32>(${[0, 1, 2, 3].map((k) => at(id, `${r} + ${k}u`, plane)).join(", ")});`) } : {}),
  };
}

function columnOperand(buffer: number, quad: boolean, vector: boolean): GemmColumnOperand {
  const at = (base: string, r: string, plane: number): string => `b_matrix[${planeOffset(plane, "BATCHES * R * N")}${base} + ${r} * N]`;
  return {
    storage: [{ name: "b_matrix", access: "read", buffer }],
    declarations: [],
    setup: (batch, column, id) => [`let ${id} = ${batch} * R * N + ${column};`],
    load: (id, r, out) => out.map((name, plane) => `let ${name} = ${at(id, r, plane)};`),
    ...(quad ? { quad: (id: string, r: string, out: readonly string[]) => out.map((name, plane) => `let ${name} = vec4<f32>(${[0, 1, 2, 3].map((k) => at(id, `(${r} + ${k}u)`, plane)).join(", ")});`) } : {}),
    ...(vector
      ? {
          vector: {
            setup: (batch: string, first: string, id: string) => [0, 1, 2, 3].map((lane) => `let ${id}_${lane} = ${batch} * R * N + min(${first} + ${lane}u, N - 1u);`),
            load: (id: string, r: string, out: readonly string[]) => out.map((name, plane) => `let ${name} = vec4<f32>(${[0, 1, 2, 3].map((lane) => at(`${id}_${lane}`, r, plane)).join(", ")});`),
          },
        }
      : {}),
  };
}

function store(buffer: number): GemmStore {
  return {
    storage: [{ name: "c_matrix", access: "read_write", buffer }],
    stages: [],
    declarations: [],
    store: (batch, m, n, values) => values.map((value, plane) => `c_matrix[((${plane}u * BATCHES + ${batch}) * M + ${m}) * N + ${n}] = apply_epilogue(${value}, ${m}, 0u);`),
    description: "dense [planes][batches][M][N]",
  };
}

function product(problem: GemmProblem, a: Tensor, b: Tensor): Float32Array {
  const { batches, planes, M, N, R } = problem;
  const c = new Float32Array(planes * batches * M * N);
  for (let p = 0; p < planes; p++) {
    for (let g = 0; g < batches; g++) {
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let sum = 0;
          for (let r = 0; r < R; r++) sum += a.data[((p * batches + g) * M + m) * R + r]! * b.data[((p * batches + g) * R + r) * N + n]!;
          c[((p * batches + g) * M + m) * N + n] = sum;
        }
      }
    }
  }
  return c;
}

interface CoreCase {
  problem: GemmProblem;
  knobs: GemmKnobs;
  quad?: boolean;
  vector?: boolean;
}

async function checkGemm(testCase: CoreCase, seed: number): Promise<void> {
  const { problem, knobs } = testCase;
  const random = seededRandom(seed);
  const a = randomTensor([problem.planes * problem.batches * problem.M, problem.R], random);
  const b = randomTensor([problem.planes * problem.batches * problem.R, problem.N], random);
  const graph = singleOpGraph({ op: "fc", outFeatures: 1, bias: false }, [1]);
  const test = new TestPlan(graph, 1);
  const aBuffer = test.input("x", a);
  const bBuffer = test.data("b", b);
  const cShape = [problem.planes * problem.batches * problem.M, problem.N];
  const cBuffer = test.output("c", cShape);
  test.emit(graph.nodes[1]!, new Map(), { inputBuffers: [aBuffer], outputBuffer: cBuffer }, (node, context) => {
    const bytes = gemmPartialBytes(problem, knobs);
    emitGemm({
      node,
      context,
      kernel: "gemm",
      title: "test GEMM",
      details: {},
      problem,
      rows: rowOperand(aBuffer, testCase.quad === true),
      columns: columnOperand(bBuffer, testCase.quad === true, testCase.vector === true),
      store: store(cBuffer),
      knobs,
      constants: {},
      ...(bytes > 0 ? { partials: context.scratchBuffer("partials", bytes) } : {}),
    });
  });
  const plan = test.plan();
  expect(plan.steps.map((step) => step.name)).toEqual(knobs.splitK > 1 ? ["layer.gemm", "layer.gemm_sum"] : ["layer.gemm"]);
  if (knobs.workgroupMemory) expect(plan.steps[0]!.wgsl).toContain("workgroupBarrier()");
  const outputs = await test.run(gpu);
  const expected: Tensor = { shape: cShape, data: product(problem, a, b) };
  expectClose(outputs.get("c")!, expected, toleranceFor(problem.R), JSON.stringify(testCase));
}

const PROBLEMS: GemmProblem[] = [
  { batches: 2, planes: 1, M: 7, N: 13, R: 23 },
  { batches: 1, planes: 2, M: 5, N: 9, R: 18 },
];

const cases: CoreCase[] = [];
for (const vectorWidth of [1, 4] as const) {
  for (const splitK of [1, 3]) {
    for (const workgroupMemory of [false, true]) {
      PROBLEMS.forEach((problem, index) => {
        const tileN = vectorWidth === 4 ? 4 * (index + 1) : 3 + index;
        const knobs: GemmKnobs = { tileM: 2 + index, tileN, vectorWidth, workgroupSize: index === 0 ? 16 : 6, splitK, workgroupMemory };
        cases.push({ problem, knobs, vector: vectorWidth === 4 && index === 0 });
      });
    }
  }
}
cases.push({ problem: { batches: 1, planes: 1, M: 6, N: 5, R: 36 }, knobs: { tileM: 4, tileN: 2, vectorWidth: 1, workgroupSize: 8, splitK: 1, workgroupMemory: false }, quad: true });
cases.push({ problem: { batches: 2, planes: 1, M: 9, N: 3, R: 42 }, knobs: { tileM: 3, tileN: 4, vectorWidth: 1, workgroupSize: 32, splitK: 2, workgroupMemory: false }, quad: true });
cases.push({ problem: { batches: 1, planes: 1, M: 70, N: 66, R: 40 }, knobs: { tileM: 4, tileN: 8, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: true } });

describe("GEMM core vs a float64 product", () => {
  cases.forEach((testCase, index) => {
    it(`${JSON.stringify(testCase.problem)} ${JSON.stringify(testCase.knobs)}${testCase.quad === true ? " quad" : ""}${testCase.vector === true ? " vector loads" : ""}`, async () => {
      await checkGemm(testCase, 300 + index);
    });
  });
});

describe("workgroup memory size", () => {
  it("counts A and B slices of every plane", () => {
    // 64 invocations as 8 x 8 register tiles of 4 x 8: A [32 x 8] and B [8 x 64] floats per plane.
    expect(workgroupMemoryBytes(1, { tileM: 4, tileN: 8, workgroupSize: 64, workgroupMemory: true })).toBe((32 * 8 + 8 * 64) * 4);
    expect(workgroupMemoryBytes(16, { tileM: 4, tileN: 8, workgroupSize: 64, workgroupMemory: true })).toBe(16 * (32 * 8 + 8 * 64) * 4);
    expect(workgroupMemoryBytes(1, { tileM: 4, tileN: 8, workgroupSize: 64, workgroupMemory: false })).toBe(0);
  });
});
