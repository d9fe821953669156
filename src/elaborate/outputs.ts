// `outputs boxes, scores`: the values a network returns when it has several (a detection head, an
// auxiliary classifier). Each name must be a value of the network body defined before the statement,
// listed once, and not an input (an output is something the network computes).
import type { OutputsStmt, SourceSpan } from "../../grammar/ast.js";
import { formatLocation } from "./reporter.js";
import type { BodyFrame, Elaboration } from "./state.js";

/** The values an `outputs` statement names, in its order; undefined when any of them is in error. */
export function elaborateOutputs(state: Elaboration, frame: BodyFrame, stmt: OutputsStmt): number[] | undefined {
  const { reporter } = state;
  if (frame.kind === "block") {
    reporter.error("outputs-in-block", "a block cannot declare outputs", stmt.span, {
      hint: "a block's output is its last statement's value; list several values in the network's `outputs`",
    });
    // The values it lists were meant as outputs: no "never used" warnings on top of the error.
    for (const { name } of stmt.names) {
      const value = frame.values.get(name);
      if (value !== undefined) value.used = true;
    }
    return undefined;
  }
  const nodes: number[] = [];
  const listed = new Map<string, SourceSpan>();
  const byNode = new Map<number, string>();
  let valid = true;
  for (const { name, span } of stmt.names) {
    const first = listed.get(name);
    if (first !== undefined) {
      reporter.error("duplicate-output", `\`${name}\` is listed twice in \`outputs\``, span, {
        notes: [`first listed at ${formatLocation(first)}`],
        hint: "list each output once",
      });
      valid = false;
      continue;
    }
    listed.set(name, span);
    const value = frame.values.get(name);
    if (value === undefined) {
      reportUnknownOutput(state, frame, name, span);
      valid = false;
      continue;
    }
    value.used = true;
    if (value.kind === "input") {
      reporter.error("output-is-input", `\`${name}\` is an input of the network, not a value it computes`, span, {
        hint: "list the values of statements (`name = ...`) as outputs",
      });
      valid = false;
      continue;
    }
    const node = value.flow.node;
    if (node === undefined) {
      valid = false; // an earlier error left the value unknown, and said so
      continue;
    }
    const same = byNode.get(node);
    if (same !== undefined) {
      reporter.error("duplicate-output", `\`${name}\` is the same value as \`${same}\`, already an output`, span, {
        hint: `list it once (as \`${same}\`)`,
      });
      valid = false;
      continue;
    }
    byNode.set(node, name);
    nodes.push(node);
  }
  return valid ? nodes : undefined;
}

function reportUnknownOutput(state: Elaboration, frame: BodyFrame, name: string, span: SourceSpan): void {
  const { reporter } = state;
  const later = frame.later.get(name);
  if (later !== undefined) {
    reporter.error("unknown-output", `\`${name}\` is defined after \`outputs\``, span, {
      notes: [`defined at ${formatLocation(later)}`],
      hint: "put `outputs` last in the network, after the values it lists",
    });
    return;
  }
  const constant = frame.scope.lookup(name);
  if (constant !== undefined) {
    reporter.error("unknown-output", `\`${name}\` is a constant, not a value of the network`, span, {
      notes: [`defined at ${formatLocation(constant.span)}`],
      hint: "list the names of statements (`name = ...`) as outputs",
    });
    return;
  }
  reporter.error("unknown-output", `the network has no value named \`${name}\``, span, {
    hint: () => {
      const suggestion = reporter.closestName(name, frame.values.keys());
      return suggestion !== undefined ? `did you mean \`${suggestion}\`?` : "list the names of statements (`name = ...`) as outputs";
    },
  });
}
