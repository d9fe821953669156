// A 1x1 stride-1 unpadded ungrouped conv as a plain GEMM on the GEMM core:
//   out[n][k][p] = epilogue(sum_c W[k][c] * x[n][c][p]),
// the columns being the N*H*W pixels (p contiguous in the input and output), no window addressing.
import type { Node } from "../../ir/graph.js";
import { pointwiseConvIllegal, type GemmSchedule } from "../../schedule/kinds/gemm.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitGemm, gemmPartialBytes } from "../gemm/core.js";
import type { GemmColumnOperand, GemmProblem } from "../gemm/operands.js";
import type { KernelContext } from "../plan.js";
import { describeSchedule } from "../schedule.js";
import { shapeSummary } from "./common.js";
import { convGemmConstants, convOutputStore, convWeightRows } from "./gemmOperands.js";
import { outputPixels, type ConvGeometry } from "./geometry.js";

/** B[c][j] = x[image][c][p] with j = image * H*W + p. */
function pixelColumns(context: KernelContext): GemmColumnOperand {
  return {
    storage: [{ name: "input", access: "read", buffer: context.inputBuffers[0]! }],
    declarations: [],
    setup: (_batch, at, id) => [`let ${id} = (${at} / (OH * OW)) * C * OH * OW + ${at} % (OH * OW);`],
    load: (id, r, out) => {
      if (out.length !== 1) throw new Error("internal: a pointwise conv's input has one plane");
      return [`let ${out[0]!} = input[${id} + ${r} * OH * OW];`];
    },
  };
}

export function emitPointwiseConv(node: Node, context: KernelContext, g: ConvGeometry, schedule: GemmSchedule, stages: readonly EpilogueStage[]): void {
  const illegal = pointwiseConvIllegal({ KH: g.KH, KW: g.KW, stride: [g.strideH, g.strideW], padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight }, groups: g.groups });
  if (illegal !== undefined) throw new Error(`internal: conv ${node.name}: ${illegal}`);
  const problem: GemmProblem = { batches: 1, planes: 1, M: g.K, N: g.batch * outputPixels(g), R: g.C };
  const partialBytes = gemmPartialBytes(problem, schedule);
  emitGemm({
    node,
    context,
    kernel: "gemm",
    title: "1x1 conv as a GEMM",
    details: { ...shapeSummary(g), schedule: describeSchedule(schedule) },
    problem,
    rows: convWeightRows(context, g),
    columns: pixelColumns(context),
    store: convOutputStore(node, context, g, stages, false),
    knobs: schedule,
    constants: convGemmConstants(g),
    ...(partialBytes > 0 ? { partials: context.scratchBuffer("partials", partialBytes) } : {}),
  });
}
