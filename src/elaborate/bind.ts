// Binds a call's arguments to a signature — positional first, then by name (aliases allowed) — for
// built-in layers and user blocks alike, reporting unknown, duplicate, missing and extra arguments with
// the signature in the hint.
import type { Argument, SourceSpan } from "../../grammar/ast.js";
import { countOf } from "../ir/format.js";
import { type Reporter, formatLocation } from "./reporter.js";

export interface SignatureParam {
  name: string;
  aliases?: string[];
  required: boolean;
  /** How the default reads in the signature: `1`, `window`, `true`. */
  defaultText?: string;
}

export interface Signature {
  /** `conv`, or `block basic` for blocks. */
  title: string;
  name: string;
  params: SignatureParam[];
}

export interface CallSite {
  args: Argument[];
  span: SourceSpan;
}

/** `conv(filters, kernel, stride=1, pad=0)` */
function formatSignature(signature: Signature): string {
  const params = signature.params.map((p) => (p.defaultText === undefined ? p.name : `${p.name}=${p.defaultText}`));
  return `${signature.name}(${params.join(", ")})`;
}

function* parameterNames(signature: Signature): Iterable<string> {
  for (const param of signature.params) {
    yield param.name;
    yield* param.aliases ?? [];
  }
}

/** Returns each parameter's argument (parameters not given are absent), or undefined after an error. */
export function bindArguments(signature: Signature, call: CallSite, reporter: Reporter): Map<string, Argument> | undefined {
  const bound = new Map<string, Argument>();
  // Computed for a hint only: a block may have many parameters and be called many times.
  const usage = () => `usage: ${formatSignature(signature)}`;
  let ok = true;
  let seenNamed = false;
  let positionalIndex = 0;
  // A block may have many parameters, and a call many named arguments: look names up, not through.
  const byName = new Map<string, SignatureParam>();
  for (const param of signature.params) {
    for (const name of [param.name, ...(param.aliases ?? [])]) if (!byName.has(name)) byName.set(name, param);
  }
  for (const arg of call.args) {
    if (arg.name === undefined) {
      if (seenNamed) {
        reporter.error("positional-after-named", "positional argument after a named one", arg.span, {
          hint: () => `put positional arguments first: ${formatSignature(signature)}`,
        });
        ok = false;
        continue;
      }
      const param = signature.params[positionalIndex];
      positionalIndex += 1;
      if (param === undefined) {
        const count = call.args.filter((a) => a.name === undefined).length;
        const takes = signature.params.length === 0 ? "takes no arguments" : `takes at most ${countOf(signature.params.length, "argument")}`;
        reporter.error("too-many-arguments", `${signature.title} ${takes}, got ${count}`, arg.span, { hint: usage });
        return undefined;
      }
      bound.set(param.name, arg);
      continue;
    }
    seenNamed = true;
    const nameSpan = arg.nameSpan ?? arg.span;
    const param = byName.get(arg.name);
    if (param === undefined) {
      const given = arg.name;
      reporter.error("unknown-argument", `${signature.title} has no argument \`${given}\``, nameSpan, {
        hint: () => {
          const suggestion = reporter.closestName(given, parameterNames(signature));
          const known = signature.params.length === 0 ? `${signature.title} takes no arguments` : usage();
          return suggestion !== undefined ? `did you mean \`${suggestion}\`? ${known}` : known;
        },
      });
      ok = false;
      continue;
    }
    const previous = bound.get(param.name);
    if (previous !== undefined) {
      reporter.error("duplicate-argument", `argument \`${param.name}\` is given twice`, nameSpan, {
        notes: [`first given at ${formatLocation(previous.span)}`],
        hint: "remove one of them",
      });
      ok = false;
      continue;
    }
    bound.set(param.name, arg);
  }
  if (!ok) return undefined;
  const missing = signature.params.filter((p) => p.required && !bound.has(p.name));
  if (missing.length > 0) {
    const names = missing.map((p) => `\`${p.name}\``).join(" and ");
    reporter.error("missing-argument", `${signature.title} needs ${missing.length === 1 ? "the argument" : "the arguments"} ${names}`, call.span, {
      hint: usage,
    });
    return undefined;
  }
  return bound;
}
