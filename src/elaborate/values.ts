// The values elaboration computes from argument expressions. Which kinds a layer accepts is decided by
// the layer's argument converters (arguments.ts); here a value only remembers where it was written.
import type { SourceSpan } from "../../grammar/ast.js";
import { shortText } from "../../grammar/displayText.js";

export type Value =
  | { kind: "int"; value: number; span: SourceSpan }
  | { kind: "float"; value: number; span: SourceSpan }
  /** `3x3`, `1x32x32` */
  | { kind: "dims"; values: number[]; span: SourceSpan }
  | { kind: "list"; items: Value[]; span: SourceSpan }
  /** An identifier that is not a constant, parameter or value: `same`, `true`, `reflect`, or a typo. */
  | { kind: "word"; name: string; span: SourceSpan }
  | { kind: "string"; value: string; span: SourceSpan }
  /** A reference to a named value (a node of the graph); `node` is undefined after an earlier error. */
  | { kind: "tensor"; name: string; node: number | undefined; span: SourceSpan }
  /** A constant whose definition failed (already reported): its uses stay silent. */
  | { kind: "invalid"; span: SourceSpan };

/** A value written somewhere else (a constant, a parameter's default), re-anchored at its use. */
export function withSpan(value: Value, span: SourceSpan): Value {
  return { ...value, span };
}

/** Items of a list a message shows; the rest is summarized (a string: shortText). */
const MAX_LIST_ITEMS = 8;

/** How a value reads in messages: `6.5`, `3x3`, `[1, 0]`, `same`, `"a"`, `the value b`. Long lists and strings are cut. */
export function describeValue(value: Value): string {
  switch (value.kind) {
    case "int":
    case "float":
      return String(value.value);
    case "dims":
      return value.values.join("x");
    case "list": {
      const shown = value.items.slice(0, MAX_LIST_ITEMS).map(describeValue);
      const rest = value.items.length - shown.length;
      return `[${[...shown, ...(rest > 0 ? [`… (${value.items.length} items)`] : [])].join(", ")}]`;
    }
    case "word":
      return value.name;
    case "string":
      return shortText(value.value, JSON.stringify);
    case "tensor":
      return `the value \`${value.name}\``;
    case "invalid":
      return "an invalid value";
  }
}
