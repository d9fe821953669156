// Loads the root file and, transitively, every file it `use`s: paths are relative to the importing file,
// files are read through an injected reader (tests use a map) and parsed once even when imported twice;
// a file that imports itself through a chain of `use`s is an error.
import { dirname, isAbsolute, join, normalize } from "node:path";
import type { Program, UseDecl } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { FileProblem } from "../regularFiles.js";
import { Reporter } from "./reporter.js";

/** The text of a source file, or why it cannot be read, or undefined when it does not exist. */
export type ReadFile = (path: string) => string | FileProblem | undefined;
export type ParseProgram = (text: string, file: string) => { program: Program; diagnostics: Diagnostic[] };

export interface LoadedModules {
  root: Program;
  /** Every loaded file by its path (as diagnostics show it). */
  programs: Map<string, Program>;
  /** For each file, the files its `use` declarations resolved to, in order. */
  imports: Map<string, { decl: UseDecl; path: string }[]>;
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
}

function resolveUsePath(importer: string, path: string): string {
  return normalize(isAbsolute(path) ? path : join(dirname(importer), path));
}

export function loadModules(text: string, file: string, readFile: ReadFile, parse: ParseProgram): LoadedModules {
  const reporter = new Reporter();
  const programs = new Map<string, Program>();
  const imports = new Map<string, { decl: UseDecl; path: string }[]>();
  const sources = new Map<string, string>([[file, text]]);
  const diagnostics: Diagnostic[] = [];

  const parseFile = (source: string, path: string): Program => {
    const parsed = parse(source, path);
    for (const diagnostic of parsed.diagnostics) diagnostics.push(diagnostic);
    programs.set(path, parsed.program);
    return parsed.program;
  };

  const visit = (program: Program, path: string, stack: string[]): void => {
    const resolved: { decl: UseDecl; path: string }[] = [];
    imports.set(path, resolved);
    for (const item of program.items) {
      if (item.kind !== "use") continue;
      const target = resolveUsePath(path, item.path);
      const cycleStart = stack.indexOf(target);
      if (target === path || cycleStart >= 0) {
        const chain = [...stack.slice(Math.max(cycleStart, 0)), path, target];
        reporter.error("use-cycle", `importing \`${item.path}\` here makes an import cycle`, item.span, {
          notes: [`import chain: ${chain.join(" -> ")}`],
          hint: "move the shared blocks and constants into a file that both can use",
        });
        continue;
      }
      if (!programs.has(target)) {
        const source = readFile(target);
        if (source === undefined || (typeof source !== "string" && source.code === "missing")) {
          reporter.error("use-not-found", `cannot read \`${item.path}\``, item.span, {
            notes: [`looked for ${target}`],
            hint: "paths in `use` are relative to the file that contains the `use`",
          });
          continue;
        }
        if (typeof source !== "string") {
          reporter.error("use-unreadable", source.message, item.span, source.hint === undefined ? {} : { hint: source.hint });
          continue;
        }
        sources.set(target, source);
        visit(parseFile(source, target), target, [...stack, path]);
      }
      resolved.push({ decl: item, path: target });
    }
  };

  const root = parseFile(text, file);
  visit(root, file, []);
  return { root, programs, imports, sources, diagnostics: [...diagnostics, ...reporter.diagnostics] };
}
