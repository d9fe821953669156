// `cnnc check --json`: a compilation's diagnostics as one JSON document, for editors. Positions are
// 1-based; columns count UTF-16 code units (as the printed diagnostics do) and `end` is the span's last
// character, inclusive. Like the printed report, it holds the first MAX_DIAGNOSTICS_SHOWN diagnostics
// and counts them all.
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { MAX_DIAGNOSTICS_SHOWN } from "../diagnosticReport.js";
import type { Graph } from "../ir/graph.js";
import { compactJson } from "./compactJson.js";

export interface DiagnosticJson {
  file: string;
  line: number;
  column: number;
  end: { line: number; column: number };
  severity: Diagnostic["severity"];
  code: string;
  message: string;
  hints: string[];
  notes: string[];
}

export interface CheckJson {
  file: string;
  /** Compiles without errors (warnings allowed): the exit status is 0. */
  ok: boolean;
  /** What compiled: absent when it did not. */
  network?: { name: string; layers: number; params: number; outputs: string[] };
  counts: { errors: number; warnings: number };
  diagnostics: DiagnosticJson[];
}

export function diagnosticJson(diagnostic: Diagnostic): DiagnosticJson {
  const { span } = diagnostic;
  return {
    file: span.file,
    line: span.startLine,
    column: span.startColumn,
    end: { line: span.endLine, column: span.endColumn },
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    hints: diagnostic.hint === undefined ? [] : [diagnostic.hint],
    notes: diagnostic.notes ?? [],
  };
}

export function checkJson(file: string, diagnostics: readonly Diagnostic[], graph: Graph | undefined): CheckJson {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const counts = { errors, warnings: diagnostics.length - errors };
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN).map(diagnosticJson);
  if (graph === undefined || errors > 0) return { file, ok: false, counts, diagnostics: shown };
  return { file, ok: true, network: networkTotals(graph), counts, diagnostics: shown };
}

/** What `cnnc check` says of a network that compiles, printed or as JSON. */
export function networkTotals(graph: Graph): NonNullable<CheckJson["network"]> {
  return {
    name: graph.name,
    layers: graph.nodes.filter((node) => node.attrs.op !== "input").length,
    // Elaboration keeps the network's totals exact (at most 2^53); check estimates no memory.
    params: graph.nodes.reduce((total, node) => total + node.paramCount, 0),
    outputs: graph.outputs.map((id) => graph.nodes[id]!.name),
  };
}

/**
 * Characters JSON leaves raw that a terminal or an editor may act on (C1 controls, bidi overrides and
 * isolates, zero-width marks, line and paragraph separators): written as \u escapes, still valid JSON.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function formatCheckJson(json: CheckJson): string {
  return `${compactJson(json).replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}
