// Compiling in-memory sources for elaboration tests: `use`d files come from a map, the verifier runs
// after elaboration and after every pass.
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { type CompileResult, compileSource } from "../../src/compile.js";
import type { Graph, Node } from "../../src/ir/graph.js";
import type { FileProblem } from "../../src/regularFiles.js";

/** `use`d files by path: their text, or why the file cannot be read. */
export type SourceFiles = Record<string, string | FileProblem>;

export function compileText(text: string, files: SourceFiles = {}, file = "main.cnn"): CompileResult {
  return compileSource(text, file, { verify: true, readFile: (path) => files[path] });
}

/** The full text the CLI would print for the diagnostics. */
export function diagnosticsText(text: string, files: SourceFiles = {}, file = "main.cnn"): string {
  const result = compileText(text, files, file);
  return formatDiagnostics(result.diagnostics, result.sources);
}

export function compileOk(text: string, files: SourceFiles = {}): Graph {
  const result = compileText(text, files);
  if (result.graph === undefined || result.diagnostics.some((d) => d.severity === "error")) {
    throw new Error(`expected the source to compile:\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  }
  return result.graph;
}

export function layerNames(graph: Graph): string[] {
  return graph.nodes.map((node) => node.name);
}

export function nodeNamed(graph: Graph, name: string): Node {
  const node = graph.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node ${name} in ${layerNames(graph).join(", ")}`);
  return node;
}

/** `net(...)` wraps statements in a network with a 3x8x8 input named `x`. */
export function net(body: string, input = "3x8x8"): string {
  return `network N {\n  input x: ${input}\n${body
    .trim()
    .split("\n")
    .map((line) => `  ${line.trim()}`)
    .join("\n")}\n}\n`;
}
