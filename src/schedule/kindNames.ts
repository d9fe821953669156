// The names of the schedule kinds, as the user writes them (`--schedule winograd`, `@winograd` in a
// `.cnn` file). The parser and the CLI check names against this list without loading the kind
// definitions; the registry (registry.ts) defines one kind per name, in this order.
export const SCHEDULE_KIND_NAMES = ["direct", "im2col", "implicit_gemm", "winograd", "gemm"] as const;

export type ScheduleKindName = (typeof SCHEDULE_KIND_NAMES)[number];

export function isScheduleKindName(name: string): name is ScheduleKindName {
  return (SCHEDULE_KIND_NAMES as readonly string[]).includes(name);
}
