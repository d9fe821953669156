// Pooling as PyTorch defines it (MaxPool2d / AvgPool2d / LPPool2d(2), and their 1-D forms on [C, L]).
// A window covers rows [oh*sh - top, oh*sh - top + kh) and the same for columns. What padded cells do:
//   max: never win (PyTorch pads with -inf), so the max is over the window's input cells (a NaN among
//        them makes it NaN: Math.max keeps NaN, as PyTorch's max pooling does);
//   avg: count as zeros; the divisor is the window's cells inside the PADDED input when countPadding
//        (count_include_pad=True; cells past the padded input that a ceil window reaches are not
//        counted, as in PyTorch), else only its cells inside the input;
//   l2:  contribute 0: sqrt of the sum of squares of the window's input cells. (PyTorch's LPPool has no
//        padding; with ceil rounding it rescales a clipped average by the full window size, a quirk we
//        do not copy: ours is the plain sum.)
// A window that holds no input cell at all (only possible with padding >= window) yields 0.
import type { GlobalPoolAttrs, Node, PoolAttrs } from "../ir/graph.js";
import { asImage, expectShape, makeValue, type RefValue } from "./value.js";

/**
 * PyTorch's pooling_output_shape_pad_lr (dilation 1): ceil drops a last window starting in the right padding.
 * Computed here rather than taken from src/ir/shapes, like conv's sizes, so expectShape checks the IR.
 */
function poolOutputSize(
  size: number,
  window: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  rounding: "floor" | "ceil",
): number {
  const span = size + padBefore + padAfter - window;
  let outputs = (rounding === "floor" ? Math.floor(span / stride) : Math.ceil(span / stride)) + 1;
  if (rounding === "ceil" && (outputs - 1) * stride >= size + padBefore) outputs--;
  return outputs;
}

/**
 * The input cells of window (oh, ow): rows [firstRow, endRow) x columns [firstCol, endCol), how many,
 * and how many cells of the padded input it covers (avg's divisor with countPadding).
 */
export interface PoolWindow {
  firstRow: number;
  endRow: number;
  firstCol: number;
  endCol: number;
  inputCells: number;
  paddedCells: number;
}

export function poolWindow(attrs: PoolAttrs, H: number, W: number, oh: number, ow: number): PoolWindow {
  const rowStart = oh * attrs.stride[0] - attrs.padding.top;
  const colStart = ow * attrs.stride[1] - attrs.padding.left;
  const firstRow = Math.max(rowStart, 0);
  const endRow = Math.min(rowStart + attrs.window[0], H);
  const firstCol = Math.max(colStart, 0);
  const endCol = Math.min(colStart + attrs.window[1], W);
  const rowEndPadded = Math.min(rowStart + attrs.window[0], H + attrs.padding.bottom);
  const colEndPadded = Math.min(colStart + attrs.window[1], W + attrs.padding.right);
  return {
    firstRow,
    endRow,
    firstCol,
    endCol,
    inputCells: Math.max(endRow - firstRow, 0) * Math.max(endCol - firstCol, 0),
    paddedCells: (rowEndPadded - rowStart) * (colEndPadded - colStart),
  };
}

export function runPool(node: Node, attrs: PoolAttrs, input: RefValue): RefValue {
  const { C, H, W } = asImage(input.shape, attrs.spatialRank, node);
  const [kh, kw] = attrs.window;
  const [sh, sw] = attrs.stride;
  const { top, bottom, left, right } = attrs.padding;
  const OH = poolOutputSize(H, kh, sh, top, bottom, attrs.rounding);
  const OW = poolOutputSize(W, kw, sw, left, right, attrs.rounding);
  if (attrs.spatialRank === 1 && OH !== 1) {
    throw new Error(`reference: 1-D pool ${node.name} must be stored with window height 1 and no vertical padding`);
  }
  expectShape(node, attrs.spatialRank === 1 ? [C, OW] : [C, OH, OW]);

  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  for (let plane = 0; plane < input.batch * C; plane++) {
    const inBase = plane * H * W;
    const outBase = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const { firstRow, endRow, firstCol, endCol, inputCells, paddedCells } = poolWindow(attrs, H, W, oh, ow);
        let result = 0;
        if (inputCells > 0) {
          if (attrs.kind === "max") {
            result = -Infinity;
            for (let r = firstRow; r < endRow; r++) {
              for (let c = firstCol; c < endCol; c++) result = Math.max(result, x[inBase + r * W + c]!);
            }
          } else {
            let sum = 0;
            for (let r = firstRow; r < endRow; r++) {
              for (let c = firstCol; c < endCol; c++) {
                const value = x[inBase + r * W + c]!;
                sum += attrs.kind === "avg" ? value : value * value;
              }
            }
            result = attrs.kind === "l2" ? Math.sqrt(sum) : sum / (attrs.countPadding ? paddedCells : inputCells);
          }
        }
        y[outBase + oh * OW + ow] = result;
      }
    }
  }
  return output;
}

/** One value per channel over all positions; the IR keeps the spatial rank ([C, 1, 1] or [C, 1]). */
export function runGlobalPool(node: Node, attrs: GlobalPoolAttrs, input: RefValue): RefValue {
  const C = input.shape[0]!;
  const positions = input.data.length / (input.batch * C);
  expectShape(node, input.shape.map((size, axis) => (axis === 0 ? size : 1)));
  const output = makeValue(input.batch, node.shape);
  for (let plane = 0; plane < input.batch * C; plane++) {
    let result = attrs.kind === "max" ? -Infinity : 0;
    for (let p = 0; p < positions; p++) {
      const value = input.data[plane * positions + p]!;
      result = attrs.kind === "max" ? Math.max(result, value) : result + value;
    }
    output.data[plane] = attrs.kind === "max" ? result : result / positions;
  }
  return output;
}
