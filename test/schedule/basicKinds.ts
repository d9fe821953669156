// A fixed list of schedule kinds for tests of the candidate enumeration, the cost model and explain:
// direct, im2col and the fc GEMM, so those tests do not change whenever a kind joins the registry.
import { directKind } from "../../src/schedule/kinds/direct.js";
import { gemmKind } from "../../src/schedule/kinds/gemm.js";
import { im2colKind } from "../../src/schedule/kinds/im2col.js";
import type { ScheduleKindDefinition } from "../../src/schedule/types.js";

export const BASIC_KINDS: readonly ScheduleKindDefinition[] = [directKind, im2colKind, gemmKind];
