// Calls: a built-in layer becomes one IR node (arguments checked, attrs built, shape inferred); a
// block call expands the block's body under the instance's name; add/concat read values given as
// arguments.
import type { CallStep, SourceSpan } from "../../grammar/ast.js";
import type { Node, OpAttrs } from "../ir/graph.js";
import { inferNodeFacts } from "../ir/shapes/infer.js";
import type { NodeFacts } from "../ir/shapes/result.js";
import { LayerArgs } from "./arguments.js";
import { bindArguments } from "./bind.js";
import { elaborateBody } from "./body.js";
import type { BlockDef } from "./definitions.js";
import { type EvalEnv, evaluate, reportUndefinedName } from "./evaluate.js";
import { exprText } from "./exprText.js";
import { warnIfFlatImage } from "./flatInput.js";
import type { LayerSpec } from "./layers.js";
import { formatLocation } from "./reporter.js";
import { scheduleAnnotationOf } from "./scheduleAnnotation.js";
import { hasRoom, takeSteps, totalsStayCountable } from "./sizeLimits.js";
import { type BodyFrame, type Elaboration, type Flow, UNKNOWN } from "./state.js";
import { stepCost } from "./stepCost.js";
import { type Value, describeValue } from "./values.js";

/** Blocks may nest this deep (recursion is caught separately; this bounds the rest). */
const MAX_BLOCK_DEPTH = 64;

export function evalEnv(state: Elaboration, frame: BodyFrame): EvalEnv {
  return {
    scope: frame.scope,
    reporter: state.reporter,
    lookupValue(name: string, span: SourceSpan): Value | undefined {
      const value = frame.values.get(name);
      if (value === undefined) {
        const definition = frame.later.get(name);
        if (definition === undefined) return undefined;
        reportForwardReference(state, name, span, definition);
        return { kind: "tensor", name, node: undefined, span };
      }
      value.used = true;
      return { kind: "tensor", name, node: value.flow.node, span };
    },
  };
}

function reportForwardReference(state: Elaboration, name: string, span: SourceSpan, definition: SourceSpan): void {
  state.reporter.error("use-before-definition", `\`${name}\` is used before it is defined`, span, {
    notes: [`\`${name}\` is defined at ${formatLocation(definition)}`],
    hint: "a network is an acyclic graph: a statement can only use values defined above it; move this statement below that one",
  });
}

export function callLayer(state: Elaboration, frame: BodyFrame, spec: LayerSpec, step: CallStep, input: Flow, name: string): Flow {
  const annotation = scheduleAnnotationOf(state, step, { kind: "layer", spec });
  if (spec.takesValues === true) return callWithValues(state, frame, spec, step, name);
  const { reporter, builder } = state;
  const bound = bindArguments({ title: `\`${spec.name}\``, name: spec.name, params: spec.params }, step, reporter);
  if (bound === undefined) return UNKNOWN;
  const env = evalEnv(state, frame);
  const values = new Map<string, Value>();
  let evaluated = true;
  for (const [param, arg] of bound) {
    const value = evaluate(arg.value, env);
    if (value === undefined) evaluated = false;
    else values.set(param, value);
  }
  if (!evaluated) return UNKNOWN;
  const inputShape = input.node === undefined ? undefined : builder.nodes[input.node]!.shape;
  const attrs = spec.build(new LayerArgs(values, env), inputShape);
  if (attrs === undefined || input.node === undefined || inputShape === undefined) return UNKNOWN;
  warnIfFlatImage(state, spec, step, builder.nodes[input.node]!);
  const result = inferNodeFacts(attrs, [inputShape]);
  if (!result.ok) {
    reporter.error(result.problem.code, result.problem.message, step.span, result.problem);
    return UNKNOWN;
  }
  return addNode(state, name, attrs, [input.node], result.facts, step, annotation);
}

function callWithValues(state: Elaboration, frame: BodyFrame, spec: LayerSpec, step: CallStep, name: string): Flow {
  const { reporter, builder } = state;
  const env = evalEnv(state, frame);
  const usage = spec.valuesUsage ?? `${spec.name}(a, b, ...)`;
  let ok = true;
  const inputs: { name: string; node: number | undefined }[] = [];
  for (const arg of step.args) {
    if (arg.name !== undefined) {
      reporter.error("unknown-argument", `\`${spec.name}\` has no argument \`${arg.name}\``, arg.nameSpan ?? arg.span, {
        hint: `${spec.name} takes only the values to combine: ${usage}`,
      });
      ok = false;
      continue;
    }
    const value = evaluate(arg.value, env);
    if (value === undefined) {
      ok = false;
    } else if (value.kind === "tensor") {
      inputs.push({ name: value.name, node: value.node });
    } else if (value.kind === "word") {
      reportUndefinedName(value.name, value.span, env, frame.values.keys());
      ok = false;
    } else {
      reporter.error("wrong-argument-type", `\`${spec.name}\` combines values (inputs or named statements), got ${describeValue(value)}`, value.span, {
        hint: `usage: ${usage}`,
      });
      ok = false;
    }
  }
  if (!ok) return UNKNOWN;
  if (inputs.length < 2) {
    reporter.error("too-few-arguments", `\`${spec.name}\` needs at least two values, got ${inputs.length}`, step.span, { hint: `usage: ${usage}` });
    return UNKNOWN;
  }
  const nodes = inputs.map((input) => input.node);
  if (!nodes.every((node): node is number => node !== undefined)) return UNKNOWN;
  const attrs = spec.build(new LayerArgs(new Map(), env), undefined);
  if (attrs === undefined) return UNKNOWN;
  const shapes = nodes.map((node) => builder.nodes[node]!.shape);
  const result = inferNodeFacts(attrs, shapes, { inputNames: inputs.map((input) => `\`${input.name}\``) });
  if (!result.ok) {
    reporter.error(result.problem.code, result.problem.message, step.span, result.problem);
    return UNKNOWN;
  }
  return addNode(state, name, attrs, nodes, result.facts, step);
}

function addNode(state: Elaboration, name: string, attrs: OpAttrs, inputs: number[], facts: NodeFacts, step: CallStep, annotation?: Node["scheduleAnnotation"]): Flow {
  if (!hasRoom(state, step.span) || !totalsStayCountable(state, facts, step.span)) return UNKNOWN;
  return { node: state.builder.add(name, attrs, inputs, facts, step.span, annotation) };
}

/** `a -> b -> c`; a long chain keeps its first and last few blocks. */
function callChainText(names: readonly string[]): string {
  const shown = names.length <= 8 ? names : [...names.slice(0, 3), `… (${names.length - 6} more)`, ...names.slice(-3)];
  return shown.join(" -> ");
}

export function expandBlock(state: Elaboration, frame: BodyFrame, block: BlockDef, step: CallStep, input: Flow, instanceName: string): Flow {
  const { reporter } = state;
  const decl = block.decl;
  const key = `${block.file.path}:${decl.name}`;
  const depth = state.blockStack.length;
  const start = state.blockStack.findIndex((entry) => entry.key === key);
  if (start >= 0) {
    const chain = [...state.blockStack.slice(start).map((entry) => entry.name), decl.name];
    reporter.error("block-recursion", `block \`${decl.name}\` calls itself`, step.calleeSpan, {
      notes: [`call chain: ${callChainText(chain)}`],
      hint: "blocks cannot be recursive; repeat layers with `[...] * n` instead",
    });
    return UNKNOWN;
  }
  if (depth >= MAX_BLOCK_DEPTH) {
    const chain = [...state.blockStack.map((entry) => entry.name), decl.name];
    reporter.error("blocks-too-deep", `blocks are nested more than ${MAX_BLOCK_DEPTH} deep here`, step.calleeSpan, {
      notes: [`call chain: ${callChainText(chain)}`],
      hint: `a block may use other blocks up to ${MAX_BLOCK_DEPTH} levels deep; flatten some of them`,
    });
    return UNKNOWN;
  }
  const signature = {
    title: `block \`${decl.name}\``,
    name: decl.name,
    params: decl.params.map((p) => ({ name: p.name, required: p.default === undefined, defaultText: p.default === undefined ? undefined : exprText(p.default) })),
  };
  const bound = bindArguments(signature, step, reporter);
  if (bound === undefined || !takeSteps(state, stepCost(decl), step.span)) return UNKNOWN;

  // Arguments are evaluated where the call is; defaults in the block's file, seeing earlier parameters.
  const callerEnv = evalEnv(state, frame);
  const parameters = block.file.scope.child();
  for (const param of decl.params) {
    const arg = bound.get(param.name);
    const value =
      arg !== undefined
        ? evaluate(arg.value, callerEnv)
        : param.default !== undefined
          ? evaluate(param.default, { scope: parameters, reporter, lookupValue: () => undefined })
          : undefined;
    if (value === undefined) return UNKNOWN;
    parameters.define(param.name, { value, span: param.span, kind: "parameter" });
  }

  const inner: BodyFrame = {
    kind: "block",
    file: block.file,
    scope: parameters.child(),
    prefix: `${instanceName}.`,
    values: new Map([["in", { flow: input, span: decl.nameSpan, kind: "in", used: true }]]),
    later: new Map(),
    current: input,
    currentName: "in",
    pendingResult: undefined,
  };
  state.blockStack.push({ key, name: decl.name });
  try {
    const output = reporter.within(`in block \`${decl.name}\` used as \`${instanceName}\` at ${formatLocation(step.span)}`, () =>
      elaborateBody(state, inner, decl.body),
    );
    if (output === undefined) {
      reporter.error("empty-block", `block \`${decl.name}\` has no layers`, decl.nameSpan, { hint: "add at least one statement to its body" });
      return UNKNOWN;
    }
    return output;
  } finally {
    state.blockStack.pop();
  }
}
