// The conv side of the GEMM core (src/codegen/gemm/core.ts): per group g, a GEMM
//   out[n, g*M + m, p] = epilogue(sum_r weight[g*M + m, r] * B[g][r][j]),   j = n*OH*OW + p,
// with M = K/groups filters, r = (c, kh, kw) over C/groups*KH*KW (the weight's OIHW order). The A
// operand is the weight's rows; B is im2col's column buffer or the input read through the im2col
// addressing (implicit GEMM); the store writes out[n, channel, p] through the epilogue and the output store.
import type { Node } from "../../ir/graph.js";
import type { EpilogueStage } from "../epilogue.js";
import type { GemmColumnOperand, GemmOperand, GemmStore } from "../gemm/operands.js";
import { rowMajorOperand } from "../gemm/rowMajor.js";
import type { KernelContext } from "../plan.js";
import { outputStoreCode, outputStoreOf } from "../store.js";
import { paddingFunctions, reductionLength, windowConstants, type ConvGeometry } from "./geometry.js";

/** A[g][m][r] = weight[g*M + m][r]. */
export function convWeightRows(context: KernelContext, g: ConvGeometry): GemmOperand {
  return rowMajorOperand({
    name: "weight",
    buffer: context.paramBuffer("weight"),
    rowStart: (batch, at) => `(${batch} * M + ${at}) * R`,
    aligned: reductionLength(g) % 4 === 0,
  });
}

/**
 * Stores GEMM output (g, m, column n) at out[image, g*M + m, pixel] with column `first_column + n`
 * (`chunked`: only columns n < column_count of the chunk are real).
 */
export function convOutputStore(node: Node, context: KernelContext, g: ConvGeometry, stages: readonly EpilogueStage[], chunked: boolean): GemmStore {
  const storeCode = outputStoreCode(outputStoreOf(context), node.shape, g.batch);
  const column = chunked ? "first_column + n" : "n";
  const write = [
    `let channel = batch * M + m;`,
    `let column = ${column};`,
    `let at = ((column / (OH * OW)) * K + channel) * OH * OW + column % (OH * OW);`,
    `output[${storeCode.index("at")}] = apply_epilogue(VALUE, channel, at);`,
  ];
  return {
    storage: [{ name: "output", access: "read_write", buffer: context.outputBuffer }],
    stages,
    declarations: storeCode.declarations,
    store: (batch, m, n, values) => {
      if (values.length !== 1 || batch !== "batch" || m !== "m" || n !== "n") throw new Error("internal: the conv store computes one plane at (batch, m, n)");
      const lines = write.map((line) => line.replace("VALUE", values[0]!));
      return chunked ? [`if (n < column_count) {`, ...lines.map((line) => `  ${line}`), `}`] : lines;
    },
    description: storeCode.description,
  };
}

/** The conv's sizes as u32 constants for its GEMM kernels (M, N, R are the core's). */
export function convGemmConstants(g: ConvGeometry): Record<string, number> {
  return { C: g.C, H: g.H, W: g.W, K: g.K, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, CHANNELS_PER_GROUP: g.channelsPerGroup };
}

/**
 * Implicit GEMM's B operand: B[g][r][j] = padded_input[image, g*C/groups + c, oh*SH - top + kh*DH,
 * ow*SW - left + kw*DW] with r -> (c, kh, kw) and j -> (image, oh, ow), read from the input directly
 * (the padding mode through `source_row` / `source_col`). Each column's window origin is set up once.
 */
export function implicitConvColumns(context: KernelContext, g: ConvGeometry): GemmColumnOperand {
  return {
    storage: [{ name: "input", access: "read", buffer: context.inputBuffers[0]! }],
    declarations: [`${windowConstants(g)}`, paddingFunctions(g)],
    setup: (batch, at, id) => [
      `let ${id}_pixel = ${at} % (OH * OW);`,
      `let ${id}_base = ((${at} / (OH * OW)) * C + ${batch} * CHANNELS_PER_GROUP) * H;`,
      `let ${id}_y = i32(${id}_pixel / OW) * STRIDE_H - PAD_TOP;`,
      `let ${id}_x = i32(${id}_pixel % OW) * STRIDE_W - PAD_LEFT;`,
    ],
    load: (id, r, out) => {
      if (out.length !== 1) throw new Error("internal: the implicit conv operand has one plane");
      const value = out[0]!;
      return [
        `let ${value}_row = source_row(${id}_y + i32((${r} / KW) % KH) * DILATION_H);`,
        `let ${value}_col = source_col(${id}_x + i32(${r} % KW) * DILATION_W);`,
        `let ${value}_at = ((${id}_base + ${r} / (KH * KW) * H) + u32(max(${value}_row, 0i))) * W + u32(max(${value}_col, 0i));`,
        `let ${value} = select(0.0f, input[${value}_at], ${value}_row >= 0i && ${value}_col >= 0i);`,
      ];
    },
  };
}

/** im2col's column buffer [g][R][VECTOR_COLUMNS] of vec4s as the B operand (vec4 loads along columns). */
export function columnBufferColumns(columnsBuffer: number): GemmColumnOperand {
  const one = (out: readonly string[]): string => {
    if (out.length !== 1) throw new Error("internal: the column buffer has one plane");
    return out[0]!;
  };
  return {
    storage: [{ name: "columns", access: "read", element: "vec4<f32>", buffer: columnsBuffer }],
    declarations: [],
    setup: (batch, at, id) => [`let ${id} = ${batch} * R * VECTOR_COLUMNS + ${at} / 4u;`, `let ${id}_lane = ${at} % 4u;`],
    load: (id, r, out) => [`let ${one(out)} = columns[${id} + ${r} * VECTOR_COLUMNS][${id}_lane];`],
    vector: {
      setup: (batch, first, id) => [`let ${id} = ${batch} * R * VECTOR_COLUMNS + ${first} / 4u;`],
      load: (id, r, out) => [`let ${one(out)} = columns[${id} + ${r} * VECTOR_COLUMNS];`],
    },
  };
}

