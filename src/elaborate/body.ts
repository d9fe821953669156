// Elaborates the statements of a network body or of one block instance: constants, inputs and
// `name = chain` statements, threading the implicit input from statement to statement, and warns about
// named values and results that nothing reads.
import type { BodyStmt, InputStmt, LayerStmt, OutputsStmt } from "../../grammar/ast.js";
import { countOf } from "../ir/format.js";
import { inferInputShape } from "../ir/shapes/input.js";
import { elaborateChain } from "./chain.js";
import { defineConstant } from "./definitions.js";
import { evaluate } from "./evaluate.js";
import { elaborateOutputs } from "./outputs.js";
import { formatLocation } from "./reporter.js";
import { takeSteps, totalsStayCountable } from "./sizeLimits.js";
import { isSequential } from "./sequential.js";
import { type BodyFrame, type Elaboration, type Flow, type StepNaming, UNKNOWN } from "./state.js";
import { stepCost } from "./stepCost.js";
import { describeValue } from "./values.js";

/**
 * Returns the body's output (its last statement's value), or undefined when it has no statement. A
 * network's `outputs` statement, when it has one, leaves the values it names in `frame.declaredOutputs`.
 */
export function elaborateBody(state: Elaboration, frame: BodyFrame, body: BodyStmt[]): Flow | undefined {
  reserveExplicitNames(state, frame, body);
  for (const stmt of body) {
    if ((stmt.kind === "input" || stmt.kind === "layer") && stmt.name !== undefined && !frame.later.has(stmt.name)) {
      frame.later.set(stmt.name, stmt.nameSpan ?? stmt.span);
    }
  }
  let lastValueName: string | undefined;
  let hasValue = false;
  let outputsStmt: OutputsStmt | undefined;
  let reportedAfterOutputs = false;
  for (const stmt of body) {
    // A size limit was passed (and reported): the rest is abandoned, and nothing in it is "unused".
    if (!takeSteps(state, stepCost(stmt), stmt.span)) return UNKNOWN;
    if (stmt.kind === "const") {
      defineConstant(stmt, { scope: frame.scope }, undefined, state.reporter);
      continue;
    }
    if (outputsStmt !== undefined && !reportedAfterOutputs) {
      reportAfterOutputs(state, outputsStmt, stmt);
      reportedAfterOutputs = true;
    }
    if (stmt.kind === "outputs") {
      if (outputsStmt === undefined) {
        dropPendingResult(state, frame);
        const nodes = elaborateOutputs(state, frame, stmt);
        if (nodes !== undefined) frame.declaredOutputs = nodes;
        lastValueName = undefined;
        outputsStmt = stmt;
      }
      continue;
    }
    if (stmt.name !== undefined) frame.later.delete(stmt.name);
    if (stmt.kind === "input") elaborateInput(state, frame, stmt);
    else elaborateStatement(state, frame, stmt);
    hasValue = true;
    lastValueName = stmt.name;
  }
  for (const [name, value] of frame.values) {
    if (value.used || value.kind === "in" || name === lastValueName) continue;
    const what = value.kind === "input" ? "input" : "value";
    state.reporter.warning("unused-value", `${what} \`${name}\` is never used`, value.span, {
      hint: value.kind === "input" ? "remove the input or start a chain from it" : `refer to it (e.g. \`${name} -> ...\` or \`add(${name}, ...)\`), or remove it`,
    });
  }
  return hasValue ? frame.current : undefined;
}

/** `outputs` closes a network: a statement after it would compute a value that is not returned. */
function reportAfterOutputs(state: Elaboration, outputs: OutputsStmt, stmt: Exclude<BodyStmt, { kind: "const" }>): void {
  const notes = [`\`outputs\` is at ${formatLocation(outputs.span)}`];
  if (stmt.kind === "outputs") {
    state.reporter.error("duplicate-outputs", "the network lists its outputs twice", stmt.span, { notes, hint: "merge them into one `outputs a, b, ...`" });
    return;
  }
  // `outputs a b` parses as `outputs a` and a statement `b`: most likely a missing comma.
  const step = stmt.kind === "layer" && stmt.name === undefined && stmt.chain.steps.length === 1 ? stmt.chain.steps[0] : undefined;
  const bareWord = step?.kind === "call" && !step.hasParens && stmt.span.startLine === outputs.span.endLine;
  const hint = bareWord ? `separate the names with ',': \`outputs ${outputs.names.map((each) => each.name).join(", ")}, ${step.callee}\`` : "put `outputs` last, after every value of the network";
  state.reporter.error("outputs-not-last", "a statement after `outputs`", stmt.span, { notes, hint });
}

/** Names a statement spells out (statement names, top-level aliases) are kept free of automatic names. */
function reserveExplicitNames(state: Elaboration, frame: BodyFrame, body: BodyStmt[]): void {
  for (const stmt of body) {
    if (stmt.kind === "const" || stmt.kind === "outputs") continue;
    if (stmt.name !== undefined) state.names.reserve(frame.prefix + stmt.name);
    if (stmt.kind !== "layer") continue;
    for (const step of stmt.chain.steps) {
      if (step.kind === "call" && step.alias !== undefined) state.names.reserve(frame.prefix + step.alias);
    }
  }
}

function defineValueName(state: Elaboration, frame: BodyFrame, name: string, span: InputStmt["nameSpan"]): boolean {
  const previous = frame.values.get(name);
  const constant = frame.scope.lookup(name);
  if (previous !== undefined || constant !== undefined || name === "in") {
    const first = previous?.span ?? constant?.span;
    state.reporter.error("duplicate-name", `\`${name}\` is already defined`, span, {
      notes: first !== undefined ? [`first defined at ${formatLocation(first)}`] : ["`in` is the input of a block"],
      hint: "give this value another name",
    });
    return false;
  }
  return true;
}

function elaborateInput(state: Elaboration, frame: BodyFrame, stmt: InputStmt): void {
  const { reporter } = state;
  dropPendingResult(state, frame);
  if (frame.kind === "block") {
    reporter.error("input-in-block", "a block cannot declare an input", stmt.span, {
      hint: "a block reads its input as `in`; declare inputs in the network",
    });
    return;
  }
  if (!defineValueName(state, frame, stmt.name, stmt.nameSpan)) return;
  const value = evaluate(stmt.dims, { scope: frame.scope, reporter, lookupValue: () => undefined });
  let flow: Flow = UNKNOWN;
  if (value !== undefined) {
    const sizes =
      value.kind === "int" ? [value.value] : value.kind === "dims" ? value.values : value.kind === "list" && value.items.every((i) => i.kind === "int") ? value.items.map((i) => (i.kind === "int" ? i.value : 0)) : undefined;
    if (sizes === undefined) {
      reporter.error("bad-input-shape", `an input shape must be sizes like 3x224x224, got ${describeValue(value)}`, stmt.dims.span, {
        hint: "write CxHxW for images (3x224x224), CxL for sequences (5x7) or F for feature vectors",
      });
    } else {
      const result = inferInputShape(sizes);
      if (!result.ok) reporter.error(result.problem.code, result.problem.message, stmt.dims.span, result.problem);
      else if (totalsStayCountable(state, result.facts, stmt.dims.span)) {
        warnIfChannelsLast(state, stmt, sizes);
        const name = state.names.claim(frame.prefix + stmt.name, stmt.nameSpan, reporter);
        flow = { node: state.builder.add(name, { op: "input" }, [], result.facts, stmt.span) };
      }
    }
  }
  frame.values.set(stmt.name, { flow, span: stmt.nameSpan, kind: "input", used: false });
  frame.current = flow;
  frame.currentName = stmt.name;
  frame.pendingResult = undefined;
}

/** Image channels as they come: gray, RGB, RGBA. */
const IMAGE_CHANNELS = [1, 3, 4];

/**
 * `input image: 32x32x3` is almost always an HxWxC image written in the wrong order: the last size is
 * an image's channel count while the first two look like a (roughly square) height and width. Read
 * as CxHxW it would be 32 channels of 32x3 pixels, so say how to write it.
 */
function warnIfChannelsLast(state: Elaboration, stmt: InputStmt, sizes: readonly number[]): void {
  if (sizes.length !== 3) return;
  const [height, width, channels] = sizes as [number, number, number];
  const spatial = height >= 8 && width >= 8 && Math.max(height, width) <= 4 * Math.min(height, width);
  if (!spatial || !IMAGE_CHANNELS.includes(channels)) return;
  const written = `${channels}x${height}x${width}`;
  state.reporter.warning("channels-last-input", `input \`${stmt.name}\` looks channels-last: ${sizes.join("x")} reads as ${height} channels of ${width}x${channels} pixels`, stmt.dims.span, {
    notes: ["inputs are channels x height x width (CxHxW), as in PyTorch"],
    hint: `if this is a ${height}x${width} image with ${countOf(channels, "channel")}, write \`input ${stmt.name}: ${written}\``,
  });
}

function elaborateStatement(state: Elaboration, frame: BodyFrame, stmt: LayerStmt): void {
  const named = stmt.name !== undefined && defineValueName(state, frame, stmt.name, stmt.nameSpan ?? stmt.span);
  // A rejected name would only produce a second, duplicate-layer-name error: name the layers as if unnamed.
  const naming: StepNaming = { prefix: frame.prefix, statement: named ? stmt.name : undefined, statementUsed: false };
  if (named && stmt.name !== undefined && isSequential(frame, stmt.chain)) {
    // The statement's name is the container (as nn.Sequential's attribute): claimed, so nothing else takes it.
    const base = state.names.claim(frame.prefix + stmt.name, stmt.nameSpan ?? stmt.span, state.reporter);
    naming.sequence = { base, next: 0 };
  }
  const result = elaborateChain(state, frame, stmt.chain, naming, { input: frame.current, inRepeat: false });
  if (result.usedImplicitInput) {
    if (frame.currentName !== undefined) {
      const source = frame.values.get(frame.currentName);
      if (source !== undefined) source.used = true;
    }
    frame.pendingResult = undefined;
  } else {
    dropPendingResult(state, frame);
  }
  if (stmt.name !== undefined && named) {
    frame.values.set(stmt.name, { flow: result.flow, span: stmt.nameSpan ?? stmt.span, kind: "statement", used: false });
  }
  frame.current = result.flow;
  frame.currentName = stmt.name ?? result.startValue;
  frame.pendingResult = stmt.name === undefined && result.madeLayers ? stmt.span : undefined;
}

/** The previous unnamed statement's result is about to be replaced without anyone reading it. */
function dropPendingResult(state: Elaboration, frame: BodyFrame): void {
  if (frame.pendingResult === undefined) return;
  state.reporter.warning("unused-result", "the result of this statement is never used", frame.pendingResult, {
    hint: "the next statement does not start from it; name it (`x = ...`) and refer to it, or remove it",
  });
  frame.pendingResult = undefined;
}
