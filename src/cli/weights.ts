// `cnnc weights FILE [--json]`: the state_dict the network expects, in PyTorch's order, names and
// layouts: what a `--weights` file must hold, and what to compare with a model's `state_dict()` keys.
import type { Command } from "commander";
import { compileFile } from "../compile.js";
import { countOf, formatInteger } from "../ir/format.js";
import { shapeSize } from "../ir/graph.js";
import { type StateDictEntry, stateDict } from "../ir/stateDict.js";
import { describeShape } from "../tensor.js";
import { compactJson } from "./compactJson.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";

export function registerWeights(program: Command, context: CliContext): void {
  program
    .command("weights")
    .description("print the state_dict the network expects: every tensor's PyTorch name and shape, parameters and buffers, in order")
    .argument("<file>", "the .cnn file")
    .option("--json", "print the state_dict as JSON (a stable interface)")
    .action((file: string, options: { json?: boolean }) => {
      const graph = reportCompilation(file, compileFile(file, { verify: true }), context);
      if (graph === undefined) return;
      const entries = stateDict(graph);
      context.io.stdout(options.json === true ? `${compactJson(weightsJson(graph.name, entries))}\n` : weightsText(graph.name, entries));
    });
}

function weightsJson(network: string, entries: readonly StateDictEntry[]): object {
  const parameters = entries.filter((entry) => entry.kind === "parameter");
  return {
    network,
    tensors: entries.map((entry) => ({ name: entry.name, shape: entry.shape, kind: entry.kind, read: entry.read })),
    parameters: parameters.length,
    parameterValues: parameters.reduce((total, entry) => total + shapeSize(entry.shape), 0),
    buffers: entries.length - parameters.length,
  };
}

/** One aligned line per tensor, then the totals. */
function weightsText(network: string, entries: readonly StateDictEntry[]): string {
  if (entries.length === 0) return `${network} has no parameters or buffers: it needs no weights\n`;
  const shapes = entries.map((entry) => describeShape(entry.shape));
  const nameWidth = Math.max(...entries.map((entry) => entry.name.length));
  const shapeWidth = Math.max(...shapes.map((shape) => shape.length));
  const lines = entries.map((entry, index) => {
    const kind = entry.kind === "parameter" ? "parameter" : entry.read ? "buffer" : "buffer (not read)";
    return `  ${entry.name.padEnd(nameWidth)}  ${shapes[index]!.padEnd(shapeWidth)}  ${kind}`;
  });
  const parameters = entries.filter((entry) => entry.kind === "parameter");
  const values = parameters.reduce((total, entry) => total + shapeSize(entry.shape), 0);
  const buffers = entries.length - parameters.length;
  const unread = entries.length - entries.filter((entry) => entry.read).length;
  const totals = `${countOf(parameters.length, "parameter")} (${formatInteger(values)} values), ${countOf(buffers, "buffer")}`;
  const skipped = unread === 0 ? "" : `; a --weights file needs them all but the ${countOf(unread, "num_batches_tracked counter")}, which cnnc skips`;
  return [`${network}: the state_dict, in PyTorch's order (name, shape, kind)`, ...lines, `${totals}${skipped}`, ""].join("\n");
}
