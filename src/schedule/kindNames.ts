// The names of the schedule kinds a user writes (`--schedule winograd`, `@winograd` in a `.cnn` file):
// the registry's kinds that compute a layer's own kernel (conv or fc), in the registry's order. The
// backward GEMMs of training follow from their layer's kernels and are not named by users.
import { SCHEDULE_KINDS } from "./registry.js";

export const SCHEDULE_KIND_NAMES: readonly string[] = SCHEDULE_KINDS.filter((definition) =>
  definition.ops.some((op) => op === "conv" || op === "fc"),
).map((definition) => definition.kind);

export function isScheduleKindName(name: string): boolean {
  return SCHEDULE_KIND_NAMES.includes(name);
}
