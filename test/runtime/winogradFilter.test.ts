// The Winograd filter transform computed at weight upload: U = G g Gᵀ per filter and input channel,
// laid out [K][C/groups][16], in float64 and rounded to float32 once; bad source tensors are user errors.
import { describe, expect, it } from "vitest";

import { deriveParams } from "../../runtime/derivedParams.js";
import type { DerivedParam } from "../../src/kernels/kernelGraph.js";
import { makeTensor } from "../../src/tensor.js";
import { randomTensor, seededRandom } from "../reference/graphBuilders.js";
import { userError } from "../support/userError.js";

const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

const U: DerivedParam = { name: "c:winograd_u", transform: "winograd_filter", variant: "f2x2_3x3", layer: 1, from: { weight: "c.weight" }, filters: 3, channelsPerGroup: 2, elements: 96 };

describe("the winograd_filter derived parameter", () => {
  it("is G g Gᵀ of each [filter, channel] 3x3 filter, computed in float64 and rounded once", () => {
    const weight = randomTensor([3, 2, 3, 3], seededRandom(11));
    const derived = deriveParams([U], new Map([["c.weight", weight]])).get("c:winograd_u")!;
    expect(derived.shape).toEqual([3, 2, 16]);
    for (let filter = 0; filter < 6; filter++) {
      for (let row = 0; row < 4; row++) {
        for (let col = 0; col < 4; col++) {
          let sum = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) sum += G[row]![a]! * weight.data[filter * 9 + a * 3 + b]! * G[col]![b]!;
          expect(derived.data[filter * 16 + row * 4 + col]).toBe(Math.fround(sum));
        }
      }
    }
  });

  it("keeps NaN", () => {
    const weight = makeTensor([3, 2, 3, 3]);
    weight.data[4] = Number.NaN;
    const derived = deriveParams([U], new Map([["c.weight", weight]])).get("c:winograd_u")!;
    // As in the direct conv, where NaN times a zero input is NaN: every plane of that filter and
    // channel is NaN (even those whose G coefficient of the tap is 0), and no other.
    expect([...derived.data.slice(0, 16)].every(Number.isNaN)).toBe(true);
    expect([...derived.data.slice(16)].some(Number.isNaN)).toBe(false);
  });

  it("names a missing or mis-sized weight", () => {
    expect(userError(() => deriveParams([U], new Map())).message).toBe("the weights have no tensor `c.weight`, which c:winograd_u (Winograd filter transform) is computed from");
    const wrong = userError(() => deriveParams([U], new Map([["c.weight", makeTensor([3, 2, 5, 5])]])));
    expect(wrong.message).toBe("weight `c.weight` has shape [3, 2, 5, 5] but c:winograd_u (Winograd filter transform) needs 54 values");
  });
});
