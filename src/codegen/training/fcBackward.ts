// The fully connected layer's backward kernels (PyTorch Linear, weight [out, in], input flattened to
// [batch, in]), from y[n, o] = bias[o] + sum_i weight[o, i] * x[n, i]:
//   dx[n, i]      = sum_o dy[n, o] * weight[o, i]   (a GEMM over o),
//   dweight[o, i] = sum_n dy[n, o] * x[n, i]        (a GEMM over n),
//   dbias[o]      = sum_n dy[n, o].
// Both GEMMs have the shape C[m, j] = sum_k A(m, k) * B[k, j] with B and C contiguous along j (the
// input features), so they share one register-tiled kernel (its schedule: src/schedule/kinds/columnGemm.ts):
// each invocation holds ROWS rows x VECS vec4s of columns, and per step of k loads ROWS scalars of A and
// VECS vec4s of B for 4 * ROWS * VECS multiply-adds. Every kernel overwrites its output.
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants, u32Literal, type StorageBindingSpec } from "../wgsl.js";
import { columnGemmTile, type ColumnGemmSchedule } from "../../schedule/kinds/columnGemm.js";
import type { FcDataGemmSchedule } from "../../schedule/kinds/fcDataGemm.js";
import type { FcWeightGemmSchedule } from "../../schedule/kinds/fcWeightGemm.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface FcBackwardShape {
  batch: number;
  inFeatures: number;
  outFeatures: number;
}

/** The bias sum's workgroup (one invocation per output feature). */
const BIAS_WORKGROUP_SIZE = 64;

/** C[m, j] = sum_k A[m * A_ROW_STRIDE + k * A_DEPTH_STRIDE] * B[k * J + j], overwriting C. */
interface ColumnGemm {
  kernel: string;
  title: string;
  details: Record<string, string>;
  names: { a: string; b: string; c: string };
  rows: number;
  columns: number;
  depth: number;
  aRowStride: number;
  aDepthStride: number;
  schedule: ColumnGemmSchedule<string>;
}

function requireShape(shape: Partial<FcBackwardShape>): void {
  for (const [name, value] of Object.entries(shape)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`internal: fc backward ${name} is ${value}`);
  }
}

function columnGemmKernels(gemm: ColumnGemm): TrainingKernels {
  const { rows, columns, depth } = gemm;
  // Columns in vec4s when rows of B and C are 16-byte aligned; else scalar loads, 4 to a vec4.
  const vectorized = columns % 4 === 0;
  const tile = columnGemmTile(gemm.schedule, { rows, columns, depth });
  const rowsPerInvocation = tile.rows;
  const vecsPerInvocation = tile.vectors;
  const columnVecs = Math.ceil(columns / 4);
  const columnTiles = Math.ceil(columnVecs / vecsPerInvocation);
  const dispatch = foldedDispatch(tile.invocations, gemm.schedule.workgroupSize);
  const element = vectorized ? "vec4<f32>" : "f32";
  const bindings: StorageBindingSpec[] = [
    { name: gemm.names.a, access: "read" },
    { name: gemm.names.b, access: "read", element },
    { name: gemm.names.c, access: "read_write", element },
  ];
  const { a, b, c } = gemm.names;
  const tileRows = Array.from({ length: rowsPerInvocation }, (_, r) => r);
  const tileVecs = Array.from({ length: vecsPerInvocation }, (_, v) => v);
  const lanes = [0, 1, 2, 3];
  const body: string[] = [
    `  let column_tile = index % COLUMN_TILES;`,
    `  let m0 = (index / COLUMN_TILES) * ROWS_PER_INVOCATION;`,
    `  let v0 = column_tile * VECS_PER_INVOCATION;`,
    `  // Rows and columns past the edge are computed on clamped copies and never stored.`,
  ];
  for (const r of tileRows) body.push(`  let a_row${r} = min(m0 + ${u32Literal(r)}, ROWS - 1u) * A_ROW_STRIDE;`);
  for (const v of tileVecs) {
    if (vectorized) body.push(`  let column${v} = min(v0 + ${u32Literal(v)}, COLUMN_VECS - 1u);`);
    else for (const l of lanes) body.push(`  let column${v}_${l} = min((v0 + ${u32Literal(v)}) * 4u + ${u32Literal(l)}, COLUMNS - 1u);`);
  }
  for (const r of tileRows) body.push(`  var ${tileVecs.map((v) => `acc${r}_${v}`).join(` = vec4<f32>(0.0f);\n  var `)} = vec4<f32>(0.0f);`);
  body.push(`  for (var k = 0u; k < DEPTH; k++) {`);
  for (const v of tileVecs) {
    const load = vectorized
      ? `${b}[k * COLUMN_VECS + column${v}]`
      : `vec4<f32>(${lanes.map((l) => `${b}[k * COLUMNS + column${v}_${l}]`).join(", ")})`;
    body.push(`    let b${v} = ${load};`);
  }
  for (const r of tileRows) body.push(`    let a${r} = ${a}[a_row${r} + k * A_DEPTH_STRIDE];`);
  for (const r of tileRows) for (const v of tileVecs) body.push(`    acc${r}_${v} = fma(vec4<f32>(a${r}), b${v}, acc${r}_${v});`);
  body.push(`  }`);
  for (const r of tileRows) {
    body.push(`  if (m0 + ${u32Literal(r)} < ROWS) {`);
    for (const v of tileVecs) {
      if (vectorized) {
        body.push(`    if (v0 + ${u32Literal(v)} < COLUMN_VECS) {`, `      ${c}[(m0 + ${u32Literal(r)}) * COLUMN_VECS + v0 + ${u32Literal(v)}] = acc${r}_${v};`, `    }`);
        continue;
      }
      for (const l of lanes) {
        const column = `(v0 + ${u32Literal(v)}) * 4u + ${u32Literal(l)}`;
        body.push(`    if (${column} < COLUMNS) {`, `      ${c}[(m0 + ${u32Literal(r)}) * COLUMNS + ${column}] = acc${r}_${v}[${l}];`, `    }`);
      }
    }
    body.push(`  }`);
  }
  const wgsl = kernelSource({
    title: gemm.title,
    details: {
      ...gemm.details,
      schedule: `register tile of ${rowsPerInvocation} rows x ${vecsPerInvocation * 4} columns per invocation, ${vectorized ? "vec4 loads" : "scalar loads, 4 to a vec4"}; the sum runs over ${depth}`,
    },
    bindings,
    declarations: [
      u32Constants({
        ROWS: rows,
        COLUMNS: columns,
        COLUMN_VECS: columnVecs,
        DEPTH: depth,
        A_ROW_STRIDE: gemm.aRowStride,
        A_DEPTH_STRIDE: gemm.aDepthStride,
        ROWS_PER_INVOCATION: rowsPerInvocation,
        VECS_PER_INVOCATION: vecsPerInvocation,
        COLUMN_TILES: columnTiles,
      }),
    ],
    dispatch,
    body,
  });
  return { kernels: [{ kernel: gemm.kernel, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(depth) }], scratch: [] };
}

/** dx = dy · weight: bindings `dy` [batch, out], `weight` [out, in], `dx` [batch, in] (overwritten). */
export function fcBackwardData(shape: FcBackwardShape, schedule: FcDataGemmSchedule): TrainingKernels {
  requireShape(shape);
  const { batch, inFeatures, outFeatures } = shape;
  return columnGemmKernels({
    kernel: "fc_backward_data",
    title: "fc backward: input gradient dx = dy · weight",
    details: { dy: `[${batch}, ${outFeatures}]`, weight: `[${outFeatures}, ${inFeatures}] (out, in)`, dx: `[${batch}, ${inFeatures}] (the input flattened)` },
    names: { a: "dy", b: "weight", c: "dx" },
    rows: batch,
    columns: inFeatures,
    depth: outFeatures,
    aRowStride: outFeatures,
    aDepthStride: 1,
    schedule,
  });
}

/** dweight = dyᵀ · x: bindings `dy` [batch, out], `x` [batch, in], `dweight` [out, in] (overwritten). */
export function fcBackwardWeight(shape: FcBackwardShape, schedule: FcWeightGemmSchedule): TrainingKernels {
  requireShape(shape);
  const { batch, inFeatures, outFeatures } = shape;
  return columnGemmKernels({
    kernel: "fc_backward_weight",
    title: "fc backward: weight gradient dweight = dy^T · x",
    details: { dy: `[${batch}, ${outFeatures}]`, x: `[${batch}, ${inFeatures}] (the input flattened)`, dweight: `[${outFeatures}, ${inFeatures}] (out, in)` },
    names: { a: "dy", b: "x", c: "dweight" },
    rows: outFeatures,
    columns: inFeatures,
    depth: batch,
    aRowStride: 1,
    aDepthStride: outFeatures,
    schedule,
  });
}

/** dbias[o] = sum_n dy[n, o]: bindings `dy` [batch, out], `dbias` [out] (overwritten). */
export function fcBackwardBias(shape: { batch: number; outFeatures: number }): TrainingKernels {
  requireShape(shape);
  const { batch, outFeatures } = shape;
  const dispatch = foldedDispatch(outFeatures, BIAS_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "dbias", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: "fc backward: bias gradient dbias = sum over the batch of dy",
    details: { dy: `[${batch}, ${outFeatures}]`, dbias: `[${outFeatures}]`, schedule: "one invocation per output feature" },
    bindings,
    declarations: [u32Constants({ BATCH: batch, OUT_FEATURES: outFeatures })],
    dispatch,
    body: [`  var sum = 0.0f;`, `  for (var n = 0u; n < BATCH; n++) {`, `    sum += dy[n * OUT_FEATURES + index];`, `  }`, `  dbias[index] = sum;`],
  });
  return { kernels: [{ kernel: "fc_backward_bias", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(batch) }], scratch: [] };
}
