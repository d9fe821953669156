// Elaborates `a -> b -> [c -> d] * n`: each step reads the previous step's output; the first step reads
// the chain's implicit input unless it names a value (`x -> ...`) or takes values as arguments (`add`).
import type { CallStep, Chain, RepeatStep } from "../../grammar/ast.js";
import { formatInteger } from "../ir/format.js";
import { callLayer, evalEnv, expandBlock } from "./calls.js";
import { evaluate } from "./evaluate.js";
import { LAYERS, LAYER_NAMES } from "./layers.js";
import { scheduleAnnotationOf } from "./scheduleAnnotation.js";
import { nextSequentialName } from "./sequential.js";
import { progressOf, repetitionFits, takeSteps } from "./sizeLimits.js";
import { type BodyFrame, type Elaboration, type Flow, type StepNaming, UNKNOWN } from "./state.js";
import { stepCost } from "./stepCost.js";
import { describeValue } from "./values.js";

export interface ChainResult {
  flow: Flow;
  /** Whether the chain read its implicit input (the previous statement's value). */
  usedImplicitInput: boolean;
  /** The value the chain started from, when it is only a value reference (`x`). */
  startValue?: string;
  /** Whether any layer or block was called. */
  madeLayers: boolean;
}

/** Repetition counts above this are almost certainly typos. */
const MAX_REPEAT = 10_000;

export function elaborateChain(
  state: Elaboration,
  frame: BodyFrame,
  chain: Chain,
  naming: StepNaming,
  options: { input: Flow | undefined; inRepeat: boolean },
): ChainResult {
  const result: ChainResult = { flow: UNKNOWN, usedImplicitInput: false, madeLayers: false };
  let flow: Flow | undefined;
  chain.steps.forEach((step, index) => {
    if (!takeSteps(state, stepCost(step), step.span)) {
      // A size limit was passed (and reported). Abandoned, not unused: no warnings about values it would have read.
      result.usedImplicitInput = true;
      flow = UNKNOWN;
      return;
    }
    if (index === 0 && step.kind === "call" && isValueReference(frame, step)) {
      scheduleAnnotationOf(state, step, { kind: "value" });
      flow = startFromValue(state, frame, step, options.inRepeat);
      result.startValue = chain.steps.length === 1 ? step.callee : undefined;
      return;
    }
    if (index > 0 && step.kind === "call" && isValueReference(frame, step)) {
      state.reporter.error("value-mid-chain", `\`${step.callee}\` is a value; only the first step of a chain can refer to a value`, step.calleeSpan, {
        hint: `start a new statement from it (\`${step.callee} -> ...\`), or combine values with add(...) or concat(...)`,
      });
      flow = UNKNOWN;
      return;
    }
    const takesValues = step.kind === "call" && LAYERS.get(step.callee)?.takesValues === true;
    if (takesValues && index > 0) {
      state.reporter.error("merge-mid-chain", `\`${step.kind === "call" ? step.callee : ""}\` takes its inputs from its arguments, so it must start a chain`, step.span, {
        hint: "name the value before it and pass it as an argument: `x = ...` then `add(x, y)`",
      });
      // Its arguments still count as uses, so they are not also reported as unused.
      for (const arg of step.kind === "call" ? step.args : []) evaluate(arg.value, evalEnv(state, frame));
      flow = UNKNOWN;
      return;
    }
    let input = flow;
    if (index === 0 && !takesValues) {
      input = options.input;
      result.usedImplicitInput = true;
      if (input === undefined) {
        state.reporter.error("no-input", "this layer has no input", step.span, {
          hint: frame.kind === "network" ? "declare the network's input first: `input image: 3x32x32`" : "start the chain from `in` or a named value",
        });
        input = UNKNOWN;
      }
    }
    result.madeLayers = true;
    flow = step.kind === "repeat" ? repeatStep(state, frame, step, naming, input ?? UNKNOWN) : callStep(state, frame, step, naming, input ?? UNKNOWN, index === 0);
  });
  result.flow = flow ?? UNKNOWN;
  return result;
}

/** Names listed in a hint: a file with thousands of blocks lists its first few and counts the rest. */
const MAX_NAMES_LISTED = 10;

function someNames(names: Iterable<string>, count: number): string {
  const listed: string[] = [];
  for (const name of names) {
    if (listed.length === MAX_NAMES_LISTED) break;
    listed.push(name);
  }
  return count > listed.length ? `${listed.join(", ")} and ${formatInteger(count - listed.length)} more` : listed.join(", ");
}

/** A bare word (no parens, no alias) that names a value in scope. */
export function isValueReference(frame: BodyFrame, step: CallStep): boolean {
  if (step.hasParens || step.alias !== undefined) return false;
  return frame.values.has(step.callee) || frame.later.has(step.callee) || frame.scope.lookup(step.callee)?.value.kind === "tensor";
}

function startFromValue(state: Elaboration, frame: BodyFrame, step: CallStep, inRepeat: boolean): Flow {
  if (inRepeat) {
    state.reporter.error("repeat-from-value", "a repeated chain cannot start from a named value", step.calleeSpan, {
      hint: `start the repetition after the value instead: \`${step.callee} -> [...] * n\``,
    });
    return UNKNOWN;
  }
  const value = evalEnv(state, frame).lookupValue(step.callee, step.calleeSpan) ?? frame.scope.lookup(step.callee)?.value;
  return value?.kind === "tensor" ? { node: value.node } : UNKNOWN;
}

function callStep(state: Elaboration, frame: BodyFrame, step: CallStep, naming: StepNaming, input: Flow, first: boolean): Flow {
  const { reporter } = state;
  const block = frame.file.blocks.get(step.callee);
  const spec = LAYERS.get(step.callee);
  if (block === undefined && spec === undefined) {
    if (step.callee === "in" && frame.kind === "network") {
      reporter.error("undefined-name", "`in` is only defined inside a block", step.calleeSpan, {
        hint: "in a network, refer to an input by its name",
      });
      return UNKNOWN;
    }
    if (frame.values.has(step.callee)) {
      reporter.error("not-a-layer", `\`${step.callee}\` is a value, not a layer`, step.calleeSpan, {
        hint: `refer to a value by its bare name at the start of a chain: \`${step.callee} -> ...\``,
      });
      return UNKNOWN;
    }
    const blocks = frame.file.blocks;
    reporter.error("unknown-layer", `unknown layer \`${step.callee}\``, step.calleeSpan, {
      hint: () => {
        const suggestion = reporter.closestName(step.callee, LAYER_NAMES, blocks.keys(), first && !step.hasParens ? frame.values.keys() : []);
        if (suggestion !== undefined) return `did you mean \`${suggestion}\`?`;
        return `layers are ${LAYER_NAMES.join(", ")}${blocks.size > 0 ? `; blocks are ${someNames(blocks.keys(), blocks.size)}` : ""}`;
      },
    });
    return UNKNOWN;
  }
  const name = nameStep(state, naming, step, step.callee);
  if (block !== undefined) {
    scheduleAnnotationOf(state, step, { kind: "block" });
    return expandBlock(state, frame, block, step, input, name);
  }
  return callLayer(state, frame, spec!, step, input, name);
}

function nameStep(state: Elaboration, naming: StepNaming, step: CallStep, op: string): string {
  const { names, reporter } = state;
  if (step.alias !== undefined) {
    naming.statementUsed = true;
    return names.claim(naming.prefix + step.alias, step.aliasSpan ?? step.span, reporter);
  }
  if (naming.exactName !== undefined) return names.claim(naming.exactName, step.span, reporter);
  if (naming.sequence !== undefined) return names.claim(nextSequentialName(naming.sequence), step.span, reporter);
  return baseName(state, naming, op, step.span);
}

/** The statement's name for its first layer, `statement.op` after that, `op<n>` in unnamed statements. */
function baseName(state: Elaboration, naming: StepNaming, op: string, span: CallStep["span"]): string {
  const { names, reporter } = state;
  if (naming.statement !== undefined && !naming.statementUsed) {
    naming.statementUsed = true;
    return names.claim(naming.prefix + naming.statement, span, reporter);
  }
  if (naming.statement !== undefined) return names.suffixed(`${naming.prefix}${naming.statement}.${op}`, span);
  return names.numbered(naming.prefix, op, span);
}

/**
 * `[chain] * n`: iteration i names its layers under `<base>.i.`; a one-call body is named `<base>.i`. In
 * a sequentially numbered statement the iterations' block calls just take the statement's next numbers.
 */
function repeatStep(state: Elaboration, frame: BodyFrame, step: RepeatStep, naming: StepNaming, input: Flow): Flow {
  const countValue = evaluate(step.count, evalEnv(state, frame));
  let count: number | undefined;
  if (countValue !== undefined) {
    if (countValue.kind !== "int" || countValue.value < 1 || countValue.value > MAX_REPEAT) {
      state.reporter.error("bad-repeat-count", `a repetition count must be a whole number from 1 to ${MAX_REPEAT}, got ${describeValue(countValue)}`, step.count.span, {
        hint: "write e.g. `[conv(64, 3, pad=1) -> relu] * 2`",
      });
    } else {
      count = countValue.value;
    }
  }
  const base =
    naming.sequence !== undefined ? naming.sequence.base
    : naming.exactName !== undefined ? state.names.claim(naming.exactName, step.span, state.reporter)
    : baseName(state, naming, "repeat", step.span);
  const single = step.body.steps.length === 1 && (step.body.steps[0]!.kind === "repeat" || step.body.steps[0]!.alias === undefined);
  let flow = input;
  const errorsBefore = state.reporter.errors;
  const before = progressOf(state);
  state.repeatCounts.push(count ?? 1);
  try {
    // An invalid count still elaborates the body once, so that its own mistakes are reported too.
    for (let i = 0; i < (count ?? 1); i++) {
      const iteration: StepNaming = naming.sequence !== undefined ? naming : { prefix: `${base}.${i}.`, statementUsed: false };
      if (single && naming.sequence === undefined) iteration.exactName = `${base}.${i}`;
      flow = elaborateChain(state, frame, step.body, iteration, { input: flow, inRepeat: true }).flow;
      // Iterations after one with errors would only read its unknown result (and repeat its errors).
      if (state.builder.stopped || state.reporter.errors > errorsBefore) return UNKNOWN;
      // Every iteration makes as many layers and takes as many steps as the first: the totals are known now.
      if (i === 0 && count !== undefined && !repetitionFits(state, step, count, before)) return UNKNOWN;
    }
  } finally {
    state.repeatCounts.pop();
  }
  return count === undefined ? UNKNOWN : flow;
}
