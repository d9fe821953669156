// The winograd conv kernel on the GPU against the CPU reference, through the whole pipeline (the
// schedule forced with --schedule, the filter transform derived at weight upload): seeded random 3x3
// stride-1 convs with odd and even sizes (partial edge tiles), padding 0, 1, 2 and asymmetric, every
// padding mode, groups, batch > 1, and fused epilogues (bias + relu, a residual add, a store into a
// concat's channel slice). Held to winogradTolerance (src/schedule/kinds/winograd.ts), derived from
// the transform matrices' magnitudes and the reduction length.
import { describe, expect, it } from "vitest";
import { createExecutor } from "../../runtime/executor.js";
import type { PaddingMode } from "../../src/ir/graph.js";
import { compilePlan } from "../../src/pipeline.js";
import { runReference } from "../../src/reference/interpret.js";
import { winogradTolerance } from "../../src/schedule/kinds/winograd.js";
import { compileText } from "../kernels/kernelHelpers.js";
import { randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { compareTensors, testGpu } from "./gpuHarness.js";

interface WinogradCase {
  name: string;
  source: string;
  /** Input channels per group of the winograd convs (the tolerance's reduction length). */
  channelsPerGroup: number;
  batch: number;
  /** GEMM-core knobs forced on layer `c` (the kind's default otherwise). */
  knobs?: Record<string, number | boolean>;
}

const MODES: PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** Seeded random single-conv networks: sizes 3..12 (odd and even), padding 0..2 per side, every mode, groups 1..3. */
function randomCases(count: number, seed: number): WinogradCase[] {
  const random = seededRandom(seed);
  const pick = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  return Array.from({ length: count }, (_, index) => {
    const groups = pick(1, 3);
    const channelsPerGroup = pick(1, 6);
    const filters = groups * pick(1, 6);
    const height = pick(3, 12);
    const width = pick(3, 12);
    const mode = MODES[index % MODES.length]!;
    const sides = index % 3 === 0 ? [pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)] : undefined;
    const pad = sides === undefined ? String(index % 3) : `[${sides.join(", ")}]`;
    const bias = index % 2 === 0;
    const conv = `conv(${filters}, 3, pad=${pad}, groups=${groups}, padding_mode=${mode}, bias=${bias}) as c`;
    return {
      name: `${groups * channelsPerGroup}x${height}x${width} -> ${filters}, pad ${pad} ${mode}, groups ${groups}${bias ? ", bias" : ""}`,
      source: `network Random${index} {\n  input x: ${groups * channelsPerGroup}x${height}x${width}\n  ${conv}\n}`,
      channelsPerGroup,
      batch: pick(1, 3),
    };
  });
}

const FUSED_CASES: WinogradCase[] = [
  {
    name: "bias + relu, 7x9, batch 2",
    source: `network BiasRelu {\n  input x: 5x7x9\n  c = conv(6, 3, pad=1) -> relu\n}`,
    channelsPerGroup: 5,
    batch: 2,
  },
  {
    name: "residual add then relu, 8x6",
    source: `network Residual {\n  input x: 4x8x6\n  c = conv(4, 3, pad=1)\n  add(c, x) -> relu\n}`,
    channelsPerGroup: 4,
    batch: 2,
  },
  {
    name: "two convs written into a concat's channel slices, 5x7",
    source: `network Slices {\n  input x: 3x5x7\n  a = conv(4, 3, pad=1) -> relu\n  b = x -> conv(5, 3, pad=1)\n  concat(a, b)\n}`,
    channelsPerGroup: 3,
    batch: 1,
  },
  {
    name: "C = 37 (a longer reduction), 11x10, pad [2, 0, 1, 2]",
    source: `network Long {\n  input x: 37x11x10\n  c = conv(9, 3, pad=[2, 0, 1, 2])\n}`,
    channelsPerGroup: 37,
    batch: 1,
  },
];

const DEFAULT_KNOBS = { tileM: 4, tileN: 2, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false };

/** The GEMM core's knobs on Winograd: tiles not dividing the filters / output tiles, vec4 along tiles, split-K, workgroup memory. */
const KNOB_CASES: WinogradCase[] = [
  {
    name: "tileM 4 of 9 filters, tileN 4 (vec4) of 30 tiles, C = 37",
    source: `network TilesLeft {\n  input x: 37x11x10\n  c = conv(9, 3, pad=[2, 0, 1, 2])\n}`,
    channelsPerGroup: 37,
    batch: 1,
    knobs: { tileM: 4, tileN: 4, vectorWidth: 4 },
  },
  {
    name: "split-K 4 over C = 37 (a short last slice), bias + relu, batch 2",
    source: `network SplitK {\n  input x: 37x7x9\n  c = conv(6, 3, pad=1) -> relu\n}`,
    channelsPerGroup: 37,
    batch: 2,
    knobs: { tileM: 2, tileN: 1, splitK: 4 },
  },
  {
    name: "workgroup memory, groups 3, reflect padding, batch 2",
    source: `network Staged {\n  input x: 9x7x6\n  c = conv(6, 3, pad=1, groups=3, padding_mode=reflect)\n}`,
    channelsPerGroup: 3,
    batch: 2,
    knobs: { tileM: 2, tileN: 2, workgroupSize: 32, workgroupMemory: true },
  },
  {
    name: "workgroup memory with vec4 tiles and split-K 2, residual add",
    source: `network StagedSplit {\n  input x: 10x8x6\n  c = conv(10, 3, pad=1)\n  add(c, x) -> relu\n}`,
    channelsPerGroup: 10,
    batch: 2,
    knobs: { tileM: 1, tileN: 4, vectorWidth: 4, workgroupSize: 16, splitK: 2, workgroupMemory: true },
  },
];

async function checkCase(testCase: WinogradCase, seed: number): Promise<void> {
  const graph = compileText(testCase.source);
  const exactSchedules = testCase.knobs === undefined ? undefined : { c: { kind: "winograd", variant: "f2x2_3x3", ...DEFAULT_KNOBS, ...testCase.knobs } };
  const { plan, kernels } = compilePlan(graph, testCase.batch, { schedule: { all: "winograd" }, verify: true, ...(exactSchedules === undefined ? {} : { exactSchedules }) });
  const convKernels = kernels.kernels.filter((kernel) => kernel.anchor === "conv");
  expect(convKernels.length).toBeGreaterThan(0);
  for (const kernel of convKernels) expect(kernel.schedule?.kind).toBe("winograd");
  if (testCase.knobs !== undefined) expect(convKernels.map((kernel) => kernel.schedule)).toMatchObject([testCase.knobs]);
  expect(plan.steps.filter((step) => step.name.endsWith(".winograd"))).toHaveLength(convKernels.length);
  expect(plan.derived.map((derived) => derived.transform)).toEqual(convKernels.map(() => "winograd_filter"));
  if (testCase.name.includes("concat")) expect(kernels.kernels.every((kernel) => kernel.store.kind === "channel_slice")).toBe(true);
  if (testCase.name.includes("residual")) expect(convKernels[0]!.epilogue.map((stage) => stage.kind)).toEqual(["bias", "add", "activation"]);

  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const inputName = plan.inputs[0]!.name;
  const input = randomTensor([testCase.batch, ...graph.nodes[plan.inputs[0]!.node]!.shape], random);
  const inputs = new Map([[inputName, input]]);
  const executor = await createExecutor(await testGpu(), plan, weights);
  try {
    const actual = await executor.run(inputs);
    const expected = runReference(graph, inputs, weights).outputs;
    // The residual's input adds at most 1 to the magnitudes the tolerance is derived for.
    const tolerance = winogradTolerance(testCase.channelsPerGroup);
    for (const [name, reference] of expected) {
      const { firstBad, maxAbsError } = compareTensors(actual.get(name)!, reference, tolerance);
      expect(firstBad, `${testCase.name}: output ${name} (max abs error ${maxAbsError}, atol ${tolerance.atol})`).toBeUndefined();
    }
  } finally {
    executor.destroy();
  }
}

describe("winograd F(2x2, 3x3) conv vs the CPU reference", () => {
  [...FUSED_CASES, ...randomCases(12, 909)].forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkCase(testCase, 300 + index);
    });
  });
});

describe("winograd on the GEMM core's knobs vs the CPU reference", () => {
  KNOB_CASES.forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkCase(testCase, 400 + index);
    });
  });
});
