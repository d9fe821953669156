// The size limits of elaboration: the layers a network may have, and the steps elaboration may take to
// expand it (a repeated block that makes no layers takes steps too, so no nesting of repetitions and
// blocks runs unboundedly). Passing one is an error that names the limit and what the source would
// have produced, never a silently shortened network; after it elaboration stops expanding
// (GraphBuilder.stopped), so that even `[[[[relu] * 1000] * 1000] * 1000] * 1000` fails at once.
import type { RepeatStep, SourceSpan } from "../../grammar/ast.js";
import { WHOLE_NUMBER_LIMIT, countOf, formatInteger, inexactCount } from "../ir/format.js";
import type { NodeFacts } from "../ir/shapes/result.js";
import { MAX_LAYERS } from "./graphBuilder.js";
import type { Elaboration } from "./state.js";

/**
 * Elaboration may take at most this many steps (see stepCost): a few seconds, and several times what
 * a network of MAX_LAYERS layers written with blocks takes.
 */
export const MAX_ELABORATION_STEPS = 2_000_000;

const LIMIT_HINT = "check the repetition counts (`[...] * n`), the blocks they repeat and the length of the chains";

const STEP_NOTE =
  "a step is a statement, a call or a repetition, plus one per part of its expressions; repeating a block takes steps even when it makes no layers";

interface Limit {
  code: string;
  unit: "layer" | "step";
  /** `this repetition makes 20 x 5,001 = 100,020 layers: a network may have at most 100,000`. */
  verb: string;
  atMost: string;
  /** `with the 3 layers before it, the network would have 100,023`. */
  whole: string;
}

const LAYER_LIMIT: Limit = {
  code: "network-too-large",
  unit: "layer",
  verb: "makes",
  atMost: `a network may have at most ${formatInteger(MAX_LAYERS)}`,
  whole: "the network would have",
};

const STEP_LIMIT: Limit = {
  code: "elaboration-too-long",
  unit: "step",
  verb: "takes",
  atMost: `elaboration may take at most ${formatInteger(MAX_ELABORATION_STEPS)}`,
  whole: "elaboration would take",
};

/** Whether one more layer fits; the first step that does not fit reports it and stops elaboration. */
export function hasRoom(state: Elaboration, span: SourceSpan): boolean {
  const { builder } = state;
  if (builder.stopped) return false;
  if (builder.layerCount < MAX_LAYERS) return true;
  builder.stopped = true;
  state.reporter.error(LAYER_LIMIT.code, `this would be layer ${formatInteger(MAX_LAYERS + 1)}: ${LAYER_LIMIT.atMost} layers`, span, {
    notes: enclosingNote(state.repeatCounts),
    hint: LIMIT_HINT,
  });
  return false;
}

/**
 * Counts `steps` more steps of elaboration, for the statement or step at `span`. Returns whether
 * elaboration goes on: false once a limit has stopped it, or when these steps pass
 * MAX_ELABORATION_STEPS (reported here, and elaboration stops).
 */
export function takeSteps(state: Elaboration, steps: number, span: SourceSpan): boolean {
  if (state.builder.stopped) return false;
  state.steps += steps;
  if (state.steps <= MAX_ELABORATION_STEPS) return true;
  state.builder.stopped = true;
  state.reporter.error(STEP_LIMIT.code, `elaboration passes its limit of ${countOf(MAX_ELABORATION_STEPS, "step")} here`, span, {
    notes: [STEP_NOTE, ...enclosingNote(state.repeatCounts)],
    hint: LIMIT_HINT,
  });
  return false;
}

/** How far elaboration has got: layers made and steps taken. */
export interface Progress {
  layers: number;
  steps: number;
}

export function progressOf(state: Elaboration): Progress {
  return { layers: state.builder.layerCount, steps: state.steps };
}

/**
 * Called after the first iteration of `[...] * count`, which started at `before`: every iteration
 * makes as many layers and takes as many steps as the first, so the totals are known before
 * expanding the rest. Reports the repetition when the whole would pass a limit; returns whether it fits.
 */
export function repetitionFits(state: Elaboration, step: RepeatStep, count: number, before: Progress): boolean {
  const perIteration: Progress = { layers: state.builder.layerCount - before.layers, steps: state.steps - before.steps };
  if (before.layers + perIteration.layers * count > MAX_LAYERS) {
    reportRepetition(state, step, count, perIteration.layers, before.layers, LAYER_LIMIT);
    return false;
  }
  if (before.steps + perIteration.steps * count > MAX_ELABORATION_STEPS) {
    reportRepetition(state, step, count, perIteration.steps, before.steps, STEP_LIMIT);
    return false;
  }
  return true;
}

function reportRepetition(state: Elaboration, step: RepeatStep, count: number, perIteration: number, before: number, limit: Limit): void {
  state.builder.stopped = true;
  const made = BigInt(perIteration) * BigInt(count);
  const notes = before > 0 ? [`with the ${countOf(before, limit.unit)} before it, ${limit.whole} ${formatInteger(BigInt(before) + made)}`] : [];
  // The stack's last entry is this repetition itself.
  for (const note of enclosingNote(state.repeatCounts.slice(0, -1), made, limit.unit)) notes.push(note);
  if (limit.unit === "step") notes.push(STEP_NOTE);
  state.reporter.error(
    limit.code,
    `this repetition ${limit.verb} ${formatInteger(perIteration)} x ${formatInteger(count)} = ${countOf(made, limit.unit)}: ${limit.atMost}`,
    step.span,
    { notes, hint: LIMIT_HINT },
  );
}

/** What the repetitions around a step multiply it by. */
function enclosingNote(enclosing: readonly number[], made = 1n, unit = "layer"): string[] {
  if (enclosing.length === 0) return [];
  const times = enclosing.reduce((product, count) => product * BigInt(count), 1n);
  const total = made === 1n ? "" : `: ${countOf(made * times, unit)} in all`;
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
