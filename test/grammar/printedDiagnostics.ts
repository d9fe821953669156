// The golden-test helper of the grammar's diagnostics: the full text the user sees (formatDiagnostics
// with the source) for a source parsed as net.cnn.
import { expect } from "vitest";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { parseProgram } from "../../grammar/parse.js";

export function expectDiagnostics(text: string, expected: string): void {
  const { diagnostics } = parseProgram(text, "net.cnn");
  expect(formatDiagnostics(diagnostics, new Map([["net.cnn", text]]))).toBe(expected);
}
