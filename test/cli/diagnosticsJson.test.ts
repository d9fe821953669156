// `cnnc check --json`: one JSON document with every field of each diagnostic, the same exit status as
// the printed check, nothing on stderr, and text an editor or terminal could act on escaped.
import { describe, expect, it } from "vitest";
import { checkJson, formatCheckJson } from "../../src/cli/diagnosticsJson.js";
import { compileSource } from "../../src/compile.js";
import { cnnc, tempFile } from "./cliHelpers.js";

describe("cnnc check --json", () => {
  it("lists an error's position, span end, code, message, hints and notes, and exits 1", async () => {
    const file = tempFile("bad.cnn", "network N {\n  input x: 1x7x7\n  c1 = conv(6, 3, stride=3)\n}\n");
    const run = await cnnc(["check", file, "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      file,
      ok: false,
      counts: { errors: 1, warnings: 0 },
      diagnostics: [
        {
          file,
          line: 3,
          column: 8,
          end: { line: 3, column: 27 },
          severity: "error",
          code: "shape-not-integer",
          message: "conv output size is not a whole number",
          hints: [expect.stringContaining("strides that fit: 1, 2")],
          notes: ["(7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole number", "the input is 1x7x7 (CxHxW)"],
        },
      ],
    });
  });

  it("describes the network when it compiles, warnings included, and exits 0", async () => {
    const file = tempFile("ok.cnn", "network N {\n  input x: 32x32\n  a = conv(4, 3)\n  b = x -> fc(3)\n  outputs a, b\n}\n");
    const run = await cnnc(["check", file, "--json"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; network: unknown; counts: unknown; diagnostics: { code: string }[] };
    expect(json.ok).toBe(true);
    expect(json.network).toEqual({ name: "N", layers: 2, params: 4 * 32 * 3 + 4 + 32 * 32 * 3 + 3, outputs: ["a", "b"] });
    expect(json.counts).toEqual({ errors: 0, warnings: 1 });
    expect(json.diagnostics.map((d) => d.code)).toEqual(["flat-image-input"]);
  });

  it("reports a missing file as a diagnostic", async () => {
    const run = await cnnc(["check", "/nonexistent/net.cnn", "--json"]);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { ok: boolean; diagnostics: { code: string; severity: string }[] };
    expect(json.ok).toBe(false);
    expect(json.diagnostics.map((d) => `${d.severity}[${d.code}]`)).toEqual(["error[file-not-found]"]);
  });

  it("counts every diagnostic and lists the first 50", () => {
    const source = `network N {\n${Array.from({ length: 60 }, (_, i) => `  v${i} = conv(0, 1)\n`).join("")}}\n`;
    const result = compileSource(source, "many.cnn");
    const json = checkJson("many.cnn", result.diagnostics, result.graph);
    expect(json.counts.errors).toBe(result.diagnostics.filter((d) => d.severity === "error").length);
    expect(json.counts.errors + json.counts.warnings).toBeGreaterThan(50);
    expect(json.diagnostics).toHaveLength(50);
  });

  it("escapes bidi overrides and other invisible controls, and stays valid JSON", () => {
    const file = "evil\u202e\u0085.cnn";
    const result = compileSource("network N {\n  input x: 1x4x4\n  cnv(2, 1)\n}\n", file);
    const json = checkJson(file, result.diagnostics, result.graph);
    expect(JSON.stringify(json)).toMatch(/[\u202e\u0085]/);
    const text = formatCheckJson(json);
    expect(text).not.toMatch(/[\u202e\u0085]/);
    expect(text).toContain("evil\\u202e\\u0085.cnn");
    expect(JSON.parse(text)).toEqual(json);
  });
});
