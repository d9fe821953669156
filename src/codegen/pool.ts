// Windowed pooling (max / avg / l2, 2-D and 1-D) as one invocation per output element. The window of
// output (oh, ow) covers input rows [oh*SH - PAD_TOP, oh*SH - PAD_TOP + KH) and likewise for columns;
// padded cells never win a max, add 0 to avg and l2 sums, and count in the avg divisor only with
// count_pad (clipped to the padded input, so ceil-rounded overhang is never counted: PyTorch's rule).
// A window holding no input cell yields 0. A 1-D pool is the same kernel with H = 1. As in PyTorch, a
// NaN in a window makes its max NaN (and its sums NaN), and a window of -Inf has max -Inf.
import type { Node, PoolAttrs } from "../ir/graph.js";
import { ELEMENTWISE_WORKGROUP_SIZE, imageDims, INPUT_OUTPUT_BINDINGS, inputOutputBindings } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { MAX_KEEPING_NAN_WGSL } from "./nanWgsl.js";
import { outputStoreCode, outputStoreOf } from "./store.js";
import { foldedDispatch, i32Literal, kernelSource, u32Constants } from "./wgsl.js";
import { loopPasses } from "./loopLimit.js";
import { emitKernel, type KernelContext } from "./plan.js";

function poolAttrs(node: Node): PoolAttrs {
  if (node.attrs.op !== "pool") throw new Error(`internal: generatePool called on ${node.attrs.op}`);
  return node.attrs;
}

/**
 * An avg window's divisor as WGSL, from the `POOL_WINDOW_PROLOGUE` names: its padded cells with
 * count_pad (clipped to the padded input), else its input cells.
 */
export function avgDivisorWgsl(attrs: PoolAttrs): string {
  return attrs.countPadding
    ? "f32((min(row_start + KH, H + PAD_BOTTOM) - row_start) * (min(col_start + KW, W + PAD_RIGHT) - col_start))"
    : "f32(input_cells)";
}

/** The statements folding the window's input cells into `result` for one pooling kind. */
function windowBody(attrs: PoolAttrs): string {
  const loops = (accumulate: string): string =>
    [
      "  for (var row = first_row; row < end_row; row++) {",
      "    for (var col = first_col; col < end_col; col++) {",
      "      let value = x[plane_base + u32(row * W + col)];",
      `      ${accumulate}`,
      "    }",
      "  }",
    ].join("\n");
  switch (attrs.kind) {
    case "max":
      // Starts from the window's first input cell, not from -FLT_MAX, so an all -Inf window gives -Inf.
      return [
        "  var best = x[plane_base + u32(first_row * W + first_col)];",
        loops("best = max_keeping_nan(best, value);"),
        "  result = best;",
      ].join("\n");
    case "l2":
      return ["  var sum = 0.0f;", loops("sum += value * value;"), "  result = sqrt(sum);"].join("\n");
    case "avg":
      return ["  var sum = 0.0f;", loops("sum += value;"), `  result = sum / ${avgDivisorWgsl(attrs)};`].join("\n");
  }
}

/**
 * Module-scope constants of a pooling kernel: the input plane H x W, window, stride and padding as
 * i32 (window arithmetic goes below 0), the output plane OH x OW as u32.
 */
export function poolConstants(attrs: PoolAttrs, input: { H: number; W: number }, output: { OH: number; OW: number }): string {
  const [KH, KW] = attrs.window;
  const [SH, SW] = attrs.stride;
  const { top, bottom, left, right } = attrs.padding;
  return [
    ...Object.entries({ H: input.H, W: input.W, KH, KW, SH, SW, PAD_TOP: top, PAD_BOTTOM: bottom, PAD_LEFT: left, PAD_RIGHT: right }).map(
      ([name, value]) => `const ${name}: i32 = ${i32Literal(value)};`,
    ),
    u32Constants(output),
  ].join("\n");
}

/**
 * The statements locating output `index`'s window (with `poolConstants`): its plane's first input
 * cell `plane_base`, its padded start `row_start` / `col_start`, and its input cells
 * [first_row, end_row) x [first_col, end_col), `input_cells` of them.
 */
export const POOL_WINDOW_PROLOGUE: readonly string[] = [
  `  let ow = i32(index % OW);`,
  `  let oh = i32((index / OW) % OH);`,
  `  let plane_base = (index / (OW * OH)) * u32(H * W);`,
  `  let row_start = oh * SH - PAD_TOP;`,
  `  let col_start = ow * SW - PAD_LEFT;`,
  `  let first_row = max(row_start, 0);`,
  `  let end_row = min(row_start + KH, H);`,
  `  let first_col = max(col_start, 0);`,
  `  let end_col = min(col_start + KW, W);`,
  `  let input_cells = max(end_row - first_row, 0) * max(end_col - first_col, 0);`,
];

export function generatePool(node: Node, context: KernelContext): void {
  const attrs = poolAttrs(node);
  if (context.inPlace === true) throw new Error(`internal: pool ${node.name} cannot run in place`);
  const inputNode = context.graph.nodes[node.inputs[0]!]!;
  const { C, H, W } = imageDims(inputNode.shape);
  const { H: OH, W: OW } = imageDims(node.shape);
  const [KH, KW] = attrs.window;
  const [SH, SW] = attrs.stride;
  const { top, bottom, left, right } = attrs.padding;
  const dispatch = foldedDispatch(context.batch * C * OH * OW, ELEMENTWISE_WORKGROUP_SIZE);
  const storeCode = outputStoreCode(outputStoreOf(context), node.shape, context.batch);
  const kindText =
    attrs.kind === "avg" ? `avg (count_pad=${attrs.countPadding})` : attrs.kind === "l2" ? "l2 (sqrt of sum of squares)" : "max";
  const constants = poolConstants(attrs, { H, W }, { OH, OW });
  const wgsl = kernelSource({
    title: `${kindText} pooling, ${attrs.spatialRank}-D`,
    details: {
      input: describeShape([context.batch, ...inputNode.shape]),
      output: describeShape([context.batch, ...node.shape]),
      window: `${KH}x${KW}, stride ${SH}x${SW}, rounding ${attrs.rounding}`,
      padding: `top ${top} bottom ${bottom} left ${left} right ${right}`,
      "output store": storeCode.description,
      schedule: "one invocation per output element",
    },
    bindings: INPUT_OUTPUT_BINDINGS,
    declarations: [constants, ...(attrs.kind === "max" ? [MAX_KEEPING_NAN_WGSL] : []), ...storeCode.declarations],
    dispatch,
    body: [
      ...POOL_WINDOW_PROLOGUE,
      `  var result = 0.0f;`,
      `  if (input_cells > 0) {`,
      ...windowBody(attrs)
        .split("\n")
        .map((line) => `  ${line}`),
      `  }`,
      `  y[${storeCode.index("index")}] = result;`,
    ],
  });
  // The window's row and column loops: at most KH x KW cells (fewer where the window is clipped).
  const loopIterations = loopPasses(KH, loopPasses(KW));
  emitKernel(context, node, `${attrs.kind}pool`, wgsl, dispatch.workgroups, inputOutputBindings(context), loopIterations);
}
