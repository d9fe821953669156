// Layer names (and so weight names): explicit ones (`as` aliases, statement names) must be unique;
// derived ones get a per-op counter (`conv1`, `conv2`) or a `_1` suffix, skipping names that are taken
// or that a later statement of the same body spells out (reserved), so an explicit name never loses to
// an automatic one.
import type { SourceSpan } from "../../grammar/ast.js";
import { type Reporter, formatLocation } from "./reporter.js";

export class LayerNames {
  private readonly taken = new Map<string, SourceSpan>();
  private readonly reserved = new Set<string>();
  private readonly counters = new Map<string, number>();
  /** The next `_n` suffix to try per base: names are never freed, so the search resumes there (a chain of 100,000 `relu`s stays linear). */
  private readonly nextSuffix = new Map<string, number>();

  reserve(name: string): void {
    this.reserved.add(name);
  }

  /** An explicit name: reports a duplicate (and still returns the name, so elaboration goes on). */
  claim(name: string, span: SourceSpan, reporter: Reporter): string {
    const previous = this.taken.get(name);
    if (previous !== undefined) {
      reporter.error("duplicate-name", `layer name \`${name}\` is already used`, span, {
        notes: [`first used at ${formatLocation(previous)}`],
        hint: "layer names must be unique (they name the weights); pick another with `as`",
      });
      return name;
    }
    this.taken.set(name, span);
    return name;
  }

  /** `<prefix><op><n>` with the op's counter in this prefix. */
  numbered(prefix: string, op: string, span: SourceSpan): string {
    const key = `${prefix}${op}`;
    let n = this.counters.get(key) ?? 1;
    while (this.isUnavailable(`${key}${n}`)) n += 1;
    this.counters.set(key, n + 1);
    this.taken.set(`${key}${n}`, span);
    return `${key}${n}`;
  }

  /** `base`, else `base_1`, `base_2`, ... */
  suffixed(base: string, span: SourceSpan): string {
    let name = base;
    let n = this.nextSuffix.get(base) ?? 1;
    if (this.isUnavailable(name)) {
      while (this.isUnavailable(`${base}_${n}`)) n += 1;
      name = `${base}_${n}`;
      this.nextSuffix.set(base, n + 1);
    }
    this.taken.set(name, span);
    return name;
  }

  private isUnavailable(name: string): boolean {
    return this.taken.has(name) || this.reserved.has(name);
  }
}
