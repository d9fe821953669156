// What each file defines and sees: its own constants and blocks plus those of the files it `use`s
// directly (imports are not re-exported). Constants are evaluated in order, so a constant can use the
// ones above it and the imported ones.
import type { BlockDecl, ConstStmt, SourceSpan } from "../../grammar/ast.js";
import { evaluate } from "./evaluate.js";
import { LAYERS, LAYER_NAMES } from "./layers.js";
import type { LoadedModules } from "./modules.js";
import { type Reporter, formatLocation } from "./reporter.js";
import { Scope } from "./scope.js";
import type { Value } from "./values.js";
import { KNOWN_WORDS } from "./words.js";

export interface BlockDef {
  decl: BlockDecl;
  /** The file that defines the block: its body is elaborated in that file's scope. */
  file: FileDefs;
}

export interface FileDefs {
  path: string;
  /** Constants visible in the file: imported ones, then its own. */
  scope: Scope;
  /** Blocks visible in the file. */
  blocks: Map<string, BlockDef>;
  ownConstants: Map<string, { value: Value; span: SourceSpan }>;
  ownBlocks: Map<string, BlockDef>;
}

export function buildDefinitions(modules: LoadedModules, reporter: Reporter): Map<string, FileDefs> {
  const done = new Map<string, FileDefs>();
  const build = (path: string): FileDefs | undefined => {
    const existing = done.get(path);
    if (existing !== undefined) return existing;
    const program = modules.programs.get(path);
    if (program === undefined) return undefined;
    const defs: FileDefs = { path, scope: new Scope(), blocks: new Map(), ownConstants: new Map(), ownBlocks: new Map() };
    done.set(path, defs);
    const origins = new Map<string, string>();

    for (const { decl, path: importedPath } of modules.imports.get(path) ?? []) {
      const imported = build(importedPath);
      if (imported === undefined) continue;
      for (const [name, constant] of imported.ownConstants) {
        if (checkFree(`constant \`${name}\``, `c:${name}`, origins, importedPath, decl.span, reporter)) {
          defs.scope.define(name, { value: constant.value, span: constant.span, kind: "constant" });
        }
      }
      for (const [name, block] of imported.ownBlocks) {
        if (checkFree(`block \`${name}\``, `b:${name}`, origins, importedPath, decl.span, reporter)) defs.blocks.set(name, block);
      }
    }

    for (const item of program.items) {
      if (item.kind === "const") defineConstant(item, defs, origins, reporter);
      if (item.kind === "block") {
        if (LAYERS.has(item.name)) {
          reporter.error("block-shadows-layer", `block \`${item.name}\` has the name of a built-in layer`, item.nameSpan, {
            hint: "rename the block",
          });
          continue;
        }
        if (!checkFree(`block \`${item.name}\``, `b:${item.name}`, origins, formatLocation(item.nameSpan), item.nameSpan, reporter)) continue;
        const block: BlockDef = { decl: item, file: defs };
        defs.blocks.set(item.name, block);
        defs.ownBlocks.set(item.name, block);
      }
    }
    return defs;
  };
  for (const path of modules.programs.keys()) build(path);
  return done;
}

/** Evaluates a constant statement into `scope`, reporting duplicates and undefined words. */
export function defineConstant(
  stmt: ConstStmt,
  defs: { scope: Scope; ownConstants?: Map<string, { value: Value; span: SourceSpan }> },
  origins: Map<string, string> | undefined,
  reporter: Reporter,
): void {
  const previous = defs.scope.own(stmt.name);
  if (origins !== undefined && !checkFree(`constant \`${stmt.name}\``, `c:${stmt.name}`, origins, formatLocation(stmt.nameSpan), stmt.nameSpan, reporter)) return;
  if (origins === undefined && previous !== undefined) {
    reporter.error("duplicate-name", `constant \`${stmt.name}\` is already defined`, stmt.nameSpan, {
      notes: [`first defined at ${formatLocation(previous.span)}`],
      hint: "constants cannot be redefined; pick another name",
    });
    return;
  }
  const invalid = () => defs.scope.define(stmt.name, { value: { kind: "invalid", span: stmt.nameSpan }, span: stmt.nameSpan, kind: "constant" });
  const value = evaluate(stmt.value, { scope: defs.scope, reporter, lookupValue: () => undefined });
  if (value === undefined) return invalid();
  if (value.kind === "word" && !KNOWN_WORDS.has(value.name)) {
    const name = value.name;
    reporter.error("undefined-name", `\`${name}\` is not defined`, value.span, {
      hint: () => {
        const suggestion = reporter.closestName(name, defs.scope.names(), KNOWN_WORDS, LAYER_NAMES);
        return suggestion !== undefined ? `did you mean \`${suggestion}\`?` : "a constant holds a number, a size like 3x3, a list or a word like same";
      },
    });
    return invalid();
  }
  defs.scope.define(stmt.name, { value, span: stmt.nameSpan, kind: "constant" });
  defs.ownConstants?.set(stmt.name, { value, span: stmt.nameSpan });
}

/** Records where `key` comes from; reports a second definition (local or imported) of the same name. */
function checkFree(what: string, key: string, origins: Map<string, string>, origin: string, span: SourceSpan, reporter: Reporter): boolean {
  const first = origins.get(key);
  if (first !== undefined) {
    reporter.error("duplicate-definition", `${what} is defined twice`, span, {
      notes: [`first defined by ${first}`, `then by ${origin}`],
      hint: "rename one of them",
    });
    return false;
  }
  origins.set(key, origin);
  return true;
}
