// The knobs every GEMM-core schedule kind shares (im2col, implicit_gemm, gemm; Winograd's too): the
// register tile, vector width, workgroup size, split-K and workgroup memory, with their candidate
// values, their validation, and the legality limits they meet on a target.
import { MAX_INVOCATIONS_PER_WORKGROUP } from "../../codegen/wgsl.js";
import { workgroupSizeProblem } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { KnobSpace, Target } from "../types.js";

/** The GEMM core's knobs (src/codegen/gemm/core.ts reads them). */
export type GemmKnobs = {
  /** Rows (output channels / features) of one invocation's register tile. */
  tileM: number;
  /** Columns (pixels / samples) of the register tile, a multiple of vectorWidth. */
  tileN: number;
  /** 1: scalar accumulators; 4: vec4 accumulators along the columns. */
  vectorWidth: 1 | 4;
  workgroupSize: number;
  /** 1: no split; s > 1: s partial sums over slices of the reduction, added by a second kernel in a fixed order. */
  splitK: number;
  /** Stage A and B tiles in `var<workgroup>` arrays loaded cooperatively between barriers. */
  workgroupMemory: boolean;
};

export const GEMM_KNOB_SPACE: KnobSpace = {
  tileM: [8, 4, 2, 16],
  tileN: [16, 8, 4, 32],
  vectorWidth: [4, 1],
  workgroupSize: [64, 32, 128, 256],
  splitK: [1, 2, 4, 8],
  workgroupMemory: [false, true],
};

/**
 * The default register tile's rows for `rows` output rows (filters per group, features): 8, or 4 for
 * fewer than 5 rows. 5 to 7 rows pad to 8 with tiles of 4 as well, so one tile of 8 does the same work
 * in half the invocations, reading each input once instead of twice (measured on LeNet-5's C1, 6
 * filters: 8 rows 0.54 ms, 4 rows 0.62 ms).
 */
export function defaultTileM(rows: number): number {
  return rows >= 5 ? 8 : 4;
}

/** Bounds keeping the unrolled register tile's code sane. */
const MAX_TILE_M = 16;
const MAX_TILE_N = 32;
const MAX_SPLIT_K = 64;

/** Reduction indices staged in workgroup memory per barrier pair. */
export const WORKGROUP_SLICE = 8;

/** A workgroup's grid of register tiles: the most square rows x columns with rows * columns = size. */
export function workgroupGrid(workgroupSize: number): { rows: number; columns: number } {
  let rows = 1;
  for (let divisor = 1; divisor * divisor <= workgroupSize; divisor++) if (workgroupSize % divisor === 0) rows = divisor;
  return { rows, columns: workgroupSize / rows };
}

/** Bytes of `var<workgroup>` arrays the knobs need with `planes` products per invocation (0 without workgroup memory). */
export function workgroupMemoryBytes(planes: number, knobs: Pick<GemmKnobs, "tileM" | "tileN" | "workgroupSize" | "workgroupMemory">): number {
  if (!knobs.workgroupMemory) return 0;
  const grid = workgroupGrid(knobs.workgroupSize);
  return planes * WORKGROUP_SLICE * (grid.rows * knobs.tileM + grid.columns * knobs.tileN) * 4;
}

/** The GEMM knobs of a node's plain schedule, validated (internal error on a malformed one; no defaults). */
export function gemmKnobsOf(schedule: Schedule, what: string): GemmKnobs {
  const integer = (knob: string, max: number): number => {
    const value = schedule[knob];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`internal: ${what}: schedule "${schedule.kind}" needs ${knob} to be an integer in 1..${max}, got ${String(value)}`);
    }
    return value;
  };
  const vectorWidth = schedule["vectorWidth"];
  if (vectorWidth !== 1 && vectorWidth !== 4) throw new Error(`internal: ${what}: schedule "${schedule.kind}" needs vectorWidth 1 or 4, got ${String(vectorWidth)}`);
  const workgroupMemory = schedule["workgroupMemory"];
  if (typeof workgroupMemory !== "boolean") throw new Error(`internal: ${what}: schedule "${schedule.kind}" needs workgroupMemory true or false, got ${String(workgroupMemory)}`);
  const tileN = integer("tileN", MAX_TILE_N);
  if (tileN % vectorWidth !== 0) throw new Error(`internal: ${what}: schedule "${schedule.kind}" tileN ${tileN} is not a multiple of vectorWidth ${vectorWidth}`);
  return {
    tileM: integer("tileM", MAX_TILE_M),
    tileN,
    vectorWidth,
    workgroupSize: integer("workgroupSize", MAX_INVOCATIONS_PER_WORKGROUP),
    splitK: integer("splitK", MAX_SPLIT_K),
    workgroupMemory,
  };
}

/** Why the knobs cannot run on `target` (workgroup size, workgroup memory), or undefined. */
export function gemmKnobsIllegal(knobs: GemmKnobs, planes: number, target: Target): string | undefined {
  const limits = target.limits;
  const workgroup = workgroupSizeProblem(knobs.workgroupSize, target);
  if (workgroup !== undefined) return workgroup;
  const bytes = workgroupMemoryBytes(planes, knobs);
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    return `${bytes} bytes of workgroup memory is more than the ${limits.maxComputeWorkgroupStorageSize} the target allows (use smaller tiles or workgroups)`;
  }
  return undefined;
}

/** The reason shared by every GEMM kind for a conv computing a pooled output. */
export const POOLED_ILLEGAL = "computes a pooled output, which only direct does";
