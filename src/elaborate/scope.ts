// Lexical scopes for constants and block parameters: a block body sees its parameters, its own
// constants, then its file's constants (including those imported with `use`).
import type { SourceSpan } from "../../grammar/ast.js";
import type { Value } from "./values.js";

export interface Binding {
  value: Value;
  /** Where the name was defined, for "already defined" notes. */
  span: SourceSpan;
  kind: "constant" | "parameter";
}

export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly parent?: Scope) {}

  define(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }

  /** The binding in this scope only (for duplicate checks). */
  own(name: string): Binding | undefined {
    return this.bindings.get(name);
  }

  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, innermost first, for "did you mean" hints; a shadowed name comes again. */
  *names(): Iterable<string> {
    yield* this.bindings.keys();
    if (this.parent !== undefined) yield* this.parent.names();
  }

  child(): Scope {
    return new Scope(this);
  }
}
