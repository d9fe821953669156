// The conv configurations the GPU tests run (each under both schedules): hand-picked cases covering
// odd sizes, C not a multiple of 4, stride 1-3, dilation 1-3, asymmetric and `same` padding with
// stride > 1, kernels 1-7, groups and depthwise, batches > 1, every padding mode and conv1d; plus
// seeded random ones.
import type { ConvAttrs, PaddingMode, Shape } from "../../src/ir/graph.js";
import { conv1d, conv2d, seededRandom } from "../reference/graphBuilders.js";

export interface ConvCase {
  name: string;
  attrs: ConvAttrs;
  input: Shape;
  batch: number;
}

/** TensorFlow-style `same` padding [before, after] for one axis: output = ceil(size / stride). */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const output = Math.ceil(size / stride);
  const total = Math.max(0, (output - 1) * stride + dilation * (kernel - 1) + 1 - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

const [sameTop, sameBottom] = samePadding(11, 4, 2);
const [sameLeft, sameRight] = samePadding(13, 4, 2);
const [same3Top, same3Bottom] = samePadding(10, 5, 3);

export const HAND_PICKED_CASES: ConvCase[] = [
  { name: "3x3 pad 1, C=3 K=5, odd 7x9", attrs: conv2d({ out: 5, kernel: 3, padding: 1 }), input: [3, 7, 9], batch: 1 },
  { name: "1x1, C=9 K=12", attrs: conv2d({ out: 12, kernel: 1 }), input: [9, 6, 5], batch: 2 },
  { name: "1x1 stride 2, C=6 K=8", attrs: conv2d({ out: 8, kernel: 1, stride: 2 }), input: [6, 9, 7], batch: 1 },
  { name: "7x7 stride 2 pad 3 (ResNet stem), C=3", attrs: conv2d({ out: 6, kernel: 7, stride: 2, padding: 3 }), input: [3, 15, 13], batch: 1 },
  { name: "5x5 stride 3 dilation 2, asymmetric padding", attrs: conv2d({ out: 7, kernel: 5, stride: 3, dilation: 2, padding: [2, 1, 3, 0] }), input: [5, 17, 16], batch: 1 },
  { name: "3x3 dilation 3 pad 3", attrs: conv2d({ out: 4, kernel: 3, dilation: 3, padding: 3 }), input: [2, 9, 11], batch: 2 },
  { name: "same padding, 4x4 stride 2 (asymmetric)", attrs: conv2d({ out: 8, kernel: 4, stride: 2, padding: [sameTop, sameBottom, sameLeft, sameRight] }), input: [5, 11, 13], batch: 1 },
  { name: "same padding, 5x5 stride 3", attrs: conv2d({ out: 6, kernel: 5, stride: 3, padding: [same3Top, same3Bottom, same3Top, same3Bottom] }), input: [3, 10, 10], batch: 1 },
  { name: "groups 2, C=6 K=4", attrs: conv2d({ out: 4, kernel: 3, padding: 1, groups: 2 }), input: [6, 8, 7], batch: 1 },
  { name: "groups 3, C=6 K=9, batch 3", attrs: conv2d({ out: 9, kernel: 3, stride: 2, padding: 1, groups: 3 }), input: [6, 9, 9], batch: 3 },
  { name: "depthwise 3x3, C=K=7", attrs: conv2d({ out: 7, kernel: 3, padding: 1, groups: 7 }), input: [7, 10, 9], batch: 2 },
  { name: "depthwise multiplier 2, stride 2", attrs: conv2d({ out: 8, kernel: 3, stride: 2, padding: [0, 1, 0, 1], groups: 4 }), input: [4, 9, 9], batch: 1 },
  { name: "reflect pad 2, 5x5", attrs: conv2d({ out: 5, kernel: 5, padding: 2, mode: "reflect" }), input: [3, 8, 9], batch: 1 },
  { name: "replicate asymmetric padding", attrs: conv2d({ out: 6, kernel: 3, padding: [1, 2, 0, 3], mode: "replicate" }), input: [4, 7, 6], batch: 2 },
  { name: "circular pad 1 stride 2", attrs: conv2d({ out: 5, kernel: 3, stride: 2, padding: 1, mode: "circular" }), input: [3, 9, 8], batch: 1 },
  { name: "circular pad 3, 7x7 on 5x6", attrs: conv2d({ out: 3, kernel: 7, padding: 3, mode: "circular" }), input: [2, 5, 6], batch: 1 },
  { name: "reflect, stride 2 dilation 2, groups 2", attrs: conv2d({ out: 6, kernel: 3, stride: 2, dilation: 2, padding: 2, mode: "reflect", groups: 2 }), input: [4, 11, 10], batch: 1 },
  { name: "rectangular 2x5 kernel, stride 1x3, dilation 2x1", attrs: conv2d({ out: 5, kernel: [2, 5], stride: [1, 3], dilation: [2, 1], padding: [1, 0, 2, 2] }), input: [3, 8, 14], batch: 1 },
  { name: "no bias, K=7 C=13", attrs: conv2d({ out: 7, kernel: 3, padding: 1, bias: false }), input: [13, 6, 5], batch: 1 },
  { name: "output smaller than a register block (1x1 output)", attrs: conv2d({ out: 3, kernel: 3 }), input: [2, 3, 3], batch: 2 },
  { name: "conv1d kernel 3 pad 1", attrs: conv1d({ out: 5, kernel: 3, padding: 1 }), input: [3, 17], batch: 1 },
  { name: "conv1d stride 2 dilation 2, reflect [2, 0]", attrs: conv1d({ out: 4, kernel: 3, stride: 2, dilation: 2, padding: [2, 0], mode: "reflect" }), input: [5, 19], batch: 2 },
  { name: "conv1d depthwise, replicate", attrs: conv1d({ out: 6, kernel: 5, padding: 2, mode: "replicate", groups: 6 }), input: [6, 13], batch: 1 },
  { name: "conv1d circular, stride 3, kernel 7", attrs: conv1d({ out: 3, kernel: 7, stride: 3, padding: 3, mode: "circular" }), input: [2, 23], batch: 1 },
];

const MODES: PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** Seeded random 2-D cases (valid for every padding mode: padding below the input size). */
export function randomCases(count: number, seed: number): ConvCase[] {
  const random = seededRandom(seed);
  const pick = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const groups = [1, 1, 2, 3][pick(0, 3)]!;
    const C = groups * pick(1, 4);
    const K = groups * pick(1, 4);
    const kernel: [number, number] = [pick(1, 7), pick(1, 7)];
    const stride: [number, number] = [pick(1, 3), pick(1, 3)];
    const dilation: [number, number] = [pick(1, 3), pick(1, 2)];
    const H = pick(3, 14);
    const W = pick(3, 14);
    const pads: [number, number, number, number] = [pick(0, 3), pick(0, 3), pick(0, 3), pick(0, 3)];
    const mode = MODES[pick(0, 3)]!;
    if (Math.max(...pads) >= Math.min(H, W)) continue; // reflect needs padding < size
    const reachH = H + pads[0] + pads[1] - dilation[0] * (kernel[0] - 1);
    const reachW = W + pads[2] + pads[3] - dilation[1] * (kernel[1] - 1);
    if (reachH < 1 || reachW < 1) continue;
    const attrs = conv2d({ out: K, kernel, stride, dilation, padding: pads, mode, groups, bias: random() < 0.7 });
    cases.push({ name: `random #${cases.length}: ${describeCase(attrs, [C, H, W])}`, attrs, input: [C, H, W], batch: pick(1, 2) });
  }
  return cases;
}

function describeCase(attrs: ConvAttrs, input: Shape): string {
  const p = attrs.padding;
  return (
    `in [${input.join(",")}] K=${attrs.outChannels} k=${attrs.kernel.join("x")} s=${attrs.stride.join("x")} ` +
    `d=${attrs.dilation.join("x")} pad=[${p.top},${p.bottom},${p.left},${p.right}] ${attrs.paddingMode} g=${attrs.groups}`
  );
}
