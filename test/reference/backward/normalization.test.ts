// Batchnorm's inference-mode gradient (running statistics) against finite differences, on volumes,
// sequences and feature vectors.
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
