// The size limits of elaboration. Passing one is an error that names the limit and what the source
// would have produced, never a silently shortened network; after it elaboration stops expanding
// (GraphBuilder.stopped), so that even `[[[[relu] * 1000] * 1000] * 1000] * 1000` fails at once.
import type { RepeatStep, SourceSpan } from "../../grammar/ast.js";
import { WHOLE_NUMBER_LIMIT, countOf, formatInteger, inexactCount } from "../ir/format.js";
import type { NodeFacts } from "../ir/shapes/result.js";
import { MAX_LAYERS } from "./graphBuilder.js";
import type { Elaboration } from "./state.js";

const LIMIT_HINT = "check the repetition counts (`[...] * n`), the blocks they repeat and the length of the chains";

/** Whether one more layer fits; the first step that does not fit reports it and stops elaboration. */
export function hasRoom(state: Elaboration, span: SourceSpan): boolean {
  const { builder } = state;
  if (builder.stopped) return false;
  if (builder.layerCount < MAX_LAYERS) return true;
  builder.stopped = true;
  state.reporter.error("network-too-large", `this would be layer ${formatInteger(MAX_LAYERS + 1)}: a network may have at most ${countOf(MAX_LAYERS, "layer")}`, span, {
    notes: enclosingNote(state.repeatCounts),
    hint: LIMIT_HINT,
  });
  return false;
}

/**
 * Called after the first iteration of `[...] * count`, which made `perIteration` layers (every
 * iteration makes as many) on top of `layersBefore`: reports the repetition, before expanding the
 * rest, when the whole would pass the limit. Returns whether it fits.
 */
export function repetitionFits(state: Elaboration, step: RepeatStep, count: number, perIteration: number, layersBefore: number): boolean {
  const made = perIteration * count;
  if (layersBefore + made <= MAX_LAYERS) return true;
  state.builder.stopped = true;
  const notes = layersBefore > 0 ? [`with the ${countOf(layersBefore, "layer")} before it, the network would have ${formatInteger(layersBefore + made)}`] : [];
  // The stack's last entry is this repetition itself.
  notes.push(...enclosingNote(state.repeatCounts.slice(0, -1), BigInt(made)));
  state.reporter.error(
    "network-too-large",
    `this repetition makes ${formatInteger(perIteration)} x ${formatInteger(count)} = ${formatInteger(made)} layers: a network may have at most ${formatInteger(MAX_LAYERS)}`,
    step.span,
    { notes, hint: LIMIT_HINT },
  );
  return false;
}

/** What the repetitions around a step multiply it by. */
function enclosingNote(enclosing: readonly number[], made = 1n): string[] {
  if (enclosing.length === 0) return [];
  const times = enclosing.reduce((product, count) => product * BigInt(count), 1n);
  const total = made === 1n ? "" : `: ${countOf(made * times, "layer")} in all`;
  return [`it is repeated ${enclosing.map(formatInteger).join(" x ")} times by the repetitions around it${total}`];
}

/**
 * The network's totals must stay exact (a double holds whole numbers exactly up to 2^53), as each
 * layer's own counts do (shapeOk in ir/shapes checks those): the summary and every memory estimate
 * add them up. The layer that takes a total past the limit is reported.
 */
export function totalsStayCountable(state: Elaboration, facts: NodeFacts, span: SourceSpan): boolean {
  const { builder } = state;
  const totals: [string, number][] = [
    ["parameters", builder.paramTotal + facts.paramCount],
    ["multiply-accumulates per sample", builder.macTotal + facts.macs],
    ["activations per sample", builder.activationTotal + facts.activations],
  ];
  const uncountable = totals.find(([, count]) => !Number.isSafeInteger(count));
  if (uncountable === undefined) return true;
  const [what, count] = uncountable;
  state.reporter.error("count-too-large", `with this layer the network has ${inexactCount(count, what)}`, span, {
    notes: [WHOLE_NUMBER_LIMIT],
    hint: "use smaller sizes (fewer channels or features, a smaller input)",
  });
  return false;
}
