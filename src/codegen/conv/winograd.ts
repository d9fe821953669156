// Winograd F(2x2, 3x3) convolution (src/schedule/kinds/winograd.ts) on the GEMM core
// (src/codegen/gemm/core.ts): per group g, 16 GEMMs (planes p) sharing one reduction over the
// group's input channels c,
//   M[p][k][t] = sum_c U[k][c][p] * V[c][t][p],   then   out[tile t of filter k] = Aᵀ M A,
// with U = G g Gᵀ the derived parameter `<layer>:winograd_u` ([K][C/groups][16], transformed at weight
// upload) and V = Bᵀ d B transformed from each 4x4 input patch d as it is loaded. The core's problem
// is { batches: groups, planes: 16, M: K/groups, N: 2x2 tiles of all images, R: C/groups }; this file
// gives it the three Winograd pieces: the A loader (transformed filters), the B loader (an input
// patch, padded, transformed) and the store hook (output transform, bounds, epilogue, store mode).
// Register tiles, vec4 along tiles, workgroup memory and split-K are the core's.
import type { Node } from "../../ir/graph.js";
import { WINOGRAD_VARIANTS, winogradFilterName, type WinogradSchedule } from "../../schedule/kinds/winograd.js";
import type { WinogradTransform } from "../../schedule/kinds/winogradTransforms.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitGemm, gemmPartialBytes } from "../gemm/core.js";
import type { GemmColumnOperand, GemmOperand, GemmProblem, GemmStore } from "../gemm/operands.js";
import type { KernelContext } from "../plan.js";
import { describeSchedule } from "../schedule.js";
import { outputStoreCode, outputStoreOf } from "../store.js";
import { i32Literal, u32Literal } from "../wgsl.js";
import { shapeSummary } from "./common.js";
import { convGemmConstants } from "./gemmOperands.js";
import { paddingFunctions, windowConstants, type ConvGeometry } from "./geometry.js";
import { inputTransformWgsl, outputTransformWgsl } from "./winogradWgsl.js";

const LANES = ["x", "y", "z", "w"] as const;
const PLANES = 16;

export function emitWinogradConv(node: Node, context: KernelContext, g: ConvGeometry, schedule: WinogradSchedule, stages: readonly EpilogueStage[]): void {
  const transform = WINOGRAD_VARIANTS[schedule.variant];
  if (g.KH !== 3 || g.KW !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) {
    throw new Error(`internal: conv ${node.name} got the winograd schedule, which needs a 3x3 stride-1 undilated conv`);
  }
  const tileRows = Math.ceil(g.OH / transform.tile);
  const tileCols = Math.ceil(g.OW / transform.tile);
  const tiles = g.batch * tileRows * tileCols;
  const problem: GemmProblem = { batches: g.groups, planes: PLANES, M: g.filtersPerGroup, N: tiles, R: g.channelsPerGroup };
  const partialBytes = gemmPartialBytes(problem, schedule);
  emitGemm({
    node,
    context,
    kernel: "winograd",
    title: "conv, Winograd F(2x2, 3x3) on the GEMM core",
    details: {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      transform: "Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A: 4x4 input patches d, 2x2 output tiles Y",
      tiles: `${tileRows}x${tileCols} output tiles of 2x2 per image, ${tiles} in all (the GEMM's columns)`,
      filters: "filter_u: U = G g Gᵀ, [K][C/groups][16], transformed when the weights are uploaded (the GEMM's rows)",
    },
    problem,
    rows: transformedFilterRows(context, node),
    columns: transformedPatchColumns(context, g, transform),
    store: outputTileStore(node, context, g, stages, transform),
    knobs: schedule,
    constants: { ...convGemmConstants(g), TILE_ROWS: tileRows, TILE_COLS: tileCols },
    ...(partialBytes > 0 ? { partials: context.scratchBuffer("partials", partialBytes) } : {}),
  });
}

function sixteen(out: readonly string[]): void {
  if (out.length !== PLANES) throw new Error(`internal: a Winograd operand loads ${PLANES} planes, not ${out.length}`);
}

/** Plane p = 4 * row + column of the 4x4 transform: lane p % 4 of vec4 row p / 4. */
function planesOfRows(rows: readonly string[], out: readonly string[]): string[] {
  return out.map((name, plane) => `let ${name} = ${rows[Math.floor(plane / 4)]!}.${LANES[plane % 4]!};`);
}

/** A[g][m][c][p] = U[g*M + m][c][p]: filter (g, m)'s 16 transformed values of channel c, 4 vec4 loads. */
function transformedFilterRows(context: KernelContext, node: Node): GemmOperand {
  return {
    storage: [{ name: "filter_u", access: "read", element: "vec4<f32>", buffer: context.derivedBuffer(winogradFilterName(node.name)) }],
    declarations: [],
    setup: (batch, at, id) => [`let ${id} = (${batch} * M + ${at}) * R;`],
    load: (id, r, out) => {
      sixteen(out);
      const rows = [0, 1, 2, 3].map((row) => `${out[0]!}_u${row}`);
      return [...rows.map((name, row) => `let ${name} = filter_u[(${id} + ${r}) * 4u + ${u32Literal(row)}];`), ...planesOfRows(rows, out)];
    },
  };
}

/**
 * B[g][c][t][p] = V = Bᵀ d B of output tile t's 4x4 input patch d in channel g*C/groups + c. The setup
 * finds the tile's image and the patch's 4 rows / columns once (padding applied: -1 from source_row
 * is a zero of the padding or a row past an edge tile's outputs); each load reads 16 values and transforms them.
 */
function transformedPatchColumns(context: KernelContext, g: ConvGeometry, transform: WinogradTransform): GemmColumnOperand {
  return {
    storage: [{ name: "input", access: "read", buffer: context.inputBuffers[0]! }],
    declarations: [windowConstants(g), paddingFunctions(g)],
    setup: (batch, at, id) => {
      const lines = [
        `let ${id}_tile_row = (${at} / TILE_COLS) % TILE_ROWS;`,
        `let ${id}_tile_col = ${at} % TILE_COLS;`,
        `let ${id}_base = ((${at} / (TILE_ROWS * TILE_COLS)) * C + ${batch} * CHANNELS_PER_GROUP) * H * W;`,
      ];
      for (const r of [0, 1, 2, 3]) {
        lines.push(
          `let ${id}_row${r} = source_row(i32(${id}_tile_row * 2u) - PAD_TOP + ${i32Literal(r)});`,
          `let ${id}_row_at${r} = u32(max(${id}_row${r}, 0i)) * W;`,
          `let ${id}_row_ok${r} = ${id}_row${r} >= 0i;`,
          `let ${id}_col${r} = source_col(i32(${id}_tile_col * 2u) - PAD_LEFT + ${i32Literal(r)});`,
          `let ${id}_col_at${r} = u32(max(${id}_col${r}, 0i));`,
          `let ${id}_col_ok${r} = ${id}_col${r} >= 0i;`,
        );
      }
      return lines;
    },
    load: (id, r, out) => {
      sixteen(out);
      const name = out[0]!;
      const lines = [`let ${name}_plane = ${id}_base + ${r} * H * W;`];
      const rows = [0, 1, 2, 3].map((row) => `${name}_d${row}`);
      rows.forEach((row, a) => {
        const values = [0, 1, 2, 3].map((b) => `select(0.0f, input[${name}_plane + ${id}_row_at${a} + ${id}_col_at${b}], ${id}_row_ok${a} && ${id}_col_ok${b})`);
        lines.push(`let ${row} = vec4<f32>(${values.join(", ")});`);
      });
      const transformed = inputTransformWgsl(transform, rows, `${name}_v`, "");
      return [...lines, ...transformed.lines, ...planesOfRows(transformed.rows, out)];
    },
  };
}

/**
 * Output (g, m, tile n): Y = Aᵀ M A of its 16 sums, then each of the 2x2 outputs inside the output
 * (edge tiles are partial) through the epilogue and the store mode.
 */
function outputTileStore(node: Node, context: KernelContext, g: ConvGeometry, stages: readonly EpilogueStage[], transform: WinogradTransform): GemmStore {
  const storeCode = outputStoreCode(outputStoreOf(context), node.shape, g.batch);
  return {
    storage: [{ name: "output", access: "read_write", buffer: context.outputBuffer }],
    stages,
    declarations: storeCode.declarations,
    store: (batch, m, n, values) => {
      sixteen(values);
      const sums = [0, 1, 2, 3].map((row) => `winograd_sums${row}`);
      const lines = [
        `let winograd_channel = ${batch} * M + ${m};`,
        `let winograd_image = ${n} / (TILE_ROWS * TILE_COLS);`,
        `let winograd_oh = ((${n} / TILE_COLS) % TILE_ROWS) * 2u;`,
        `let winograd_ow = (${n} % TILE_COLS) * 2u;`,
        ...sums.map((name, row) => `let ${name} = vec4<f32>(${values.slice(row * 4, row * 4 + 4).join(", ")});`),
      ];
      const transformed = outputTransformWgsl(transform, sums, "winograd_y", "");
      lines.push(...transformed.lines);
      transformed.rows.forEach((row, a) => {
        for (let b = 0; b < transform.tile; b++) {
          const at = `winograd_at${a}${b}`;
          lines.push(
            `if (winograd_oh + ${u32Literal(a)} < OH && winograd_ow + ${u32Literal(b)} < OW) {`,
            `  let ${at} = ((winograd_image * K + winograd_channel) * OH + winograd_oh + ${u32Literal(a)}) * OW + winograd_ow + ${u32Literal(b)};`,
            `  output[${storeCode.index(at)}] = apply_epilogue(${row}.${LANES[b]!}, winograd_channel, ${at});`,
            `}`,
          );
        }
      });
      return lines;
    },
    description: storeCode.description,
  };
}
