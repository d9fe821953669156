// The convolution's backward kernels, from the forward definition
//   y[n, k, oh, ow] = bias[k] + sum_{c, i, j} weight[k, c, i, j] * padded[n, g(k)*Cg + c, oh*sh + i*dh, ow*sw + j*dw]
// (the float64 reference: src/reference/gradients/conv.ts):
// - dx: the transposed conv, a register-tiled implicit GEMM over input pixels x input channels
//   (convBackwardData.ts); other padding modes than zeros go through the padded input's gradient and a
//   fold onto the cells the padding copies;
// - dweight = im2col(x)^T . dy, a register-tiled implicit GEMM whose long reduction (N * OH * OW) is
//   split into chunks summed by a second kernel (convBackwardFilter.ts);
// - dbias[k] = sum over n, oh, ow of dy, split the same way (below).
import type { ConvAttrs, Shape } from "../../ir/graph.js";
import { convGeometryOfShapes, type ConvGeometry } from "../conv/geometry.js";
import { shapeSummary } from "../conv/common.js";
import { foldedDispatch, kernelSource, u32Constants } from "../wgsl.js";
import type { DataGemmSchedule } from "../../schedule/kinds/dataGemm.js";
import type { FilterGemmSchedule } from "../../schedule/kinds/filterGemm.js";
import { convBackwardDataKernels } from "./convBackwardData.js";
import { convBackwardFilterKernels } from "./convBackwardFilter.js";
import { chunkedRowLoop, MIN_CHUNK_LENGTH, partialSumKernel, reductionChunks } from "./reductionChunks.js";
import type { TrainingKernels } from "./trainingKernel.js";

/** One conv's backward problem: per-sample shapes [C, H, W] (or [C, L] for a 1-D conv) and its attributes. */
export interface ConvGradientSpec {
  batch: number;
  attrs: ConvAttrs;
  inputShape: Shape;
  outputShape: Shape;
}

/**
 * dx = the transposed conv of dy (bindings `dy` read, `weight` read, `dx` read_write; dx is
 * overwritten). Padding modes other than zeros add the scratch `dx_padded` and a fold kernel.
 */
export function convBackwardData(spec: ConvGradientSpec, schedule: DataGemmSchedule): TrainingKernels {
  return convBackwardDataKernels(specGeometry(spec), schedule);
}

/**
 * dweight = im2col(x)^T . dy (bindings `dy` read, `x` read, `dweight` read_write, plus the scratch
 * `dweight_partial` when the reduction is split; dweight is overwritten).
 */
export function convBackwardFilter(spec: ConvGradientSpec, schedule: FilterGemmSchedule): TrainingKernels {
  return convBackwardFilterKernels(specGeometry(spec), schedule);
}

/**
 * dbias[k] = sum over n, oh, ow of dy[n, k, oh, ow] (bindings `dy` read, `dbias` read_write, plus the
 * scratch `dbias_partial` when the reduction is split; dbias is overwritten). `minChunkLength`: the
 * shortest chunk the reduction is split into (tests lower it to split small reductions).
 */
export function convBackwardBias(spec: ConvGradientSpec, minChunkLength = MIN_CHUNK_LENGTH): TrainingKernels {
  const g = specGeometry(spec);
  const plane = g.OH * g.OW;
  const chunks = reductionChunks(g.batch * plane, g.K, minChunkLength);
  const split = chunks.count > 1;
  const target = split ? "dbias_partial" : "dbias";
  const bindings = [
    { name: "dy", access: "read" as const },
    { name: target, access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(chunks.count * g.K, 64);
  // The chunk's (sample, pixel) range is walked as runs within one sample's plane.
  const walk = chunkedRowLoop({ rowLength: "PLANE", chunkStart: "chunk * CHUNK_LENGTH", total: "BATCH * PLANE" }, [
    `let base = (row * K + k) * PLANE;`,
  ], [`sum += dy[base + column];`]);
  const wgsl = kernelSource({
    title: split ? "conv backward bias, partial sums over chunks of (n, oh, ow)" : "conv backward bias",
    details: {
      ...shapeSummary(g),
      computes: split ? "dbias_partial[chunk, k] = sum over the chunk's (n, oh, ow) of dy[n, k, oh, ow]" : "dbias[k] = sum over n, oh, ow of dy[n, k, oh, ow]",
      chunks: `${chunks.count} of ${chunks.length} (n, oh, ow) positions`,
    },
    bindings,
    declarations: [u32Constants({ BATCH: g.batch, K: g.K, PLANE: plane, CHUNK_LENGTH: chunks.length })],
    dispatch,
    body: [`  let k = index % K;`, `  let chunk = index / K;`, `  var sum = 0.0f;`, ...walk.lines.map((line) => `  ${line}`), `  ${target}[chunk * K + k] = sum;`],
  });
  const kernels = [{ kernel: split ? "conv_backward_bias_partial" : "conv_backward_bias", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: walk.loopPasses(chunks.length, plane) }];
  if (!split) return { kernels, scratch: [] };
  return {
    kernels: [...kernels, partialSumKernel({ title: "conv backward bias", partial: "dbias_partial", target: "dbias", count: g.K, chunks: chunks.count })],
    scratch: [{ name: "dbias_partial", bytes: chunks.count * g.K * 4 }],
  };
}

/** The conv's geometry, after checking that the spec's shapes are those the forward conv gives. */
export function specGeometry(spec: ConvGradientSpec): ConvGeometry {
  const { attrs, inputShape, outputShape, batch } = spec;
  const rank = attrs.spatialRank + 1;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`internal: conv backward: batch ${batch} is not a positive integer`);
  if (inputShape.length !== rank || outputShape.length !== rank) {
    throw new Error(`internal: conv backward: a ${attrs.spatialRank}-D conv needs rank-${rank} shapes, got [${inputShape.join(", ")}] -> [${outputShape.join(", ")}]`);
  }
  const g = convGeometryOfShapes("conv backward", inputShape, outputShape, attrs, batch);
  const expectedOH = Math.floor((g.H + g.padTop + g.padBottom - g.dilationH * (g.KH - 1) - 1) / g.strideH) + 1;
  const expectedOW = Math.floor((g.W + g.padLeft + g.padRight - g.dilationW * (g.KW - 1) - 1) / g.strideW) + 1;
  if (g.OH !== expectedOH || g.OW !== expectedOW || g.OH < 1 || g.OW < 1) {
    throw new Error(`internal: conv backward: output [${outputShape.join(", ")}] is not what the conv of [${inputShape.join(", ")}] gives (${expectedOH} x ${expectedOW})`);
  }
  return g;
}
