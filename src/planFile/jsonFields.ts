// Typed reads of a parsed JSON document that say where a value is wrong: each read names the field by
// its path (`buffers[3].bytes`), what it must be and what it is, as a CnncUserError located at the file.
import { shortText } from "../../grammar/displayText.js";
import { CnncUserError } from "../errors.js";

export type JsonRecord = Record<string, unknown>;

/** A value for messages: short, and a string quoted. */
function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${shortText(JSON.stringify(value))}`;
  return shortText(String(value));
}

export class JsonFields {
  constructor(
    /** The file, as the user named it (a CnncUserError's location). */
    readonly file: string,
    readonly hint: string,
  ) {}

  /** A CnncUserError: `` `path` problem ``. */
  fail(path: string, problem: string, hint = this.hint): never {
    throw new CnncUserError(`\`${path}\` ${problem}`, { location: this.file, hint });
  }

  private expect(path: string, value: unknown, what: string): never {
    return this.fail(path, value === undefined ? `is missing (it must be ${what})` : `must be ${what}, got ${describeValue(value)}`);
  }

  record(value: unknown, path: string): JsonRecord {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return this.expect(path, value, "an object");
    return value as JsonRecord;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) return this.expect(path, value, "an array");
    return value;
  }

  /** Each element of an array field, read by `read(element, path)`. */
  list<T>(value: unknown, path: string, read: (element: unknown, path: string) => T): T[] {
    return this.array(value, path).map((element, index) => read(element, `${path}[${index}]`));
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") return this.expect(path, value, "a string");
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") return this.expect(path, value, "true or false");
    return value;
  }

  /** A whole number from `minimum` up to 2^53 - 1. */
  integer(value: unknown, path: string, minimum = 0): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
      return this.expect(path, value, `a whole number of at least ${minimum}`);
    }
    return value;
  }

  /** An integer that indexes a list of `count` (ids are list positions). */
  index(value: unknown, path: string, count: number, what: string): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value >= count) {
      return this.expect(path, value, count === 0 ? `an index of ${what}, but there are none` : `an index of ${what}, 0 to ${count - 1}`);
    }
    return value;
  }

  /** A finite number. */
  number(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) return this.expect(path, value, "a finite number");
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
    if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
      return this.expect(path, value, `one of ${choices.map((choice) => `"${choice}"`).join(", ")}`);
    }
    return value as T;
  }

  integers(value: unknown, path: string, minimum = 0): number[] {
    return this.list(value, path, (element, elementPath) => this.integer(element, elementPath, minimum));
  }

  strings(value: unknown, path: string): string[] {
    return this.list(value, path, (element, elementPath) => this.string(element, elementPath));
  }
}
