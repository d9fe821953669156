// Upsampling as PyTorch's nn.Upsample(scale_factor=s) defines it, separably per axis:
//   nearest:  output o reads input floor(o / s);
//   bilinear: output o reads inputs i0 = floor(src) and i1 = min(i0 + 1, in - 1) with weights 1 - l and
//             l = src - i0, where src = max((o + 0.5)/s - 0.5, 0) (align_corners=False: half-pixel
//             centers, clamped at 0) or src = o * (in - 1)/(out - 1) (align_corners=True; 0 when out = 1).
// A bilinear output is l0h * (l0w * x[i0, j0] + l1w * x[i0, j1]) + l1h * (l0w * x[i1, j0] + l1w * x[i1, j1]),
// PyTorch's order, so a NaN in any of its four inputs makes it NaN (a zero weight included), as there.
import type { Node, UpsampleAttrs } from "../ir/graph.js";
import { asImage, expectShape, makeValue, type RefValue } from "./value.js";

/** Where output o of one axis reads: (1 - weight) * x[first] + weight * x[second]. */
export interface UpsampleTap {
  first: number;
  second: number;
  weight: number;
}

export function upsampleTaps(attrs: UpsampleAttrs, input: number, scale: number): UpsampleTap[] {
  const output = input * scale;
  return Array.from({ length: output }, (_, o) => {
    if (attrs.mode === "nearest") {
      const first = Math.floor(o / scale);
      return { first, second: first, weight: 0 };
    }
    const source = attrs.alignCorners ? (output > 1 ? (o * (input - 1)) / (output - 1) : 0) : Math.max((o + 0.5) / scale - 0.5, 0);
    const first = Math.min(Math.floor(source), input - 1);
    return { first, second: Math.min(first + 1, input - 1), weight: source - first };
  });
}

/** The input value's [C, H, W] and both axes' taps, shared by the forward and the backward. */
export function upsampleSetup(node: Node, attrs: UpsampleAttrs, input: RefValue): { C: number; H: number; W: number; rows: UpsampleTap[]; cols: UpsampleTap[] } {
  const { C, H, W } = asImage(input.shape, 2, node);
  const rows = upsampleTaps(attrs, H, attrs.scale[0]);
  const cols = upsampleTaps(attrs, W, attrs.scale[1]);
  expectShape(node, [C, rows.length, cols.length]);
  return { C, H, W, rows, cols };
}

export function runUpsample(node: Node, attrs: UpsampleAttrs, input: RefValue): RefValue {
  const { C, H, W, rows, cols } = upsampleSetup(node, attrs, input);
  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  let index = 0;
  for (let plane = 0; plane < input.batch * C; plane++) {
    const base = plane * H * W;
    for (const row of rows) {
      for (const col of cols) {
        const at = (r: number, c: number): number => x[base + r * W + c]!;
        y[index++] =
          attrs.mode === "nearest"
            ? at(row.first, col.first)
            : (1 - row.weight) * ((1 - col.weight) * at(row.first, col.first) + col.weight * at(row.first, col.second)) +
              row.weight * ((1 - col.weight) * at(row.second, col.first) + col.weight * at(row.second, col.second));
      }
    }
  }
  return output;
}
