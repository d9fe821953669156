// Python source text: literals and identifiers as the generated PyTorch module writes them.

/** Python's reserved words: not usable as variable or attribute names. */
const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except finally for from global if import in is " +
    "lambda nonlocal not or pass raise return try while with yield"
  ).split(" "),
);

/** Whether `name` can be written as a bare Python identifier (ASCII letters, digits, `_`; not a keyword). */
export function isPythonIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}

/** A number as a Python literal: JavaScript's shortest round-trip text is valid Python, infinities are not. */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (value === Infinity) return 'float("inf")';
  if (value === -Infinity) return '-float("inf")';
  return String(value);
}

/** A string as a Python literal (JSON's escapes are Python's for the characters JSON escapes). */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}

export function pythonBool(value: boolean): string {
  return value ? "True" : "False";
}

/** `(a, b)` for a pair, or the single number where both are equal (PyTorch accepts either). */
export function pythonPair([first, second]: readonly [number, number]): string {
  return first === second ? String(first) : `(${first}, ${second})`;
}

/** A tuple literal: `(3,)` for one element. */
export function pythonTuple(values: readonly (number | string)[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}

/**
 * A Python identifier made from `name` (a layer or input name such as `layer1.0.conv1`): other
 * characters become `_`, a leading digit or a keyword gets a `_` added, and `taken` names are avoided
 * with a numeric suffix. The result is added to `taken`.
 */
export function pythonVariable(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (base === "" || /^[0-9]/.test(base)) base = `v_${base}`;
  if (!isPythonIdentifier(base)) base = `${base}_`;
  let candidate = base;
  for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${base}_${suffix}`;
  taken.add(candidate);
  return candidate;
}
