// The compiler as a flat list of steps. Each step returns diagnostics as data; compilation stops after
// a step that reported an error.
import { type Diagnostic, hasErrors, makeDiagnostic } from "../grammar/diagnostics.js";
import { parseProgram } from "../grammar/parse.js";
import { startOfFile } from "../grammar/spans.js";
import { elaborate } from "./elaborate/elaborate.js";
import { type ReadFile, loadModules } from "./elaborate/modules.js";
import type { Graph } from "./ir/graph.js";
import { markInPlacePass } from "./passes/markInPlace.js";
import { assertValidGraph, runPass } from "./passes/pass.js";
import { type FileKind, type FileProblem, readRegularFile } from "./regularFiles.js";

export interface CompileOptions {
  /**
   * Reads the model and its `use`d files; defaults to the file system (readTextFile). Returns the text,
   * or why the file cannot be read, or undefined for a file that does not exist.
   */
  readFile?: ReadFile;
  /** Run the IR verifier after elaboration and after every pass (tests turn this on). */
  verify?: boolean;
}

export interface CompileResult {
  /** Present when there are no errors (warnings allowed). */
  graph?: Graph;
  /**
   * Every diagnostic of the steps that ran, none dropped or capped: parsing the model and the files it
   * `use`s (each file's in source order) and resolving the `use`s, then elaboration's. There can be
   * hundreds of thousands (a pasted binary): each costs little to make, and a printer shows the first
   * few and counts the rest (the CLI: MAX_DIAGNOSTICS_SHOWN).
   */
  diagnostics: Diagnostic[];
  /** Text of every file read, by path: formatDiagnostics quotes source lines from it. */
  sources: Map<string, string>;
}

export function compileSource(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const readFile = options.readFile ?? readTextFile;
  // 1. Parse the file and every file it `use`s.
  const modules = loadModules(text, file, readFile, parseProgram);
  if (hasErrors(modules.diagnostics)) return { diagnostics: modules.diagnostics, sources: modules.sources };
  // 2. Elaborate: blocks, repetition, names, constants, shapes -> IR graph.
  const elaborated = elaborate(modules);
  // concat, not push(...): a spread argument list overflows the stack with a few hundred thousand.
  const diagnostics = modules.diagnostics.concat(elaborated.diagnostics);
  let graph = elaborated.graph;
  if (graph === undefined || hasErrors(diagnostics)) return { diagnostics, sources: modules.sources };
  if (options.verify === true) assertValidGraph(graph, "after elaboration");
  // 3. Passes, each Graph -> Graph, verified after each when asked. (Elaboration already inferred every
  //    node's shape and counts; no pass here changes attrs or inputs, so none re-derives them.)
  graph = runPass(markInPlacePass, graph, options);
  // The back half (src/pipeline.ts) lowers this graph to kernels, fuses, schedules and plans memory.
  return { graph, diagnostics, sources: modules.sources };
}

export function compileFile(path: string, options: CompileOptions = {}): CompileResult {
  const readFile = options.readFile ?? readTextFile;
  const text = readFile(path);
  if (typeof text !== "string") {
    const diagnostic =
      text === undefined || text.code === "missing"
        ? makeDiagnostic("file-not-found", text?.message ?? `cannot read \`${path}\``, startOfFile(path), {
            hint: "check the path; it is relative to the current directory",
          })
        : makeDiagnostic("file-unreadable", text.message, startOfFile(path), { hint: text.hint });
    return { diagnostics: [diagnostic], sources: new Map() };
  }
  return compileSource(text, path, options);
}

/**
 * Model sources are text: 4 MiB is far beyond any network (a flat 100,000-layer chain is about 2 MB),
 * refuses a wrong file early, and bounds the worst case, a file of stray characters (about 12 s and
 * 1.7 GB for 4 MiB of them, nearly all in the lexer).
 */
export const MODEL_SOURCE_FILE: FileKind = {
  noun: "model source",
  maxBytes: 4 * 1024 * 1024,
  tooLargeHint: "a .cnn source is a short text file: is this the right file?",
};

/** Reads a model source: a regular UTF-8 text file of at most MODEL_SOURCE_FILE.maxBytes. */
export function readTextFile(path: string): string | FileProblem {
  const read = readRegularFile(path, MODEL_SOURCE_FILE);
  if ("problem" in read) return read.problem;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
  } catch {
    return { code: "unreadable", message: `\`${path}\` is not UTF-8 text`, hint: "a .cnn source is UTF-8 text: is this the right file?" };
  }
}
