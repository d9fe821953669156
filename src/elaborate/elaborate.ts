// AST -> IR: resolves the files' definitions, expands the network's statements (blocks, repetition,
// naming) into a topologically ordered graph with every node's shape inferred, and types the train
// section. Never throws for bad input: problems come back as diagnostics, and no graph when any is an error.
import type { NetworkDecl, TrainDecl } from "../../grammar/ast.js";
import { startOfFile } from "../../grammar/spans.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { Graph } from "../ir/graph.js";
import { elaborateBody } from "./body.js";
import { buildDefinitions } from "./definitions.js";
import { GraphBuilder } from "./graphBuilder.js";
import type { LoadedModules } from "./modules.js";
import { LayerNames } from "./names.js";
import { Reporter, formatLocation } from "./reporter.js";
import type { BodyFrame, Elaboration } from "./state.js";
import { type OutputResolver, elaborateTrain } from "./train.js";

export interface ElaborateResult {
  graph?: Graph;
  diagnostics: Diagnostic[];
}

export function elaborate(modules: LoadedModules): ElaborateResult {
  const reporter = new Reporter();
  const definitions = buildDefinitions(modules, reporter);
  const root = modules.root;
  const rootDefs = definitions.get(root.file);
  warnIgnoredInImports(modules, reporter);

  const networks = root.items.filter((item): item is NetworkDecl => item.kind === "network");
  const trains = root.items.filter((item): item is TrainDecl => item.kind === "train");
  for (const extra of networks.slice(1)) {
    reporter.error("multiple-networks", `a file describes one network, but \`${extra.name}\` is a second one`, extra.nameSpan, {
      notes: [`the first is \`${networks[0]!.name}\` at ${formatLocation(networks[0]!.nameSpan)}`],
      hint: "move the other network to its own file; share blocks between them with `use`",
    });
  }
  for (const extra of trains.slice(1)) {
    reporter.error("multiple-train-sections", "a file can have only one train section", extra.span, {
      notes: [`the first is at ${formatLocation(trains[0]!.span)}`],
      hint: "merge the settings into one `train { ... }`",
    });
  }
  const network = networks[0];
  if (network === undefined || rootDefs === undefined) {
    reporter.error("no-network", "this file describes no network", startOfFile(root.file), {
      hint: "add `network Name { input image: 3x32x32 ... }`",
    });
    return { diagnostics: reporter.diagnostics };
  }

  const state: Elaboration = { reporter, builder: new GraphBuilder(), names: new LayerNames(), blockStack: [], repeatCounts: [], steps: 0 };
  const frame: BodyFrame = {
    kind: "network",
    file: rootDefs,
    scope: rootDefs.scope.child(),
    prefix: "",
    values: new Map(),
    later: new Map(),
    current: undefined,
    currentName: undefined,
    pendingResult: undefined,
  };
  const output = elaborateBody(state, frame, network.body);
  const hasInputs = network.body.some((stmt) => stmt.kind === "input");
  const hasLayers = network.body.some((stmt) => stmt.kind === "layer");
  // With layers but no input, the first layer has already reported that it has no input.
  if (!hasInputs && !hasLayers) {
    reporter.error("no-input", `network \`${network.name}\` declares no input`, network.nameSpan, {
      hint: "declare one first: `input image: 3x32x32` (CxHxW), `input text: 5x7` (CxL)",
    });
  } else if (output === undefined || !hasLayers) {
    reporter.error("empty-network", `network \`${network.name}\` has no layers`, network.nameSpan, {
      hint: "add layers after the input, e.g. `conv(16, 3) -> relu`",
    });
  }
  const outputs = frame.declaredOutputs ?? (output?.node === undefined ? [] : [output.node]);
  const trainDecl = trains[0];
  const train = trainDecl === undefined ? undefined : elaborateTrain(trainDecl, rootDefs.scope, reporter, outputResolver(state, frame, outputs, reporter));
  if (trainDecl !== undefined && train !== undefined && train.lossOutput === undefined && outputs.length > 1) {
    const names = outputs.map((node) => outputNameOf(state, frame, node));
    reporter.error("train-output-missing", `the network has ${outputs.length} outputs; the train section must say which one the loss reads`, trainDecl.span, {
      notes: [`the outputs are ${names.map((name) => `\`${name}\``).join(", ")}`],
      hint: `add \`output = ${names[0]}\` to the train section`,
    });
  }

  if (reporter.errors > 0 || output?.node === undefined) return { diagnostics: reporter.diagnostics };
  const graph: Graph = {
    name: network.name,
    nodes: state.builder.nodes,
    inputs: state.builder.inputs,
    outputs,
  };
  if (train !== undefined) graph.train = train;
  return { graph, diagnostics: reporter.diagnostics };
}

/** The name a network output was listed under (`outputs a, b`), or its statement's name. */
function outputNameOf(state: Elaboration, frame: BodyFrame, node: number): string {
  for (const [name, value] of frame.values) if (value.flow.node === node && value.kind === "statement") return name;
  return state.builder.nodes[node]!.name;
}

/** Resolves a train section's `output = NAME` among the network's outputs. */
function outputResolver(state: Elaboration, frame: BodyFrame, outputs: readonly number[], reporter: Reporter): OutputResolver {
  return (name, span) => {
    const value = frame.values.get(name);
    const node = value?.kind === "statement" ? value.flow.node : undefined;
    if (node !== undefined && outputs.includes(node)) return node;
    const names = outputs.map((each) => `\`${outputNameOf(state, frame, each)}\``).join(", ");
    const message = value === undefined ? `the network has no value named \`${name}\`` : `\`${name}\` is not an output of the network`;
    reporter.error("unknown-train-output", message, span, {
      notes: [`the network's outputs are ${names}`],
      hint: value === undefined ? () => {
        const suggestion = reporter.closestName(name, outputs.map((each) => outputNameOf(state, frame, each)));
        return suggestion !== undefined ? `did you mean \`${suggestion}\`?` : "name one of the outputs";
      } : "name one of the outputs, or list this value in `outputs`",
    });
    return undefined;
  };
}

/** Networks and train sections only count in the file being compiled. */
function warnIgnoredInImports(modules: LoadedModules, reporter: Reporter): void {
  for (const [path, program] of modules.programs) {
    if (path === modules.root.file) continue;
    for (const item of program.items) {
      if (item.kind !== "network" && item.kind !== "train") continue;
      const what = item.kind === "network" ? `network \`${item.name}\`` : "train section";
      reporter.warning("ignored-in-import", `the ${what} of an imported file is ignored`, item.kind === "network" ? item.nameSpan : item.span, {
        hint: "`use` imports only blocks and constants; compile this file directly to use it",
      });
    }
  }
}
