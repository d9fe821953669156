// The default choice of a schedule when nothing is forced or tuned: the rule cnnc has used so far,
// through the kind registry (the cost model, src/schedule/costModel.ts, replaces it).
import type { Schedule } from "../ir/graph.js";
import { pooledWindowCells } from "./pooledText.js";
import { kindsForWorkload } from "./registry.js";
import type { Target, Workload } from "./types.js";

export interface DefaultChoice {
  schedule: Schedule;
  /** Why, for `cnnc explain`: `im2col: default rule (a reduction of 27 >= 16 ...)`. */
  reason: string;
}

/**
 * The rule: im2col + GEMM wins when the reduction (C/groups * KH * KW) is long enough for the GEMM's
 * register tile to pay for writing and re-reading the column matrix, and there are enough filters per
 * group to fill a tile; grouped/depthwise and tiny reductions, and pooled outputs, run direct; fc runs
 * as a GEMM. Undefined when no kind computes the workload on `target`.
 */
export function chooseByRule(workload: Workload, target: Target): DefaultChoice | undefined {
  const legal = kindsForWorkload(workload, target).filter((entry) => entry.illegal === undefined);
  const pick = (kind: string, reason: string): DefaultChoice | undefined => {
    const definition = legal.find((entry) => entry.definition.kind === kind)?.definition;
    return definition === undefined ? undefined : { schedule: definition.defaultSchedule(workload, target), reason: `${kind}: ${reason}` };
  };
  if (workload.op === "fc") return pick("gemm", "the fc GEMM (the only fc schedule)");
  if (workload.op !== "conv") {
    const only = legal[0]?.definition.kind;
    return only === undefined ? undefined : pick(only, "the first legal kind");
  }
  if (workload.pooled !== "") {
    const direct = pick("direct", "it computes a pooled output, which only the direct kernel does");
    return direct === undefined ? undefined : { ...direct, reason: `${direct.reason} (${blockText(direct.schedule, pooledWindowCells(workload.pooled))})` };
  }
  const conv = workload.conv;
  const reduction = (conv.C / conv.groups) * conv.KH * conv.KW;
  const filters = conv.K / conv.groups;
  if (reduction >= 16 && filters >= 8) {
    const im2col = pick("im2col", `default rule (a reduction of ${reduction} >= 16 and ${filters} filters per group >= 8 fill the GEMM's tile)`);
    return im2col ?? pick("direct", "default rule (im2col would fit, but it cannot run this kernel here)");
  }
  const small = reduction < 16 ? `a reduction of ${reduction} < 16` : `${filters} filters per group < 8`;
  return pick("direct", `default rule (${small} is too small for the GEMM's tile)`);
}

function blockText(schedule: Schedule, windowCells: number): string {
  const channels = String(schedule["outputChannelsPerInvocation"]);
  return `${channels} channels x ${String(schedule["pixelsPerInvocation"])} pooled pixels of ${windowCells} conv pixels each per invocation`;
}
