// A network with several outputs (`outputs a, b, c`) on the GPU against the float64 reference, on
// randomized sizes: every output comes back under its name, one of them also read by later layers and
// one an elementwise layer that must not overwrite it; the memory plan keeps every output alive.
import { describe, expect, it } from "vitest";
import { initWeights } from "../../runtime/init.js";
import { planMemory, validateMemoryPlan } from "../../src/kernels/memoryPlan.js";
import { buildKernelGraph } from "../../src/pipeline.js";
import { runReference } from "../../src/reference/interpret.js";
import { makeTensor } from "../../src/tensor.js";
import { expectGpuMatchesReference } from "../codegen/gpuHarness.js";
import { compileOk } from "../elaborate/compileHelpers.js";
import { seededRandom } from "../support/seededRandom.js";

function heads(channels: number, size: number, features: number, classes: number): string {
  return `network Heads {
  input image: ${channels}x${size}x${size}
  feat = conv(${features}, 3, pad=1)
  boxes = feat -> relu -> conv(4, 1)
  scores = feat -> maxpool(2, rounding=floor) -> global_avgpool -> fc(${classes}) -> softmax
  outputs scores, feat, boxes
}
`;
}

describe("a network with several outputs", () => {
  const random = seededRandom(20240611);
  for (let trial = 0; trial < 3; trial++) {
    const [channels, size, features, classes] = [1 + Math.floor(random() * 3), 4 + Math.floor(random() * 6), 2 + Math.floor(random() * 5), 2 + Math.floor(random() * 6)];
    const batch = 1 + Math.floor(random() * 3);
    it(`GPU matches the reference on every output (${channels}x${size}x${size}, ${features} features, ${classes} classes, batch ${batch})`, async () => {
      const graph = compileOk(heads(channels, size, features, classes));
      const weights = initWeights(graph, 7 + trial);
      const image = makeTensor([batch, channels, size, size], Float32Array.from({ length: batch * channels * size * size }, () => random() * 2 - 1));
      const inputs = new Map([["image", image]]);
      const reference = runReference(graph, inputs, weights).outputs;
      expect([...reference.keys()]).toEqual(["scores.softmax", "feat", "boxes.conv"]);
      expect(reference.get("boxes.conv")!.shape).toEqual([batch, 4, size, size]);
      await expectGpuMatchesReference(graph, inputs, weights, "Heads");
    });
  }

  it("the reference gives each output the value a one-output network ending there gives", () => {
    const source = heads(2, 6, 3, 4);
    const graph = compileOk(source);
    const weights = initWeights(graph, 3);
    const inputs = new Map([["image", makeTensor([2, 2, 6, 6], Float32Array.from({ length: 144 }, (_, i) => Math.sin(i)))]]);
    const all = runReference(graph, inputs, weights).outputs;
    for (const [name, keep] of [["boxes.conv", "outputs boxes"], ["feat", "outputs feat"], ["scores.softmax", "outputs scores"]] as const) {
      const single = compileOk(source.replace("outputs scores, feat, boxes", keep));
      const alone = runReference(single, inputs, weights).outputs;
      expect([...alone.keys()]).toEqual([name]);
      expect(alone.get(name)).toEqual(all.get(name));
    }
  });

  it("the memory plan keeps every output in its own buffer until the end", () => {
    for (const fuse of [true, false]) {
      const kernels = buildKernelGraph(compileOk(heads(3, 8, 4, 5)), { verify: true, fuse });
      const plan = planMemory(kernels, 2);
      expect(validateMemoryPlan(kernels, plan)).toEqual([]);
      expect(kernels.outputs.map((value) => plan.placement.get(value)?.kind)).toEqual(["output", "output", "output"]);
    }
  });
});
