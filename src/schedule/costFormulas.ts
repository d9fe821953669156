// What each schedule kind does to compute a workload, counted: launches, useful and padded FLOPs,
// bytes moved (reads including the re-reads a register tile implies, writes, scratch round trips),
// invocations and workgroup barrier steps. One table keyed by kind; the cost model (costModel.ts)
// weighs these counts with calibrated coefficients. Every workload is seen as grouped GEMMs
// (M outputs x N columns, a reduction of R), which is what each kernel computes, however it loads.
import type { Schedule } from "../ir/graph.js";
import { pooledWindowCells } from "./pooledText.js";
import type { ScheduleKindDefinition, Workload } from "./types.js";

export interface WorkCounts {
  launches: number;
  flops: number;
  /** FLOPs including the padding of partial register tiles. */
  paddedFlops: number;
  /** Every byte moved, operands' reads into registers included. */
  bytes: number;
  /**
   * The bytes of `bytes` that the register tiles read from the operands, re-reads included: of the
   * M x R operand (weights, read along the rows of the GEMM) and of the R x N operand (inputs or
   * columns, read along its columns), which each kind addresses differently.
   */
  rowOperandBytes: number;
  columnOperandBytes: number;
  /**
   * Bytes of the storage the R x N operand is read from (the input, or im2col's column matrix): when
   * it outgrows the target's cache, its re-reads come from memory (costModel.ts's spilled bytes).
   */
  columnOperandFootprint: number;
  /** The bytes of `bytes` that store the result. */
  outputBytes: number;
  invocations: number;
  barrierSteps: number;
  /** The share of the register tiles' work that is padding past the matrix edges. */
  wasteFraction: number;
}

/** A workload as `groups` GEMMs of M x N with a reduction of R, and the bytes of its operands and result. */
export interface GemmView {
  groups: number;
  M: number;
  N: number;
  R: number;
  /** Bytes of the result written. */
  outputBytes: number;
  /** Bytes of the tensor the R x N operand is read from. */
  columnSourceBytes: number;
}

const FLOAT_BYTES = 4;
/**
 * The reduction depth a workgroup-memory schedule stages between two barriers: an assumption of the
 * model (each step loads a tile slice, barriers, accumulates, barriers), not a knob of any kind.
 */
export const WORKGROUP_REDUCTION_STEP = 8;

export function gemmView(workload: Workload): GemmView {
  const f = FLOAT_BYTES;
  if (workload.op === "fc") {
    return { groups: 1, M: workload.outFeatures, N: workload.batch, R: workload.inFeatures, outputBytes: f * workload.outFeatures * workload.batch, columnSourceBytes: f * workload.batch * workload.inFeatures };
  }
  if (workload.op === "fc_backward_data") {
    return { groups: 1, M: workload.inFeatures, N: workload.batch, R: workload.outFeatures, outputBytes: f * workload.inFeatures * workload.batch, columnSourceBytes: f * workload.batch * workload.outFeatures };
  }
  if (workload.op === "fc_backward_weight") {
    return { groups: 1, M: workload.outFeatures, N: workload.inFeatures, R: workload.batch, outputBytes: f * workload.outFeatures * workload.inFeatures, columnSourceBytes: f * workload.batch * workload.inFeatures };
  }
  const c = workload.conv;
  const window = c.KH * c.KW;
  const inputBytes = f * c.batch * c.C * c.H * c.W;
  if (workload.op === "conv_backward_data") {
    return { groups: c.groups, M: c.C / c.groups, N: c.batch * c.H * c.W, R: (c.K / c.groups) * window, outputBytes: inputBytes, columnSourceBytes: f * c.batch * c.K * c.OH * c.OW };
  }
  if (workload.op === "conv_backward_filter") {
    return { groups: c.groups, M: c.K / c.groups, N: (c.C / c.groups) * window, R: c.batch * c.OH * c.OW, outputBytes: f * c.K * (c.C / c.groups) * window, columnSourceBytes: inputBytes };
  }
  const cells = pooledWindowCells(workload.pooled);
  const outputs = c.batch * c.K * c.OH * c.OW;
  return { groups: c.groups, M: c.K / c.groups, N: c.batch * c.OH * c.OW, R: (c.C / c.groups) * window, outputBytes: (f * outputs) / cells, columnSourceBytes: inputBytes };
}


/** A register-tiled GEMM: each invocation holds a tileM x tileN block and reads its rows and columns of each operand. */
function tiledGemm(view: GemmView, tileM: number, tileN: number, splitK: number, workgroupMemory: boolean, workgroupSize: number): WorkCounts {
  const blocksM = Math.ceil(view.M / tileM);
  const blocksN = Math.ceil(view.N / tileN);
  const tiles = view.groups * blocksM * blocksN;
  const invocations = tiles * splitK;
  // Sharing through workgroup memory: a workgroup's tiles read each operand once per row/column of
  // tiles instead of once per tile (a square arrangement of its invocations).
  const sharing = workgroupMemory ? Math.sqrt(workgroupSize) : 1;
  const rowOperandBytes = (FLOAT_BYTES * tiles * tileM * view.R) / sharing;
  const columnOperandBytes = (FLOAT_BYTES * tiles * tileN * view.R) / sharing;
  const partials = splitK > 1 ? 2 * FLOAT_BYTES * splitK * view.groups * view.M * view.N : 0;
  const workgroups = Math.ceil(invocations / workgroupSize);
  return {
    launches: splitK > 1 ? 2 : 1,
    flops: 2 * view.groups * view.M * view.N * view.R,
    paddedFlops: 2 * tiles * tileM * tileN * view.R,
    bytes: rowOperandBytes + columnOperandBytes + view.outputBytes + partials,
    rowOperandBytes,
    columnOperandBytes,
    columnOperandFootprint: view.columnSourceBytes,
    outputBytes: view.outputBytes,
    invocations,
    barrierSteps: workgroupMemory ? 2 * workgroups * Math.ceil(view.R / splitK / WORKGROUP_REDUCTION_STEP) : 0,
    wasteFraction: 1 - (view.groups * view.M * view.N) / (tiles * tileM * tileN),
  };
}

/**
 * A knob's number. A knob the kind declares must be on the schedule (an internal error otherwise);
 * a knob it does not declare is off (`off`), so a formula serves kinds with and without, say, split-K.
 */
function numberKnob(definition: ScheduleKindDefinition, schedule: Schedule, knob: string, off?: number): number {
  const value = schedule[knob];
  if (!(knob in definition.knobs) && off !== undefined) return off;
  if (typeof value !== "number" || !(value > 0)) throw new Error(`internal: the cost model needs ${schedule.kind}'s ${knob}, got ${String(value)}`);
  return value;
}

function booleanKnob(definition: ScheduleKindDefinition, schedule: Schedule, knob: string): boolean {
  if (!(knob in definition.knobs)) return false;
  const value = schedule[knob];
  if (typeof value !== "boolean") throw new Error(`internal: the cost model needs ${schedule.kind}'s ${knob} as a boolean, got ${String(value)}`);
  return value;
}

/** The GEMM knobs every GEMM-like kind may have: tileM x tileN register tile, split-K, workgroup memory. */
function gemmKnobs(definition: ScheduleKindDefinition, schedule: Schedule, view: GemmView, tileKnobs: [string, string]): WorkCounts {
  return tiledGemm(
    view,
    numberKnob(definition, schedule, tileKnobs[0]),
    numberKnob(definition, schedule, tileKnobs[1]),
    numberKnob(definition, schedule, "splitK", 1),
    booleanKnob(definition, schedule, "workgroupMemory"),
    numberKnob(definition, schedule, "workgroupSize"),
  );
}

type CostFormula = (workload: Workload, schedule: Schedule, definition: ScheduleKindDefinition) => WorkCounts;

const COST_FORMULAS: Readonly<Record<string, CostFormula>> = {
  // Each invocation: a block of output channels x output pixels, reading their weights and windows.
  direct: (workload, schedule, definition) => {
    const view = gemmView(workload);
    const cells = workload.op === "conv" ? pooledWindowCells(workload.pooled) : 1;
    return tiledGemm(
      view,
      numberKnob(definition, schedule, "outputChannelsPerInvocation"),
      numberKnob(definition, schedule, "pixelsPerInvocation") * cells,
      1,
      false,
      numberKnob(definition, schedule, "workgroupSize"),
    );
  },
  // The column matrix (groups x R x N) is written by one kernel and read back by the GEMM's tiles.
  im2col: (workload, schedule, definition) => {
    const view = gemmView(workload);
    const gemm = gemmKnobs(definition, schedule, view, ["tileM", "tileN"]);
    const columnBytes = FLOAT_BYTES * view.groups * view.R * view.N;
    return {
      ...gemm,
      launches: gemm.launches + 1,
      bytes: gemm.bytes + 2 * columnBytes,
      invocations: gemm.invocations + view.groups * view.R * view.N,
      columnOperandFootprint: columnBytes,
    };
  },
  implicit_gemm: (workload, schedule, definition) => gemmKnobs(definition, schedule, gemmView(workload), ["tileM", "tileN"]),
  // fc (and a 1x1 conv) as a GEMM; today's fc kind names its tile outputsPerInvocation x rowsPerInvocation.
  gemm: (workload, schedule, definition) =>
    gemmKnobs(definition, schedule, gemmView(workload), "tileM" in definition.knobs ? ["tileM", "tileN"] : ["outputsPerInvocation", "rowsPerInvocation"]),
  // F(2x2,3x3): 16 GEMMs of K x tiles with a reduction of C/groups, over 2x2 output tiles; the input
  // transform reads each 4x4 input patch, the output transform writes each 2x2 output block.
  winograd: (workload, schedule, definition) => {
    if (workload.op !== "conv") throw new Error(`internal: winograd's cost asked for a ${workload.op} workload`);
    const c = workload.conv;
    const tiles = c.batch * Math.ceil(c.OH / 2) * Math.ceil(c.OW / 2);
    const view: GemmView = { groups: 16 * c.groups, M: c.K / c.groups, N: tiles, R: c.C / c.groups, outputBytes: 0, columnSourceBytes: gemmView(workload).columnSourceBytes };
    const gemm = gemmKnobs(definition, schedule, view, ["tileM", "tileN"]);
    const transformFlops = tiles * (c.C * 16 * 8 + c.K * 16 * 6);
    return {
      ...gemm,
      flops: 2 * c.batch * c.K * c.OH * c.OW * (c.C / c.groups) * 9,
      paddedFlops: gemm.paddedFlops + transformFlops,
      bytes: gemm.bytes + gemmView(workload).outputBytes,
      outputBytes: gemmView(workload).outputBytes,
    };
  },
};

/** The counts of `schedule` computing `workload`; a kind without a formula is an internal error the integrator sees. */
export function workCounts(workload: Workload, schedule: Schedule, definition: ScheduleKindDefinition): WorkCounts {
  const formula = COST_FORMULAS[schedule.kind];
  if (formula === undefined) throw new Error(`internal: the cost model has no formula for schedule kind "${schedule.kind}" (add one to COST_FORMULAS in src/schedule/costFormulas.ts)`);
  if (definition.kind !== schedule.kind) throw new Error(`internal: ${schedule.kind} schedule costed with ${definition.kind}'s definition`);
  return formula(workload, schedule, definition);
}
