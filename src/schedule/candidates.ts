// The schedules worth trying for one workload: for each legal kind its default, then the default with
// one knob changed, then with two knobs changed, in the knob space's order. A bounded, deterministic
// walk around the default rather than the whole product of the knob spaces, which grows past what a
// tuner can time (five knobs of four values are a thousand schedules per kernel).
import type { Schedule } from "../ir/graph.js";
import { SCHEDULE_KINDS } from "./registry.js";
import type { KnobValue, ScheduleKindDefinition, Target, Workload } from "./types.js";

export const DEFAULT_CANDIDATE_LIMIT = 24;

/**
 * Legal candidate schedules of `workload` on `target`: each legal kind's default first (kinds in
 * `kinds`' order), then the variations of every kind in turns, so that every legal kind is present
 * and the limit cuts the kinds evenly. Deduplicated by scheduleText; at most `limit` schedules.
 */
export function candidateSchedules(
  workload: Workload,
  target: Target,
  kinds: readonly ScheduleKindDefinition[] = SCHEDULE_KINDS,
  limit = DEFAULT_CANDIDATE_LIMIT,
): Schedule[] {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`internal: a candidate limit of ${limit}`);
  const legal = kinds.filter((definition) => definition.ops.includes(workload.op) && definition.illegal(workload, target) === undefined);
  if (legal.length > limit) throw new Error(`internal: ${legal.length} legal kinds do not fit a candidate limit of ${limit}`);
  const perKind = legal.map((definition) => legalVariations(definition, workload, target));
  const chosen: Schedule[] = [];
  const seen = new Set<string>();
  const add = (schedule: Schedule): void => {
    const text = scheduleText(schedule);
    if (seen.has(text) || chosen.length >= limit) return;
    seen.add(text);
    chosen.push(schedule);
  };
  for (const variations of perKind) add(variations[0]!);
  for (let turn = 1; chosen.length < limit && perKind.some((variations) => turn < variations.length); turn++) {
    for (const variations of perKind) if (turn < variations.length) add(variations[turn]!);
  }
  return chosen;
}

/** The kind's default (which must be legal), then its legal one- and two-knob variations. */
function legalVariations(definition: ScheduleKindDefinition, workload: Workload, target: Target): Schedule[] {
  const base = definition.defaultSchedule(workload, target);
  if (base.kind !== definition.kind) throw new Error(`internal: ${definition.kind}'s default schedule has kind ${base.kind}`);
  const problem = definition.illegalKnobs(workload, target, base);
  if (problem !== undefined) throw new Error(`internal: ${definition.kind}'s default schedule is illegal: ${problem}`);
  const knobs = Object.keys(definition.knobs);
  const changes = (knob: string): KnobValue[] => definition.knobs[knob]!.filter((value) => value !== base[knob]);
  const variations: Schedule[] = [base];
  for (const knob of knobs) for (const value of changes(knob)) variations.push({ ...base, [knob]: value });
  for (const [index, first] of knobs.entries()) {
    for (const second of knobs.slice(index + 1)) {
      for (const a of changes(first)) for (const b of changes(second)) variations.push({ ...base, [first]: a, [second]: b });
    }
  }
  const seen = new Set<string>();
  return variations.filter((schedule) => {
    const text = scheduleText(schedule);
    if (seen.has(text)) return false;
    seen.add(text);
    return definition.illegalKnobs(workload, target, schedule) === undefined;
  });
}

/** Short names of common knobs in scheduleText, so a line stays readable. */
const KNOB_ABBREVIATIONS: Readonly<Record<string, string>> = { workgroupSize: "wg" };

/**
 * One line naming a schedule, `implicit_gemm tileM=8 tileN=16 wg=64`: the kind, then the knobs sorted
 * by name. Stable (equal schedules give equal text), so it is the tuner's cache key for a schedule.
 */
export function scheduleText(schedule: Schedule): string {
  const knobs = Object.keys(schedule)
    .filter((knob) => knob !== "kind")
    .sort()
    .map((knob) => `${KNOB_ABBREVIATIONS[knob] ?? knob}=${String(schedule[knob])}`);
  return [schedule.kind, ...knobs].join(" ");
}
