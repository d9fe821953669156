import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildDiagramsHtml, diagramsPath } from "../../grammar/generateDiagrams.js";
import { createParser } from "../../grammar/parser.js";

describe("syntax diagrams", () => {
  it("the committed grammar/diagrams.html is what `npm run diagrams` generates from the parser", () => {
    expect(readFileSync(diagramsPath, "utf8")).toBe(buildDiagramsHtml());
  });

  it("draws every grammar rule and works offline (no external scripts or stylesheets)", () => {
    const html = buildDiagramsHtml();
    for (const rule of Object.keys(createParser().getGAstProductions())) expect(html).toContain(`"name": "${rule}"`);
    expect(html).not.toMatch(/<script src=|<link rel=|unpkg\.com/);
    expect(html).toContain("drawDiagramsFromSerializedGrammar");
  });
});
