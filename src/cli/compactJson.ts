// JSON for people to read and programs to parse: like JSON.stringify(value, null, 2), but an array or
// object whose one-line form fits in the width stays on one line, so a summary prints one layer per
// line and a shape as [3, 224, 224] instead of one number per line.
const WIDTH = 120;

function entriesOf(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, item]) => item !== undefined);
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = entriesOf(value).map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  const text = JSON.stringify(value);
  if (text === undefined || (typeof value === "number" && !Number.isFinite(value))) {
    throw new Error(`internal: ${String(value)} has no JSON form`);
  }
  return text;
}

/** Plain data only: a non-finite number or a function is an internal error, not a silent `null`. */
export function compactJson(value: unknown, indent = ""): string {
  const flat = oneLine(value);
  if (indent.length + flat.length <= WIDTH || typeof value !== "object" || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((item: unknown) => `${inner}${compactJson(item, inner)}`).join(",\n")}\n${indent}]`;
  return `{\n${entriesOf(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner)}`).join(",\n")}\n${indent}}`;
}
