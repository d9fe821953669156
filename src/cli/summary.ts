// `cnnc summary FILE [--json] [--batch N]`: the course notes' per-layer table and memory totals.
import { type Command, InvalidArgumentError } from "commander";
import { compileFile } from "../compile.js";
import { summarizeGraph, summaryToJson } from "../ir/summary.js";
import { compactJson } from "./compactJson.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";
import { renderSummary } from "./summaryTable.js";
import { parseWholeNumber } from "./wholeNumber.js";

export function registerSummary(program: Command, context: CliContext): void {
  program
    .command("summary")
    .description("print every layer's output volume, activations, parameters and MACs, and memory totals")
    .argument("<file>", "the .cnn file")
    .option("--json", "print the summary as JSON (a stable interface)")
    .option("--batch <n>", "batch size for the memory estimates", parseBatch, 1)
    .action((file: string, options: { json?: boolean; batch: number }) => {
      const graph = reportCompilation(file, compileFile(file, { verify: true }), context);
      if (graph === undefined) return;
      const summary = summarizeGraph(graph, options.batch);
      context.io.stdout(options.json === true ? `${compactJson(summaryToJson(summary))}\n` : renderSummary(summary));
    });
}

function parseBatch(text: string): number {
  const parsed = parseWholeNumber(text, 1);
  if ("requirement" in parsed) throw new InvalidArgumentError(`the batch must be ${parsed.requirement}`);
  return parsed.value;
}
