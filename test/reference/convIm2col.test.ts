// The reference conv against a second, independent formulation: materialize the padded input, unfold it
// into an im2col column matrix per group, multiply by the filter matrix in float64. Thirty seeded random
// configurations cover 1-D and 2-D, odd sizes, stride and dilation 1-3, asymmetric padding in every
// mode, groups and depthwise, with and without bias, batch 1 and 2.
import { describe, expect, it } from "vitest";
import type { ConvAttrs, PaddingMode } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { outputShape, randomTensor, randomWeights, seededRandom, singleOpGraph } from "./graphBuilders.js";

/** Padded coordinate -> source coordinate, by repeated mirroring / wrapping (written apart from src/reference/padding.ts). */
function padSource(index: number, size: number, mode: PaddingMode): number {
  let i = index;
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case "zeros":
      return -1;
    case "replicate":
      return Math.min(Math.max(i, 0), size - 1);
    case "reflect":
      while (i < 0 || i >= size) i = i < 0 ? -i : 2 * (size - 1) - i;
      return i;
    case "circular":
      while (i < 0) i += size;
      while (i >= size) i -= size;
      return i;
  }
}

function im2colConv(attrs: ConvAttrs, inputShape: number[], input: Tensor, weights: WeightMap, batch: number): Float64Array {
  const C = inputShape[0]!;
  const H = attrs.spatialRank === 1 ? 1 : inputShape[1]!;
  const W = inputShape[inputShape.length - 1]!;
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const { top, bottom, left, right } = attrs.padding;
  const PH = H + top + bottom;
  const PW = W + left + right;
  const OH = Math.floor((PH - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((PW - dw * (kw - 1) - 1) / sw) + 1;
  const K = attrs.outChannels;
  const Cg = C / attrs.groups;
  const Kg = K / attrs.groups;
  const weight = weights.get("layer.weight")!.data;
  const bias = weights.get("layer.bias")?.data;
  const output = new Float64Array(batch * K * OH * OW);
  const rows = Cg * kh * kw;
  const positions = OH * OW;

  for (let n = 0; n < batch; n++) {
    // The padded input, materialized.
    const padded = new Float64Array(C * PH * PW);
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < PH; r++) {
        for (let q = 0; q < PW; q++) {
          const sr = padSource(r - top, H, attrs.paddingMode);
          const sq = padSource(q - left, W, attrs.paddingMode);
          padded[(c * PH + r) * PW + q] = sr < 0 || sq < 0 ? 0 : input.data[((n * C + c) * H + sr) * W + sq]!;
        }
      }
    }
    for (let g = 0; g < attrs.groups; g++) {
      const columns = new Float64Array(rows * positions);
      for (let c = 0; c < Cg; c++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const row = (c * kh + i) * kw + j;
            for (let oh = 0; oh < OH; oh++) {
              for (let ow = 0; ow < OW; ow++) {
                columns[row * positions + oh * OW + ow] =
                  padded[((g * Cg + c) * PH + oh * sh + i * dh) * PW + ow * sw + j * dw]!;
              }
            }
          }
        }
      }
      // [Kg x rows] times [rows x positions]; filter k's row is its flattened [Cg, kh, kw] weight.
      for (let local = 0; local < Kg; local++) {
        const k = g * Kg + local;
        for (let p = 0; p < positions; p++) {
          let sum = 0;
          for (let row = 0; row < rows; row++) sum += weight[k * rows + row]! * columns[row * positions + p]!;
          output[((n * K + k) * positions) + p] = sum + (bias === undefined ? 0 : bias[k]!);
        }
      }
    }
  }
  return output;
}

const modes: PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

function randomConfig(index: number, random: () => number): { attrs: ConvAttrs; inputShape: number[] } {
  const pick = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const spatialRank: 1 | 2 = index % 4 === 3 ? 1 : 2;
  const mode = modes[index % modes.length]!;
  for (;;) {
    const groups = pick(1, 3);
    const C = groups * pick(1, 3);
    const K = groups * (index % 5 === 0 ? 1 : pick(1, 3));
    const H = spatialRank === 1 ? 1 : pick(1, 11);
    const W = pick(1, 13);
    const kh = spatialRank === 1 ? 1 : pick(1, 5);
    const kw = pick(1, 5);
    // PyTorch's limits: reflect needs pad < size, circular pad <= size.
    const maxPad = (size: number): number => Math.min(3, mode === "reflect" ? size - 1 : mode === "circular" ? size : 3);
    const pad = (size: number): number => pick(0, maxPad(size));
    const attrs: ConvAttrs = {
      op: "conv",
      spatialRank,
      outChannels: K,
      kernel: [kh, kw],
      stride: [spatialRank === 1 ? 1 : pick(1, 3), pick(1, 3)],
      dilation: [spatialRank === 1 ? 1 : pick(1, 3), pick(1, 3)],
      padding:
        spatialRank === 1
          ? { top: 0, bottom: 0, left: pad(W), right: pad(W) }
          : { top: pad(H), bottom: pad(H), left: pad(W), right: pad(W) },
      paddingMode: mode,
      groups,
      bias: random() < 0.5,
    };
    const fitsH = H + attrs.padding.top + attrs.padding.bottom >= attrs.dilation[0] * (kh - 1) + 1;
    const fitsW = W + attrs.padding.left + attrs.padding.right >= attrs.dilation[1] * (kw - 1) + 1;
    if (fitsH && fitsW) return { attrs, inputShape: spatialRank === 1 ? [C, W] : [C, H, W] };
  }
}

describe("reference conv equals an independent im2col + GEMM", () => {
  const random = seededRandom(20240531);
  for (let index = 0; index < 30; index++) {
    const { attrs, inputShape } = randomConfig(index, random);
    const batch = 1 + (index % 2);
    const label =
      `#${index} ${attrs.spatialRank}-D in [${inputShape.join("x")}] out ${attrs.outChannels} k ${attrs.kernel.join("x")} ` +
      `s ${attrs.stride.join("x")} d ${attrs.dilation.join("x")} pad ${Object.values(attrs.padding).join(",")} ` +
      `${attrs.paddingMode} g ${attrs.groups}${attrs.bias ? " bias" : ""} N ${batch}`;
    it(label, () => {
      const graph = singleOpGraph(attrs, inputShape);
      const weights = randomWeights(graph, random);
      const input = randomTensor([batch, ...inputShape], random);
      const actual = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
      expect(actual.shape).toEqual([batch, ...outputShape(attrs, [inputShape])]);
      const expected = im2colConv(attrs, inputShape, input, weights, batch);
      expect(actual.data.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) {
        // float32 rounding of a float64 result: relative 2^-24, with headroom.
        expect(Math.abs(actual.data[i]! - expected[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[i]!)));
      }
    });
  }
});
