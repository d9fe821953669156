import { describe, expect, it } from "vitest";
import { samePadding, windowOutputSize, windowFormula } from "../../../src/ir/shapes/window.js";

const axis = (input: number, kernel: number, stride = 1, padBefore = 0, padAfter = padBefore, dilation = 1) => ({
  input,
  kernel,
  stride,
  dilation,
  padBefore,
  padAfter,
});

describe("window arithmetic", () => {
  it("computes (W - F + 2P)/S + 1 exactly", () => {
    expect(windowOutputSize(axis(227, 11, 4), "exact")).toEqual({ ok: true, size: 55 });
    expect(windowOutputSize(axis(224, 3, 1, 1), "exact")).toEqual({ ok: true, size: 224 });
    expect(windowOutputSize(axis(5, 3, 2, 1), "exact")).toEqual({ ok: true, size: 3 });
  });

  it("writes the formula with the numbers filled in, asymmetric padding as a sum", () => {
    expect(windowFormula(axis(7, 3, 3))).toBe("(7 - 3 + 2*0)/3 + 1");
    expect(windowFormula(axis(7, 3, 2, 0, 1))).toBe("(7 - 3 + 0 + 1)/2 + 1");
  });

  it("floors: 7 with a window of 2 at stride 2 gives 3 (the last column is dropped)", () => {
    expect(windowOutputSize(axis(7, 2, 2), "floor")).toEqual({ ok: true, size: 3 });
  });

  it("ceils like PyTorch's ceil_mode", () => {
    expect(windowOutputSize(axis(7, 2, 2), "ceil")).toEqual({ ok: true, size: 4 });
    // GoogLeNet: 112 -> maxpool 3 stride 2 ceil -> 56 (floor would give 55).
    expect(windowOutputSize(axis(112, 3, 2), "ceil")).toEqual({ ok: true, size: 56 });
    expect(windowOutputSize(axis(112, 3, 2), "floor")).toEqual({ ok: true, size: 55 });
    // 5 with window 2, stride 2, pad 1: ceil would give 4, but that window would start at 6 >= 5 + 1,
    // entirely in the right padding, so PyTorch drops it: 3.
    expect(windowOutputSize(axis(5, 2, 2, 1), "ceil")).toEqual({ ok: true, size: 3 });
  });

  it("reports the kernel larger than the padded input", () => {
    expect(windowOutputSize(axis(3, 5), "floor")).toEqual({ ok: false, reason: "kernel-too-large", note: "kernel 5 > input 3" });
    expect(windowOutputSize(axis(3, 3, 1, 0, 0, 2), "floor")).toEqual({
      ok: false,
      reason: "kernel-too-large",
      note: "dilated kernel 5 > input 3",
    });
  });

  it("lists strides and paddings that would fit", () => {
    const outcome = windowOutputSize(axis(7, 3, 3), "exact");
    expect(outcome).toMatchObject({ ok: false, reason: "not-integer", fittingStrides: [1, 2], fittingPaddings: [1] });
  });
});

describe("same padding", () => {
  it("gives ceil(in/stride) and puts the extra pixel at the bottom/right", () => {
    expect(samePadding(224, 7, 2, 1)).toEqual([2, 3]); // out 112: 111*2 + 7 - 224 = 5
    expect(samePadding(7, 3, 2, 1)).toEqual([1, 1]); // out 4: 3*2 + 3 - 7 = 2
    expect(samePadding(5, 4, 1, 1)).toEqual([1, 2]); // out 5: total 3
    expect(samePadding(6, 1, 2, 1)).toEqual([0, 0]); // out 3: 2*2 + 1 - 6 < 0 -> 0
    expect(samePadding(10, 3, 1, 2)).toEqual([2, 2]); // dilated kernel 5
    expect(samePadding(32, 5, 1, 1)).toEqual([2, 2]);
  });

  it("really produces ceil(in/stride) outputs", () => {
    for (const input of [1, 2, 5, 7, 10, 31, 32]) {
      for (const kernel of [1, 2, 3, 4, 5]) {
        for (const stride of [1, 2, 3]) {
          for (const dilation of [1, 2]) {
            const [before, after] = samePadding(input, kernel, stride, dilation);
            const outcome = windowOutputSize(axis(input, kernel, stride, before, after, dilation), "floor");
            const expected = Math.ceil(input / stride);
            // A kernel wider than the input still fits once the padding covers it.
            expect(outcome, `in=${input} k=${kernel} s=${stride} d=${dilation}`).toEqual({ ok: true, size: expected });
            expect(after - before === 0 || after - before === 1).toBe(true);
          }
        }
      }
    }
  });
});
