// Windowed pooling in training: the max pool's forward recording its "switches" (per output, the cell
// of its input plane the maximum came from), and the backward pass of every pooling kind as a gather:
// one invocation per input cell sums the gradients of the outputs whose windows cover it, so
// overlapping windows (3x3 stride 2) need no atomics and each cell is written once. Windows, padding,
// rounding and the avg divisor are pool.ts's (the forward), and the routing the reference's
// (src/reference/gradients/pool.ts): a max goes to the window's first maximum in row-major order, or
// to its last NaN (PyTorch's `val > max || isnan(val)`). Where the windows tile the input (window =
// stride, no padding: the usual 2x2 max pool) each cell has one window, and both kernels run one
// invocation per window with the window unrolled instead.
import type { PoolAttrs } from "../../ir/graph.js";
import { describeShape } from "../../tensor.js";
import { ELEMENTWISE_WORKGROUP_SIZE, imageDims } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { isNanWgsl } from "../nanWgsl.js";
import { avgDivisorWgsl, POOL_WINDOW_PROLOGUE, poolConstants } from "../pool.js";
import { foldedDispatch, kernelSource, u32Literal, type StorageBindingSpec } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface PoolTrainingShape {
  batch: number;
  attrs: PoolAttrs;
  /** Per-sample input shape, [C, H, W] or [C, L]. */
  inputShape: readonly number[];
  /** Per-sample output shape, [C, OH, OW] or [C, OL]. */
  outputShape: readonly number[];
}

/** The switch of an output whose window holds no input cell (it routes no gradient). */
export const NO_SWITCH = 0xffffffff;

function poolDetails(shape: PoolTrainingShape): Record<string, string> {
  const { attrs } = shape;
  const { top, bottom, left, right } = attrs.padding;
  return {
    input: describeShape([shape.batch, ...shape.inputShape]),
    output: describeShape([shape.batch, ...shape.outputShape]),
    window: `${attrs.window[0]}x${attrs.window[1]}, stride ${attrs.stride[0]}x${attrs.stride[1]}, rounding ${attrs.rounding}`,
    padding: `top ${top} bottom ${bottom} left ${left} right ${right}`,
  };
}

function planes(shape: PoolTrainingShape): { C: number; H: number; W: number; OH: number; OW: number; declarations: string } {
  const { C, H, W } = imageDims(shape.inputShape);
  const { C: outputChannels, H: OH, W: OW } = imageDims(shape.outputShape);
  if (outputChannels !== C) throw new Error(`internal: pooling ${describeShape(shape.inputShape)} to ${describeShape(shape.outputShape)}`);
  return { C, H, W, OH, OW, declarations: poolConstants(shape.attrs, { H, W }, { OH, OW }) };
}

/** Windows up to this many cells are unrolled where the windows tile the input. */
const MAX_UNROLLED_WINDOW_CELLS = 16;

/**
 * Whether the windows tile the input exactly (window = stride, no padding, no cell left over: the
 * training net's 2x2 max pools), with few enough cells to unroll: then each input cell lies in exactly
 * one window, no window is clipped, and the kernels run one invocation per window, unrolled.
 */
function windowsTile(shape: PoolTrainingShape): boolean {
  const { attrs } = shape;
  const { H, W } = imageDims(shape.inputShape);
  const { H: OH, W: OW } = imageDims(shape.outputShape);
  const [KH, KW] = attrs.window;
  const { top, bottom, left, right } = attrs.padding;
  return (
    KH === attrs.stride[0] && KW === attrs.stride[1] && top + bottom + left + right === 0 &&
    OH * KH === H && OW * KW === W && KH * KW <= MAX_UNROLLED_WINDOW_CELLS
  );
}

/** The window's cells (row, col offsets) in row-major order, for unrolled code. */
function windowCells(attrs: PoolAttrs): [number, number][] {
  const [KH, KW] = attrs.window;
  return Array.from({ length: KH * KW }, (_, cell) => [Math.floor(cell / KW), cell % KW]);
}

/**
 * The max pool's forward, as pool.ts computes it, also writing per output the flat index within its
 * input plane (row * W + col) of the cell its maximum came from (NO_SWITCH for a window of padding
 * only). Bindings `x`, `y`, `switches` (u32).
 */
export function maxPoolForwardWithSwitches(shape: PoolTrainingShape): TrainingKernels {
  const { attrs, batch } = shape;
  if (attrs.kind !== "max") throw new Error(`internal: max pool switches for a ${attrs.kind} pool`);
  const { C, OH, OW, declarations } = planes(shape);
  const tiled = windowsTile(shape);
  // A later NaN takes over; else only a strictly larger value (the first maximum wins ties).
  const visit = (row: string, col: string): string[] => [
    `let cell = u32((${row}) * W + ${col});`,
    `let value = x[plane_base + cell];`,
    `if (${isNanWgsl("value")} || (!${isNanWgsl("best")} && value > best)) {`,
    `  best = value;`,
    `  best_cell = cell;`,
    `}`,
  ];
  const loopedVisits = [
    `    for (var row = first_row; row < end_row; row++) {`,
    `      for (var col = first_col; col < end_col; col++) {`,
    ...visit("row", "col").map((line) => `        ${line}`),
    `      }`,
    `    }`,
  ];
  // The first cell is where the search starts, so the unrolled visits begin with the second.
  const unrolledVisits = windowCells(attrs)
    .slice(1)
    .flatMap(([row, col]) => [`    {`, ...visit(`first_row + ${row}`, `first_col + ${col}`).map((line) => `      ${line}`), `    }`]);
  const dispatch = foldedDispatch(batch * C * OH * OW, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "x", access: "read" },
    { name: "y", access: "read_write" },
    { name: "switches", access: "read_write", element: "u32" },
  ];
  const wgsl = kernelSource({
    title: `max pooling recording switches, ${attrs.spatialRank}-D`,
    details: {
      ...poolDetails(shape),
      switches: "per output, row * W + col of its maximum in the input plane",
      schedule: `one invocation per output element${tiled ? ", its window (tiling the input) unrolled" : ""}`,
    },
    bindings,
    declarations: [declarations],
    dispatch,
    body: [
      ...POOL_WINDOW_PROLOGUE,
      `  var best = 0.0f;`,
      `  var best_cell = ${u32Literal(NO_SWITCH)};`,
      `  if (input_cells > 0) {`,
      `    best_cell = u32(first_row * W + first_col);`,
      `    best = x[plane_base + best_cell];`,
      ...(tiled ? unrolledVisits : loopedVisits),
      `  }`,
      `  y[index] = best;`,
      `  switches[index] = best_cell;`,
    ],
  });
  const [KH, KW] = attrs.window;
  return {
    kernels: [{ kernel: "maxpool_switches", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: tiled ? 0 : loopPasses(KH, loopPasses(KW)) }],
    scratch: [],
  };
}

/** What one covering output adds to the input cell's gradient, per kind (`o`: the output's index). */
function contribution(attrs: PoolAttrs): string[] {
  switch (attrs.kind) {
    case "max":
      return [`      if (switches[o] == cell) {`, `        sum += dy[o];`, `      }`];
    case "avg":
      return [
        `      let row_start = oh * SH - PAD_TOP;`,
        `      let col_start = ow * SW - PAD_LEFT;`,
        `      let input_cells = (min(row_start + KH, H) - max(row_start, 0)) * (min(col_start + KW, W) - max(col_start, 0));`,
        `      sum += dy[o] / ${avgDivisorWgsl(attrs)};`,
      ];
    case "l2":
      // y = sqrt(sum x^2): dy * x / y, and 0 where y is 0 (every cell of the window is 0 there).
      return [`      let norm = y[o];`, `      sum += select(dy[o] * value / norm, 0.0f, norm == 0.0f);`];
  }
}

/**
 * Where the windows tile the input: output `index` writes the gradient of each cell of its window
 * (the only window covering it), the same values the gather computes.
 */
function tiledWindowGradient(attrs: PoolAttrs): string[] {
  const cells = windowCells(attrs).map(([row, col]) => `plane_base + u32((first_row + ${row}) * W + first_col + ${col})`);
  switch (attrs.kind) {
    case "max":
      return [
        `  let gradient = dy[index];`,
        `  let chosen = plane_base + switches[index];`,
        ...cells.map((at) => `  dx[${at}] = select(0.0f, gradient, ${at} == chosen);`),
      ];
    case "avg":
      // No padding: the divisor is the window's cells, with count_pad or without.
      return [`  let share = dy[index] / f32(KH * KW);`, ...cells.map((at) => `  dx[${at}] = share;`)];
    case "l2":
      return [
        `  let gradient = dy[index];`,
        `  let norm = y[index];`,
        ...cells.map((at) => `  dx[${at}] = select(gradient * x[${at}] / norm, 0.0f, norm == 0.0f);`),
      ];
  }
}

/**
 * The pooling backward pass dx, overwritten, by gathering (or, where the windows tile the input, by
 * writing each window's cells from its output): bindings max `dy`, `switches` (u32, from
 * maxPoolForwardWithSwitches), `dx`; avg `dy`, `dx`; l2 `dy`, `x`, `y`, `dx`.
 */
export function poolBackward(shape: PoolTrainingShape): TrainingKernels {
  const { attrs, batch } = shape;
  const { C, H, W, declarations } = planes(shape);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    ...(attrs.kind === "max" ? [{ name: "switches", access: "read" as const, element: "u32" as const }] : []),
    ...(attrs.kind === "l2" ? [{ name: "x", access: "read" as const }, { name: "y", access: "read" as const }] : []),
    { name: "dx", access: "read_write" },
  ];
  const [KH, KW] = attrs.window;
  const [SH, SW] = attrs.stride;
  // At most ceil(KH / SH) windows cover a row, ceil(KW / SW) a column.
  const rowsCovering = Math.ceil(KH / SH);
  const colsCovering = Math.ceil(KW / SW);
  const kindText = attrs.kind === "avg" ? `avg (count_pad=${attrs.countPadding})` : attrs.kind === "l2" ? "l2" : "max (by switches)";
  const kernel = `${attrs.kind}pool_backward`;
  if (windowsTile(shape)) {
    const dispatch = foldedDispatch(batch * shape.outputShape.reduce((a, b) => a * b, 1), ELEMENTWISE_WORKGROUP_SIZE);
    const wgsl = kernelSource({
      title: `${kindText} pooling backward, ${attrs.spatialRank}-D`,
      details: { ...poolDetails(shape), schedule: "one invocation per output, writing its window (the windows tile the input), unrolled" },
      bindings,
      declarations: [declarations],
      dispatch,
      body: [...POOL_WINDOW_PROLOGUE, ...tiledWindowGradient(attrs)],
    });
    return { kernels: [{ kernel, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
  }
  const dispatch = foldedDispatch(batch * C * H * W, ELEMENTWISE_WORKGROUP_SIZE);
  const wgsl = kernelSource({
    title: `${kindText} pooling backward, ${attrs.spatialRank}-D`,
    details: { ...poolDetails(shape), schedule: "one invocation per input cell, gathering the outputs whose windows cover it" },
    bindings,
    declarations: [declarations],
    dispatch,
    body: [
      `  let w = i32(index % u32(W));`,
      `  let h = i32((index / u32(W)) % u32(H));`,
      `  let output_base = (index / u32(H * W)) * (OH * OW);`,
      `  let cell = u32(h * W + w);`,
      ...(attrs.kind === "l2" ? [`  let value = x[index];`] : []),
      `  // Output oh covers row h when oh * SH - PAD_TOP <= h < oh * SH - PAD_TOP + KH.`,
      `  let rows_after = h + PAD_TOP - KH + 1;`,
      `  let cols_after = w + PAD_LEFT - KW + 1;`,
      `  let first_oh = select(0, (rows_after + SH - 1) / SH, rows_after > 0);`,
      `  let first_ow = select(0, (cols_after + SW - 1) / SW, cols_after > 0);`,
      `  let end_oh = min((h + PAD_TOP) / SH + 1, i32(OH));`,
      `  let end_ow = min((w + PAD_LEFT) / SW + 1, i32(OW));`,
      `  var sum = 0.0f;`,
      // Where at most one window covers a row (KH <= SH), an `if` replaces the loop: no loop passes.
      rowsCovering === 1 ? `  if (first_oh < end_oh) {\n    let oh = first_oh;` : `  for (var oh = first_oh; oh < end_oh; oh++) {`,
      colsCovering === 1 ? `    if (first_ow < end_ow) {\n      let ow = first_ow;` : `    for (var ow = first_ow; ow < end_ow; ow++) {`,
      `      let o = output_base + u32(oh) * OW + u32(ow);`,
      ...contribution(attrs),
      `    }`,
      `  }`,
      `  dx[index] = sum;`,
    ],
  });
  const columnPasses = colsCovering === 1 ? 0 : loopPasses(colsCovering);
  const loopIterations = rowsCovering === 1 ? columnPasses : loopPasses(rowsCovering, columnPasses);
  return { kernels: [{ kernel, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations }], scratch: [] };
}
