import { describe, expect, it } from "vitest";
import { compactJson } from "../../src/cli/compactJson.js";

describe("compactJson", () => {
  it("keeps what fits in 120 columns on one line and parses back to the same data", () => {
    const value = {
      network: "N",
      input: [3, 224, 224],
      layers: Array.from({ length: 3 }, (_, i) => ({ name: `layer${i}`, op: "conv", output: [64, 224, 224], params: 1792, note: 'quote " and [ brackets ]' })),
      empty: { list: [], object: {} },
    };
    const text = compactJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text.split("\n")).toEqual([
      "{",
      '  "network": "N",',
      '  "input": [3, 224, 224],',
      '  "layers": [',
      '    { "name": "layer0", "op": "conv", "output": [64, 224, 224], "params": 1792, "note": "quote \\" and [ brackets ]" },',
      '    { "name": "layer1", "op": "conv", "output": [64, 224, 224], "params": 1792, "note": "quote \\" and [ brackets ]" },',
      '    { "name": "layer2", "op": "conv", "output": [64, 224, 224], "params": 1792, "note": "quote \\" and [ brackets ]" }',
      "  ],",
      '  "empty": { "list": [], "object": {} }',
      "}",
    ]);
    expect(Math.max(...text.split("\n").map((line) => line.length))).toBeLessThanOrEqual(120);
  });

  it("refuses values JSON would silently turn into null", () => {
    expect(() => compactJson({ a: Number.NaN })).toThrow(/NaN has no JSON form/);
    expect(() => compactJson([Infinity])).toThrow(/Infinity has no JSON form/);
  });
});
