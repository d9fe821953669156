// The normalizations' gradients against finite differences: batchnorm at inference (running statistics)
// on volumes, sequences and feature vectors; LRN with even and odd sizes, windows wider than the channels.
import { describe, it } from "vitest";
import type { Shape } from "../../../src/ir/graph.js";
import type { WeightMap } from "../../../src/tensor.js";
import { seededRandom } from "../graphBuilders.js";
import { checkOpGradient } from "./opCheck.js";

/** running_var in [0.25, 1.25]: a variance is positive. */
function positiveVariance(weights: WeightMap): void {
  for (const [name, tensor] of weights) {
    if (name.endsWith(".running_var")) tensor.data.forEach((value, i) => (tensor.data[i] = 0.25 + Math.abs(value)));
  }
}

describe("batchnorm gradient (inference)", () => {
  for (const shape of [[3, 4, 5], [4, 6], [5]] as Shape[]) {
    const label = `batchnorm on [${shape.join(", ")}]`;
    it(label, () => checkOpGradient({ op: "batchnorm", eps: 1e-3, momentum: 0.1 }, [shape], 3, seededRandom(401), label, positiveVariance));
  }
});

describe("lrn gradient", () => {
  const cases: [number, Shape][] = [
    [3, [5, 3, 4]],
    [4, [6, 7]],
    [2, [3, 2, 2]],
    [7, [4, 5]],
  ];
  for (const [size, shape] of cases) {
    const label = `lrn size ${size} on [${shape.join(", ")}]`;
    // A large alpha so that the squares matter (PyTorch's default 1e-4 would leave lrn nearly linear).
    it(label, () => checkOpGradient({ op: "lrn", size, alpha: 0.8, beta: 0.75, k: 1.5 }, [shape], 2, seededRandom(402 + size), label));
  }
});
