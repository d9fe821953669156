// What the conv and fc generators need of a kernel's schedule: the typed form of the schedule
// choose-schedules put on the node (src/passes/chooseSchedules.ts), validated by its kind's file
// under src/schedule/kinds/. Codegen never applies a default: a node without a schedule is a bug.
import type { ConvAttrs, Node, Schedule } from "../ir/graph.js";
import { directScheduleOf, type DirectConvSchedule } from "../schedule/kinds/direct.js";
import { gemmScheduleOf, type GemmSchedule } from "../schedule/kinds/gemm.js";
import { im2colScheduleOf, type Im2colConvSchedule } from "../schedule/kinds/im2col.js";
import { implicitGemmScheduleOf, type ImplicitGemmSchedule } from "../schedule/kinds/implicitGemm.js";
import { winogradScheduleOf, type WinogradSchedule } from "../schedule/kinds/winograd.js";

/** fc, and 1x1 stride-1 unpadded ungrouped convs, as a plain GEMM. */
export type FcSchedule = GemmSchedule;

export type ConvSchedule = DirectConvSchedule | Im2colConvSchedule | ImplicitGemmSchedule | WinogradSchedule | GemmSchedule;
export type ConvScheduleKind = ConvSchedule["kind"];

/** The node's conv schedule, validated; internal error when choose-schedules gave it none. */
export function convScheduleOf(node: Node, attrs: ConvAttrs): ConvSchedule {
  const schedule = node.schedule;
  const what = `conv ${node.name}`;
  if (schedule === undefined) throw new Error(`internal: ${what} has no schedule (choose-schedules sets one on every conv kernel)`);
  if (attrs.groups < 1) throw new Error(`internal: ${what} has ${attrs.groups} groups`);
  if (schedule.kind === "direct") return directScheduleOf(schedule, what);
  if (schedule.kind === "im2col") return im2colScheduleOf(schedule, what);
  if (schedule.kind === "implicit_gemm") return implicitGemmScheduleOf(schedule, what);
  if (schedule.kind === "winograd") return winogradScheduleOf(schedule, what);
  if (schedule.kind === "gemm") return gemmScheduleOf(schedule, what);
  throw new Error(`internal: ${what}: no conv generator for schedule kind "${schedule.kind}"`);
}

/** The node's fc schedule, validated; internal error when choose-schedules gave it none. */
export function fcScheduleOf(node: Node): FcSchedule {
  const schedule = node.schedule;
  const what = `fc ${node.name}`;
  if (schedule === undefined) throw new Error(`internal: ${what} has no schedule (choose-schedules sets one on every fc kernel)`);
  return gemmScheduleOf(schedule, what);
}

/** Human-readable schedule for kernel header comments. */
export function describeSchedule(schedule: Schedule | ConvSchedule | FcSchedule): string {
  return Object.entries(schedule)
    .map(([key, value]) => (key === "kind" ? String(value) : `${key}=${String(value)}`))
    .join(" ");
}
