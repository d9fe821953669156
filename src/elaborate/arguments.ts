// Typed access to a layer's evaluated arguments. Each accessor applies the default when the argument is
// absent, checks the value's type and range, and reports a problem at the argument's span; `failed`
// records that something was wrong so the layer is not built.
import { closestMatch } from "../../grammar/diagnostics.js";
import type { Padding2d } from "../ir/graph.js";
import { reportUndefinedName } from "./evaluate.js";
import type { Reporter } from "./reporter.js";
import type { Scope } from "./scope.js";
import { type Value, describeValue } from "./values.js";

/** Padding as written: explicit sides, or `same` (resolved once the input size is known). */
export type PaddingSpec = { kind: "same" } | { kind: "explicit"; padding: Padding2d };

export class LayerArgs {
  failed = false;

  constructor(
    private readonly values: Map<string, Value>,
    private readonly env: { scope: Scope; reporter: Reporter },
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A whole number >= min (1 by default): filters, groups, sizes. */
  integer(name: string, fallback: number, min = 1): number {
    const value = this.values.get(name);
    if (value === undefined) return fallback;
    if (value.kind !== "int") return this.wrongType(name, value, "a whole number", fallback);
    if (value.value < min) return this.outOfRange(name, value, `at least ${min}`, fallback);
    return value.value;
  }

  /** A number (integers accepted) within the given bounds. */
  float(name: string, fallback: number, bounds: { above?: number; atLeast?: number; below?: number; atMost?: number } = {}): number {
    const value = this.values.get(name);
    if (value === undefined) return fallback;
    if (value.kind !== "int" && value.kind !== "float") return this.wrongType(name, value, "a number", fallback);
    const x = value.value;
    if (bounds.above !== undefined && !(x > bounds.above)) return this.outOfRange(name, value, `greater than ${bounds.above}`, fallback);
    if (bounds.atLeast !== undefined && !(x >= bounds.atLeast)) return this.outOfRange(name, value, `at least ${bounds.atLeast}`, fallback);
    if (bounds.below !== undefined && !(x < bounds.below)) return this.outOfRange(name, value, `below ${bounds.below}`, fallback);
    if (bounds.atMost !== undefined && !(x <= bounds.atMost)) return this.outOfRange(name, value, `at most ${bounds.atMost}`, fallback);
    return x;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.values.get(name);
    if (value === undefined) return fallback;
    if (value.kind === "word" && (value.name === "true" || value.name === "false")) return value.name === "true";
    return this.wrongType(name, value, "true or false", fallback);
  }

  /** One of a fixed set of words: padding_mode=reflect, rounding=ceil. */
  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const value = this.values.get(name);
    if (value === undefined) return fallback;
    if (value.kind === "word" && (options as readonly string[]).includes(value.name)) return value.name as T;
    const suggestion = value.kind === "word" ? closestMatch(value.name, options) : undefined;
    this.env.reporter.error("bad-argument-value", `\`${name}\` must be one of ${options.join(", ")}, got ${describeValue(value)}`, value.span, {
      hint: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `write e.g. ${name}=${options[0]}`,
    });
    this.failed = true;
    return fallback;
  }

  /** An int F (square) or `HxW` / [H, W]: kernel, stride, dilation, window. Sizes >= `min` (1 by default). */
  pair(name: string, fallback: [number, number], spatialRank: 1 | 2, min = 1): [number, number] {
    const value = this.values.get(name);
    if (value === undefined) return fallback;
    const sizes = this.sizes(value);
    const wanted = spatialRank === 1 ? "a whole number (this is a 1-D layer)" : "a whole number or HxW";
    if (sizes === undefined || (spatialRank === 1 && sizes.length !== 1) || sizes.length > 2) return this.wrongType(name, value, wanted, fallback);
    if (sizes.some((size) => size < min)) return this.outOfRange(name, value, `at least ${min}`, fallback);
    return sizes.length === 1 ? (spatialRank === 1 ? [1, sizes[0]!] : [sizes[0]!, sizes[0]!]) : [sizes[0]!, sizes[1]!];
  }

  /**
   * Padding: an int (every side), `HxW` (pad_h x pad_w), [top, bottom, left, right], `same` or `valid`;
   * for 1-D layers an int, [left, right], `same` or `valid`.
   */
  padding(name: string, spatialRank: 1 | 2): PaddingSpec {
    const none: PaddingSpec = { kind: "explicit", padding: { top: 0, bottom: 0, left: 0, right: 0 } };
    const value = this.values.get(name);
    if (value === undefined) return none;
    if (value.kind === "word" && value.name === "same") return { kind: "same" };
    if (value.kind === "word" && value.name === "valid") return none;
    const sizes = this.sizes(value);
    const forms = spatialRank === 1 ? "a whole number, [left, right], same or valid" : "a whole number, HxW, [top, bottom, left, right], same or valid";
    if (value.kind === "word") {
      const suggestion = closestMatch(value.name, ["same", "valid"]);
      if (suggestion !== undefined) {
        this.env.reporter.error("bad-argument-value", `\`${name}\` must be ${forms}, got ${value.name}`, value.span, { hint: `did you mean \`${suggestion}\`?` });
        this.failed = true;
        return none;
      }
    }
    if (sizes === undefined) return this.wrongType(name, value, forms, none);
    if (sizes.some((size) => size < 0)) return this.outOfRange(name, value, "at least 0 on every side", none);
    const sides = (top: number, bottom: number, left: number, right: number): PaddingSpec => ({ kind: "explicit", padding: { top, bottom, left, right } });
    if (spatialRank === 1) {
      if (sizes.length === 1) return sides(0, 0, sizes[0]!, sizes[0]!);
      if (sizes.length === 2 && value.kind === "list") return sides(0, 0, sizes[0]!, sizes[1]!);
      return this.wrongType(name, value, forms, none);
    }
    if (sizes.length === 1) return sides(sizes[0]!, sizes[0]!, sizes[0]!, sizes[0]!);
    if (sizes.length === 2 && value.kind === "dims") return sides(sizes[0]!, sizes[0]!, sizes[1]!, sizes[1]!);
    if (sizes.length === 4 && value.kind === "list") return sides(sizes[0]!, sizes[1]!, sizes[2]!, sizes[3]!);
    return this.wrongType(name, value, forms, none);
  }

  /** The whole numbers in an int, a dims literal or a list of ints; undefined for anything else. */
  private sizes(value: Value): number[] | undefined {
    if (value.kind === "int") return [value.value];
    if (value.kind === "dims") return value.values;
    if (value.kind === "list" && value.items.every((item) => item.kind === "int")) {
      return value.items.map((item) => (item.kind === "int" ? item.value : 0));
    }
    return undefined;
  }

  private wrongType<T>(name: string, value: Value, wanted: string, fallback: T): T {
    this.failed = true;
    if (value.kind === "word" && value.name !== "true" && value.name !== "false") {
      reportUndefinedName(value.name, value.span, this.env);
      return fallback;
    }
    this.env.reporter.error("wrong-argument-type", `\`${name}\` must be ${wanted}, got ${describeValue(value)}`, value.span, {
      hint: value.kind === "float" ? `write a whole number, e.g. ${name}=${Math.max(1, Math.round(value.value))}` : undefined,
    });
    return fallback;
  }

  private outOfRange<T>(name: string, value: Value, wanted: string, fallback: T): T {
    this.failed = true;
    this.env.reporter.error("bad-argument-value", `\`${name}\` must be ${wanted}, got ${describeValue(value)}`, value.span);
    return fallback;
  }
}
