// Chevrotain reports a parse error as an exception whose only description is a message string.
// Instead of English, our message provider writes down the facts (which tokens were expected, in
// which rule) as JSON; syntaxDiagnostics.ts decodes them and writes the user-facing message with
// the context it can see in the token stream (which bracket is open, what came before).
import type { IParserErrorMessageProvider, TokenType } from "chevrotain";

export type ParseErrorKind = "mismatch" | "no-viable-alternative" | "early-exit" | "not-all-input" | "unknown";

export interface ParseErrorFacts {
  kind: ParseErrorKind;
  /** Names of the token types that would have been accepted (first tokens of each possible path). */
  expected: string[];
  /** The grammar rule that failed. */
  rule: string;
}

function firstTokenNames(paths: readonly (readonly TokenType[])[]): string[] {
  const names = new Set<string>();
  for (const path of paths) {
    const first = path[0];
    if (first !== undefined) names.add(first.name);
  }
  return [...names];
}

function encode(facts: ParseErrorFacts): string {
  return JSON.stringify(facts);
}

export const structuredErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, ruleName }) {
    return encode({ kind: "mismatch", expected: [expected.name], rule: ruleName });
  },
  buildNotAllInputParsedMessage({ ruleName }) {
    return encode({ kind: "not-all-input", expected: [], rule: ruleName });
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, ruleName }) {
    return encode({ kind: "no-viable-alternative", expected: firstTokenNames(expectedPathsPerAlt.flat()), rule: ruleName });
  },
  buildEarlyExitMessage({ expectedIterationPaths, ruleName }) {
    return encode({ kind: "early-exit", expected: firstTokenNames(expectedIterationPaths), rule: ruleName });
  },
};

const knownKinds: readonly string[] = ["mismatch", "no-viable-alternative", "early-exit", "not-all-input"];

/** Reads back what structuredErrorMessages wrote; anything else is reported as kind "unknown". */
export function decodeErrorMessage(message: string): ParseErrorFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { kind: "unknown", expected: [], rule: "" };
  }
  if (typeof parsed !== "object" || parsed === null) return { kind: "unknown", expected: [], rule: "" };
  const record = parsed as Record<string, unknown>;
  const kind = typeof record.kind === "string" && knownKinds.includes(record.kind) ? (record.kind as ParseErrorKind) : "unknown";
  const expected = Array.isArray(record.expected) ? record.expected.filter((e): e is string => typeof e === "string") : [];
  const rule = typeof record.rule === "string" ? record.rule : "";
  return { kind, expected, rule };
}
