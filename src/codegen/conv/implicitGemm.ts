// Implicit GEMM convolution: the GEMM core with the weight rows as A and the input itself as B,
// addressed the way im2col would have laid it out (conv/gemmOperands.ts), so no column matrix is
// written or read back: out[n, g*M + m, p] = epilogue(sum_r weight[g*M + m, r] * input at (r, n*OH*OW + p)).
// Any conv: groups, stride, dilation, asymmetric padding, every padding mode, 1-D.
import type { Node } from "../../ir/graph.js";
import type { ImplicitGemmSchedule } from "../../schedule/kinds/implicitGemm.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitGemm, gemmPartialBytes } from "../gemm/core.js";
import type { GemmProblem } from "../gemm/operands.js";
import type { KernelContext } from "../plan.js";
import { describeSchedule } from "../schedule.js";
import { shapeSummary } from "./common.js";
import { convGemmConstants, convOutputStore, convWeightRows, implicitConvColumns } from "./gemmOperands.js";
import { outputPixels, reductionLength, type ConvGeometry } from "./geometry.js";

export function emitImplicitGemmConv(node: Node, context: KernelContext, g: ConvGeometry, schedule: ImplicitGemmSchedule, stages: readonly EpilogueStage[]): void {
  const problem: GemmProblem = { batches: g.groups, planes: 1, M: g.filtersPerGroup, N: g.batch * outputPixels(g), R: reductionLength(g) };
  const partialBytes = gemmPartialBytes(problem, schedule);
  emitGemm({
    node,
    context,
    kernel: "implicit_gemm",
    title: "conv as an implicit GEMM (im2col addressing in the loads)",
    details: { ...shapeSummary(g), schedule: describeSchedule(schedule) },
    problem,
    rows: convWeightRows(context, g),
    columns: implicitConvColumns(context, g),
    store: convOutputStore(node, context, g, stages, false),
    knobs: schedule,
    constants: convGemmConstants(g),
    ...(partialBytes > 0 ? { partials: context.scratchBuffer("partials", partialBytes) } : {}),
  });
}
