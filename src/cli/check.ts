// `cnnc check FILE`: compile and report; `ok: Net (N layers, P params)` when it compiles.
import type { Command } from "commander";
import { compileFile } from "../compile.js";
import { countOf } from "../ir/format.js";
import { summarizeGraph } from "../ir/summary.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command("check")
    .description("check a .cnn file: syntax, names, arguments and every layer's shape")
    .argument("<file>", "the .cnn file")
    .action((file: string) => {
      const graph = reportCompilation(file, compileFile(file, { verify: true }), context);
      if (graph === undefined) return;
      const layers = graph.nodes.filter((node) => node.attrs.op !== "input").length;
      // The summary's total: it checks that the sum is still an exact count.
      const params = summarizeGraph(graph).totals.params;
      context.io.stdout(`ok: ${graph.name} (${countOf(layers, "layer")}, ${countOf(params, "param")})\n`);
    });
}
