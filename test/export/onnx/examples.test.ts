// Every example network exported to ONNX and run in onnxruntime (CPU) matches cnnc's float64 reference
// at batch 1, with `cnnc run`'s initial weights (seed 0). Networks over 60M multiply-accumulates per
// sample run at a reduced input size, as the GPU example test does (the float64 reference takes 15-60 s
// per ImageNet network at 224x224 on a 2-core machine): the same layers and attributes, smaller
// activations. One model also runs at batch 2, its batch axis being symbolic.
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { initWeights } from "../../../runtime/init.js";
import { exportOnnx } from "../../../src/export/onnx/exportOnnx.js";
import { EXAMPLES_DIR, MACS_BUDGET, exampleGraph } from "../../examples/exampleHelpers.js";
import { expectModelMatchesReference, expectOnnxMatchesReference } from "./onnxHarness.js";



const examples = readdirSync(EXAMPLES_DIR)
  .filter((name) => name.endsWith(".cnn"))
  .sort();

describe("example networks exported to ONNX", () => {
  it("are all found", () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    // The networks that reach mul's [C] gate, the new activations, conv_transpose and upsample.
    expect(examples).toEqual(expect.arrayContaining(["mobilenet_se.cnn", "unet_small.cnn"]));
  });

  for (const name of examples) {
    it(`${name} matches the reference at batch 1`, async () => {
      const { graph, input } = exampleGraph(join(EXAMPLES_DIR, name), MACS_BUDGET);
      await expectOnnxMatchesReference(graph, 1, undefined, `${name} at input ${input}`);
    }, 120_000);
  }

  it("one exported model runs at batch 1 and at batch 2 (lenet5.cnn)", async () => {
    const { graph } = exampleGraph(join(EXAMPLES_DIR, "lenet5.cnn"), MACS_BUDGET);
    const bytes = exportOnnx(graph, undefined);
    for (const batch of [1, 2]) await expectModelMatchesReference(bytes, graph, batch, initWeights(graph, 0), `lenet5.cnn at batch ${batch}`);
  });
});
