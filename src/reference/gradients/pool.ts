// Pooling's backward pass, from the forward definitions (src/reference/pool.ts), window by window:
//   max: the output's gradient goes to the window's argmax, the first maximum in row-major order on a tie
//        (PyTorch's strict `>`; a NaN in the window takes it, as in PyTorch's `val > max || isnan(val)`);
//   avg: each input cell of the window gets dy / divisor, the forward's divisor (count_include_pad or not);
//   l2:  y = sqrt(sum x^2), so each cell gets dy * x / y (0 when y is 0: every cell is 0 there, and 0 is
//        the subgradient the function's symmetry picks).
// A window holding no input cell contributes nothing.
import type { GlobalPoolAttrs, Node, PoolAttrs } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import { poolWindow } from "../pool.js";
import { asImage, makeValue, type RefValue } from "../value.js";

export function poolGradient(node: Node, attrs: PoolAttrs, input: RefValue, output: RefValue, outputGradient: RefValue): ReferenceGradients {
  const { C, H, W } = asImage(input.shape, attrs.spatialRank, node);
  const { H: OH, W: OW } = asImage(output.shape, attrs.spatialRank, node);
  const inputGradient = makeValue(input.batch, input.shape);
  const x = input.data;
  const dx = inputGradient.data;
  for (let plane = 0; plane < input.batch * C; plane++) {
    const inBase = plane * H * W;
    const outBase = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const { firstRow, endRow, firstCol, endCol, inputCells, paddedCells } = poolWindow(attrs, H, W, oh, ow);
        if (inputCells === 0) continue;
        const g = outputGradient.data[outBase + oh * OW + ow]!;
        if (attrs.kind === "max") {
          let best = -Infinity;
          let bestIndex = inBase + firstRow * W + firstCol;
          for (let r = firstRow; r < endRow; r++) {
            for (let c = firstCol; c < endCol; c++) {
              const value = x[inBase + r * W + c]!;
              if (value > best || Number.isNaN(value)) {
                best = value;
                bestIndex = inBase + r * W + c;
              }
            }
          }
          dx[bestIndex] = dx[bestIndex]! + g;
          continue;
        }
        const y = output.data[outBase + oh * OW + ow]!;
        const divisor = attrs.countPadding ? paddedCells : inputCells;
        for (let r = firstRow; r < endRow; r++) {
          for (let c = firstCol; c < endCol; c++) {
            const at = inBase + r * W + c;
            const share = attrs.kind === "avg" ? g / divisor : y === 0 ? 0 : (g * x[at]!) / y;
            dx[at] = dx[at]! + share;
          }
        }
      }
    }
  }
  return { inputs: [inputGradient], params: new Map() };
}

/** Global pooling: avg spreads dy / positions over the channel; max routes it to the first maximum. */
export function globalPoolGradient(attrs: GlobalPoolAttrs, input: RefValue, outputGradient: RefValue): ReferenceGradients {
  const C = input.shape[0]!;
  const positions = input.data.length / (input.batch * C);
  const inputGradient = makeValue(input.batch, input.shape);
  for (let plane = 0; plane < input.batch * C; plane++) {
    const g = outputGradient.data[plane]!;
    const base = plane * positions;
    if (attrs.kind === "avg") {
      for (let p = 0; p < positions; p++) inputGradient.data[base + p] = g / positions;
      continue;
    }
    let best = -Infinity;
    let bestIndex = base;
    for (let p = 0; p < positions; p++) {
      const value = input.data[base + p]!;
      if (value > best || Number.isNaN(value)) {
        best = value;
        bestIndex = base + p;
      }
    }
    inputGradient.data[bestIndex] = g;
  }
  return { inputs: [inputGradient], params: new Map() };
}
