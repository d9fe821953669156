// Every example network runs on the GPU, fused and with one kernel per layer (--no-fuse), and both
// match the CPU reference end to end, at batch 2, with
// weights initialized from a seed. Networks too slow for CI at full size run at a reduced input size:
// the test rewrites the `input` line's spatial dims to the smallest size that still compiles (keeping
// the size modulo 32, so stride-2 stages still divide), which changes nothing but the activation sizes
// (and fc input widths). Convs use the default schedule rule (a mix of im2col + GEMM and direct), except
// in GoogLeNet: its 57 convs each need their own kernel, and a GEMM kernel costs ~0.7 s of LLVM JIT on
// llvmpipe with a cold shader cache, so it runs them direct (the GEMM path is covered end to end by
// the other examples). Tolerance: `cnnc run --check`'s (runtime/compareOutputs.ts):
// |gpu - ref| <= 1e-4 * max(1, max|ref|) + 1e-3 * |ref| per element.
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { compareOutput } from "../../runtime/compareOutputs.js";
import { randomNormalTensor } from "../../runtime/init.js";
import { createSession } from "../../runtime/session.js";
import { runReference } from "../../src/reference/interpret.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { EXAMPLES_DIR, MACS_BUDGET, exampleGraph } from "./exampleHelpers.js";

const BATCH = 2;

/** Conv schedule for all conv layers of an example (default rule elsewhere). */
const SCHEDULE_OVERRIDES: Record<string, string> = { "googlenet.cnn": "direct" };

const examples = readdirSync(EXAMPLES_DIR)
  .filter((name) => name.endsWith(".cnn"))
  .sort();

describe("example networks on the GPU", () => {
  it("are all found", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of examples) {
    for (const fuse of [true, false]) {
      it(`${name} ${fuse ? "fused" : "unfused (--no-fuse)"} matches the reference`, async () => {
        const example = exampleGraph(join(EXAMPLES_DIR, name), MACS_BUDGET);
        const graph = example.graph;
        const input = example.input;
        const session = await createSession(graph, { seed: 1, gpu: await testGpu(), fuse, schedule: { all: SCHEDULE_OVERRIDES[name] ?? "auto" } });
        try {
          const inputs = new Map(
            graph.inputs.map((id) => {
              const node = graph.nodes[id]!;
              return [node.name, randomNormalTensor([BATCH, ...node.shape], 2, node.name)] as const;
            }),
          );
          const outputs = await session.run(inputs);
          const reference = runReference(graph, inputs, session.weights).outputs;
          for (const [outputName, expected] of reference) {
            const comparison = compareOutput(outputName, outputs.get(outputName)!, expected);
            expect(
              comparison.passed,
              `${name} at input ${input}: ${outputName} max abs error ${comparison.maxAbsError}, max rel error ${comparison.maxRelError}`,
            ).toBe(true);
            // A network whose output is all zeros would pass trivially; the seeded weights make it non-zero.
            expect(expected.data.some((value) => value !== 0)).toBe(true);
          }
        } finally {
          session.destroy();
        }
      });
    }
  }
});
