// A conv_transpose layer's input gradient: a plain conv of dy with the layer's own weight (the
// transposed conv's adjoint; src/reference/gradients/convTranspose.ts), one invocation per input cell:
//   dx[n, ci, ih, iw] = sum over m < K/groups, kh, kw of weight[ci, m, kh, kw] * dy[n, g(ci)*M + m, ih*sh - ph + kh*dh, iw*sw - pw + kw*dw]
// over the taps landing inside dy (the others were cropped away by the padding). Bindings: `dy`,
// `weight` (read), `dx` (read_write, overwritten).
import type { ConvTransposeAttrs, Shape } from "../../ir/graph.js";
import { describeShape } from "../../tensor.js";
import { imageDims } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, i32Literal, kernelSource, u32Constants } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface ConvTransposeGradientSpec {
  batch: number;
  attrs: ConvTransposeAttrs;
  inputShape: Shape;
  outputShape: Shape;
}

export function convTransposeBackwardData(spec: ConvTransposeGradientSpec): TrainingKernels {
  const { attrs, batch } = spec;
  const { C, H, W } = imageDims(spec.inputShape);
  const { C: K, H: OH, W: OW } = imageDims(spec.outputShape);
  const [KH, KW] = attrs.kernel;
  const channelsPerGroup = C / attrs.groups;
  const M = K / attrs.groups;
  const bindings = [
    { name: "dy", access: "read" as const },
    { name: "weight", access: "read" as const },
    { name: "dx", access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(batch * C * H * W, 64);
  const window = Object.entries({
    STRIDE_H: attrs.stride[0],
    STRIDE_W: attrs.stride[1],
    DILATION_H: attrs.dilation[0],
    DILATION_W: attrs.dilation[1],
    PAD_H: attrs.padding[0],
    PAD_W: attrs.padding[1],
    OH_I: OH,
    OW_I: OW,
  }).map(([name, value]) => `const ${name}: i32 = ${i32Literal(value)};`);
  const wgsl = kernelSource({
    title: "conv_transpose backward data (a conv of dy with the layer's weight)",
    details: {
      input: describeShape([batch, C, H, W]),
      weight: `[${C}, ${M}, ${KH}, ${KW}] (C_in, K/groups, KH, KW)`,
      output: describeShape([batch, K, OH, OW]),
      window: `stride ${attrs.stride[0]}x${attrs.stride[1]}, dilation ${attrs.dilation[0]}x${attrs.dilation[1]}, groups ${attrs.groups}, pad ${attrs.padding[0]}x${attrs.padding[1]}`,
      computes: "dx[n, ci, ih, iw] = sum over m, kh, kw of weight[ci, m, kh, kw] * dy[n, g*M + m, ih*sh - ph + kh*dh, iw*sw - pw + kw*dw]",
      schedule: "one invocation per input cell",
    },
    bindings,
    declarations: [[u32Constants({ C, H, W, K, OH, OW, KH, KW, M, CHANNELS_PER_GROUP: channelsPerGroup }), ...window].join("\n")],
    dispatch,
    body: [
      `  let iw = index % W;`,
      `  let ih = (index / W) % H;`,
      `  let ci = (index / (W * H)) % C;`,
      `  let n = index / (W * H * C);`,
      `  let dy_group = (n * K + (ci / CHANNELS_PER_GROUP) * M) * OH * OW;`,
      `  var sum = 0.0f;`,
      `  for (var kh = 0u; kh < KH; kh++) {`,
      `    let oh = i32(ih) * STRIDE_H - PAD_H + i32(kh) * DILATION_H;`,
      `    if (oh < 0i || oh >= OH_I) {`,
      `      continue;`,
      `    }`,
      `    for (var kw = 0u; kw < KW; kw++) {`,
      `      let ow = i32(iw) * STRIDE_W - PAD_W + i32(kw) * DILATION_W;`,
      `      if (ow < 0i || ow >= OW_I) {`,
      `        continue;`,
      `      }`,
      `      let pixel = dy_group + u32(oh) * OW + u32(ow);`,
      `      let tap = (ci * M * KH + kh) * KW + kw;`,
      `      for (var m = 0u; m < M; m++) {`,
      `        sum = fma(weight[tap + m * KH * KW], dy[pixel + m * OH * OW], sum);`,
      `      }`,
      `    }`,
      `  }`,
      `  dx[index] = sum;`,
    ],
  });
  return { kernels: [{ kernel: "conv_transpose_backward_data", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(KH, loopPasses(KW, loopPasses(M))) }], scratch: [] };
}
