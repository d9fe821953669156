// The convolution's gradients (input, weight, bias) against finite differences, on random shapes: 1-D
// and 2-D, stride > 1, dilation, asymmetric padding in every padding mode, odd sizes, groups, batch > 1.
import { describe, it } from "vitest";
import type { PaddingMode, Shape } from "../../../src/ir/graph.js";
import { conv1d, conv2d, outputShape, seededRandom } from "../graphBuilders.js";
import { checkOpGradient, pick, randomInt } from "./opCheck.js";

const MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

describe("conv gradient", () => {
  const random = seededRandom(8001);
  for (let trial = 0; trial < 24; trial++) {
    const groups = randomInt(random, 1, 3);
    const channels = groups * randomInt(random, 1, 2);
    const out = groups * randomInt(random, 1, 2);
    const batch = randomInt(random, 1, 3);
    const mode = pick(random, MODES);
    const bias = random() < 0.7;
    const oneD = trial % 3 === 0;
    const side = (): number => randomInt(random, 0, 2);
    const attrs = oneD
      ? conv1d({ out, kernel: randomInt(random, 1, 3), stride: randomInt(random, 1, 3), dilation: randomInt(random, 1, 2), padding: [side(), side()], mode, groups, bias })
      : conv2d({
          out,
          kernel: [randomInt(random, 1, 3), randomInt(random, 1, 3)],
          stride: [randomInt(random, 1, 3), randomInt(random, 1, 3)],
          dilation: [randomInt(random, 1, 2), randomInt(random, 1, 2)],
          padding: [side(), side(), side(), side()],
          mode,
          groups,
          bias,
        });
    // Odd and even sizes from 3 (reflect padding needs pad < size) to 7.
    const input: Shape = oneD ? [channels, randomInt(random, 3, 9)] : [channels, randomInt(random, 3, 7), randomInt(random, 3, 7)];
    if (outputShape(attrs, [input]).some((size) => size < 1)) continue;
    const label = `${oneD ? "conv1d" : "conv2d"} ${JSON.stringify({ input, batch, kernel: attrs.kernel, stride: attrs.stride, dilation: attrs.dilation, padding: attrs.padding, mode, groups, bias })}`;
    it(label, () => checkOpGradient(attrs, [input], batch, seededRandom(trial + 1), label));
  }
});
