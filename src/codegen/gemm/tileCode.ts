// The register tile's WGSL, shared by both reduction paths of the GEMM core: accumulator declarations,
// one step of the reduction from the operand loaders, and the copy of the accumulators into the
// private `tile` array that the rolled store loop reads.
import { u32Literal } from "../wgsl.js";
import type { GemmColumnOperand, GemmOperand } from "./operands.js";

const LANES = ["x", "y", "z", "w"] as const;

/** The tile actually computed by an invocation (after clamping to the problem). */
export interface TileShape {
  tileM: number;
  tileN: number;
  width: 1 | 4;
  planes: number;
}

function range(length: number): number[] {
  return Array.from({ length }, (_, index) => index);
}

/** `acc<i>_<q>_<plane>`: scalars (width 1), vec4s along n (width 4), or vec4 partial sums along r (quad mode). */
export function accumulatorName(i: number, q: number, plane: number): string {
  return `acc${i}_${q}_${plane}`;
}

export function accumulatorLines(tile: TileShape, quad: boolean): string[] {
  const type = tile.width === 4 || quad ? "vec4<f32>" : "f32";
  const zero = type === "f32" ? "0.0f" : "vec4<f32>(0.0f)";
  const lines: string[] = [];
  for (const i of range(tile.tileM)) {
    for (const q of range(tile.tileN / tile.width)) {
      for (const plane of range(tile.planes)) lines.push(`  var ${accumulatorName(i, q, plane)}: ${type} = ${zero};`);
    }
  }
  return lines;
}

export interface ReductionStepSpec {
  rows: GemmOperand;
  columns: GemmColumnOperand;
  tile: TileShape;
  /** fc's mode: width 1, both operands load vec4s along r, accumulators are vec4 partial sums. */
  quad: boolean;
  /** 4: reduction indices r..r+3 (r a multiple of 4 from the slice start); 1: index r. */
  steps: 1 | 4;
  /** With 1 step: the reduction index expression (default `r`). */
  at?: string;
  /** The setup id of row i / column vector q. */
  rowId(i: number): string;
  columnId(q: number): string;
}

/** Statements loading the operands at `r` (and r+1..r+3 for 4 steps) and accumulating their products. */
export function reductionStep(spec: ReductionStepSpec): string[] {
  const { rows, columns, tile } = spec;
  const planes = range(tile.planes);
  const vectors = range(tile.tileN / tile.width);
  const lines: string[] = [];
  const named = (prefix: string): string[] => planes.map((plane) => `${prefix}_${plane}`);
  if (spec.quad) {
    for (const i of range(tile.tileM)) lines.push(...(spec.steps === 4 ? rows.quad!(spec.rowId(i), "r", named(`a${i}`)) : rows.load(spec.rowId(i), "r", named(`a${i}`))));
    for (const j of vectors) lines.push(...(spec.steps === 4 ? columns.quad!(spec.columnId(j), "r", named(`b${j}`)) : columns.load(spec.columnId(j), "r", named(`b${j}`))));
    const lane = spec.steps === 4 ? "" : ".x";
    for (const i of range(tile.tileM)) {
      for (const j of vectors) {
        for (const plane of planes) {
          const acc = accumulatorName(i, j, plane);
          lines.push(`${acc}${lane} = fma(a${i}_${plane}, b${j}_${plane}, ${acc}${lane});`);
        }
      }
    }
    return lines;
  }
  const stepIndex = (step: number): string => (step === 0 ? "r" : `(r + ${u32Literal(step)})`);
  // Several planes (Winograd's 16): each step's loads right before its products, so that only one
  // step's operands are live at a time (all 4 steps' 16-plane operands at once spill on llvmpipe).
  if (tile.planes > 1 && spec.steps === 4 && rows.quad === undefined) {
    return range(4).flatMap((step) => [`{`, ...reductionStep({ ...spec, steps: 1, at: stepIndex(step) }).map((line) => `  ${line}`), `}`]);
  }
  const at = spec.at ?? "r";
  const rowValue: string[][][] = []; // [i][step][plane] -> f32 expression
  for (const i of range(tile.tileM)) {
    if (spec.steps === 4 && rows.quad !== undefined) {
      lines.push(...rows.quad(spec.rowId(i), "r", named(`a${i}`)));
      rowValue.push(range(4).map((step) => planes.map((plane) => `a${i}_${plane}.${LANES[step]!}`)));
    } else {
      rowValue.push(
        range(spec.steps).map((step) => {
          const out = named(`a${i}s${step}`);
          lines.push(...rows.load(spec.rowId(i), spec.steps === 1 ? at : stepIndex(step), out));
          return out;
        }),
      );
    }
  }
  for (const step of range(spec.steps)) {
    const index = spec.steps === 1 ? at : stepIndex(step);
    for (const q of vectors) {
      const out = named(`b${q}s${step}`);
      if (tile.width === 1) {
        lines.push(...columns.load(spec.columnId(q), index, out));
      } else if (columns.vector !== undefined) {
        lines.push(...columns.vector.load(spec.columnId(q), index, out));
      } else {
        const laneValues = range(4).map((lane) => named(`b${q}s${step}l${lane}`));
        range(4).forEach((lane) => lines.push(...columns.load(`${spec.columnId(q)}_${lane}`, index, laneValues[lane]!)));
        planes.forEach((plane) => lines.push(`let ${out[plane]!} = vec4<f32>(${laneValues.map((values) => values[plane]!).join(", ")});`));
      }
    }
  }
  for (const step of range(spec.steps)) {
    for (const i of range(tile.tileM)) {
      for (const q of vectors) {
        for (const plane of planes) {
          const acc = accumulatorName(i, q, plane);
          const a = rowValue[i]![step]![plane]!;
          lines.push(`${acc} = fma(${tile.width === 4 ? `vec4<f32>(${a})` : a}, b${q}s${step}_${plane}, ${acc});`);
        }
      }
    }
  }
  return lines;
}

/** `var tile` holding every accumulator as f32, index (plane * TILE_M + i) * TILE_N + j, for the rolled store loop. */
export function tileCopy(tile: TileShape, quad: boolean): string[] {
  const lines = [`  var tile: array<f32, ${tile.planes * tile.tileM * tile.tileN}>;`];
  for (const plane of range(tile.planes)) {
    for (const i of range(tile.tileM)) {
      for (const q of range(tile.tileN / tile.width)) {
        const acc = accumulatorName(i, q, plane);
        const base = (plane * tile.tileM + i) * tile.tileN + q * tile.width;
        if (tile.width === 4) {
          range(4).forEach((lane) => lines.push(`  tile[${base + lane}] = ${acc}.${LANES[lane]!};`));
        } else {
          lines.push(`  tile[${base}] = ${quad ? `dot(${acc}, vec4<f32>(1.0f))` : acc};`);
        }
      }
    }
  }
  return lines;
}
