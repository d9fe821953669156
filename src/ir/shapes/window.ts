// Sliding-window arithmetic along one spatial axis, shared by conv and pooling:
//   out = (in - dilated_kernel + pad_before + pad_after) / stride + 1
// with the rounding rule of the layer: conv is exact by default (a fractional size is an error, as the
// course notes say: the neurons do not "fit"), pooling floors like PyTorch, and `ceil` follows PyTorch's
// ceil_mode (the last window must start inside the input or its left/top padding).
import { formatDecimal } from "../format.js";

export type WindowRounding = "exact" | "floor" | "ceil";

export interface AxisWindow {
  input: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
}

export type AxisOutcome =
  | { ok: true; size: number }
  | { ok: false; reason: "kernel-too-large"; note: string }
  | { ok: false; reason: "not-integer"; notes: string[]; fittingStrides: number[]; fittingPaddings: number[] };

export function dilatedKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

export function windowOutputSize(window: AxisWindow, rounding: WindowRounding, word: "kernel" | "window" = "kernel"): AxisOutcome {
  const { input, stride, padBefore, padAfter } = window;
  const kernel = dilatedKernel(window.kernel, window.dilation);
  const padded = input + padBefore + padAfter;
  if (kernel > padded) {
    const kernelText = window.dilation > 1 ? `dilated ${word} ${kernel}` : `${word} ${kernel}`;
    const paddedText = padBefore + padAfter > 0 ? `padded input ${input} + ${padBefore + padAfter} = ${padded}` : `input ${input}`;
    return { ok: false, reason: "kernel-too-large", note: `${kernelText} > ${paddedText}` };
  }
  const span = padded - kernel;
  if (span % stride === 0) return { ok: true, size: span / stride + 1 };
  if (rounding === "floor") return { ok: true, size: Math.floor(span / stride) + 1 };
  if (rounding === "ceil") {
    let size = Math.ceil(span / stride) + 1;
    if ((size - 1) * stride >= input + padBefore) size -= 1;
    return { ok: true, size };
  }
  const notes = [`${windowFormula(window)} = ${formatDecimal(span / stride + 1)} is not a whole number`];
  if (window.dilation > 1) {
    notes.push(`dilated kernel: ${window.dilation}*(${window.kernel} - 1) + 1 = ${kernel}`);
  }
  return {
    ok: false,
    reason: "not-integer",
    notes,
    fittingStrides: fittingStrides(window),
    fittingPaddings: fittingPaddings(window),
  };
}

/** `(7 - 3 + 2*0)/3 + 1`: the notes' (W - F + 2P)/S + 1 with the numbers filled in. */
export function windowFormula(window: AxisWindow): string {
  const kernel = dilatedKernel(window.kernel, window.dilation);
  const padding =
    window.padBefore === window.padAfter ? `2*${window.padBefore}` : `${window.padBefore} + ${window.padAfter}`;
  return `(${window.input} - ${kernel} + ${padding})/${window.stride} + 1`;
}

/** Strides up to the (dilated) kernel size that make the size whole with the current padding. */
function fittingStrides(window: AxisWindow): number[] {
  const kernel = dilatedKernel(window.kernel, window.dilation);
  const span = window.input + window.padBefore + window.padAfter - kernel;
  const strides: number[] = [];
  for (let stride = 1; stride <= Math.max(kernel, 1); stride++) {
    if (stride !== window.stride && span % stride === 0) strides.push(stride);
  }
  return strides;
}

/** Symmetric paddings below the kernel size that make the size whole with the current stride. */
function fittingPaddings(window: AxisWindow): number[] {
  const kernel = dilatedKernel(window.kernel, window.dilation);
  const paddings: number[] = [];
  for (let pad = 0; pad < kernel; pad++) {
    const span = window.input + 2 * pad - kernel;
    if (span >= 0 && span % window.stride === 0) paddings.push(pad);
  }
  return paddings;
}

/**
 * TensorFlow's `same` padding: the output is ceil(in/stride) and the total padding needed for that is
 * split evenly, the extra pixel (when the total is odd) going after — to the bottom or the right.
 */
export function samePadding(input: number, kernel: number, stride: number, dilation: number): [number, number] {
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + dilatedKernel(kernel, dilation) - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
