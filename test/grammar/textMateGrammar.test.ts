// The TextMate grammar in editors/: the committed file is what `npm run textmate` generates from the
// lexer's tokens, every token has a scope, and scanning sources the way TextMate does (first rule with
// the earliest match) cuts them into the tokens the lexer cuts them into.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { textMatePath } from "../../grammar/generateTextMate.js";
import { TOKEN_SCOPES, textMateGrammar, textMateJson, type TextMateRule } from "../../grammar/textMateGrammar.js";
import { allTokens, cnnLexer, keywordTokens, WhiteSpace } from "../../grammar/tokens.js";
import { samples } from "./samples.js";

const EDITORS = join(import.meta.dirname, "../../editors");

/** TextMate's scan of one line-free source: at each point, the rule whose match starts first (ties: the first rule). */
function scan(text: string, rules: readonly TextMateRule[]): { image: string; scope: string }[] {
  const compiled = rules.map((rule) => ({ scope: rule.name, regex: new RegExp(rule.match, "gu") }));
  const found: { image: string; scope: string }[] = [];
  let position = 0;
  while (position < text.length) {
    let best: { index: number; image: string; scope: string } | undefined;
    for (const { scope, regex } of compiled) {
      regex.lastIndex = position;
      const match = regex.exec(text);
      if (match === null || match[0] === "") continue;
      if (best === undefined || match.index < best.index) best = { index: match.index, image: match[0], scope };
    }
    if (best === undefined) break;
    found.push({ image: best.image, scope: best.scope });
    position = best.index + best.image.length;
  }
  return found;
}

describe("editors/cnn.tmLanguage.json", () => {
  it("is what `npm run textmate` generates from grammar/tokens.ts", () => {
    expect(readFileSync(textMatePath, "utf8")).toBe(textMateJson());
  });

  it("has a rule with a scope for every token of the lexer (keywords and operators included)", () => {
    const rules = textMateGrammar().patterns;
    const tokens = allTokens.filter((token) => token !== WhiteSpace);
    expect(rules).toHaveLength(tokens.length);
    for (const token of tokens) expect(TOKEN_SCOPES[token.name], token.name).toBeDefined();
    expect(Object.keys(TOKEN_SCOPES).sort()).toEqual(tokens.map((token) => token.name).sort());
    for (const keyword of keywordTokens) {
      const word = (keyword.PATTERN as RegExp).source;
      expect(rules.find((rule) => rule.match === `\\b${word}\\b`)?.name, word).toBe(TOKEN_SCOPES[keyword.name]);
    }
  });

  it("cuts sources into the lexer's tokens, with each token's scope", () => {
    const rules = textMateGrammar().patterns;
    const comment = TOKEN_SCOPES["Comment"];
    const sources = [
      ...Object.values(samples),
      "network N { input inputs: 3x32x32; outputs2 = conv(64, 3x3, pad=[0, 1, 0, 1]) as layer1.0 @winograd -> relu\n outputs outputs2 }",
      'use "a\\"b.cnn"\nconst K = (3 - 1) / 2 % 4 * 1e-5\nblock b(ch) { in -> conv(ch, 1) }\ntrain { optimizer = sgd(momentum=0.9) }',
    ];
    for (const text of sources) {
      const lexed = cnnLexer.tokenize(text);
      expect(lexed.errors).toEqual([]);
      const expected = lexed.tokens.map((token) => ({ image: token.image, scope: TOKEN_SCOPES[token.tokenType.name]! }));
      expect(scan(text, rules).filter((token) => token.scope !== comment)).toEqual(expected);
    }
  });

  it("is installable as a VS Code extension from the folder", () => {
    const manifest = JSON.parse(readFileSync(join(EDITORS, "package.json"), "utf8")) as {
      contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; scopeName: string; path: string }[] };
    };
    const [language] = manifest.contributes.languages;
    const [grammar] = manifest.contributes.grammars;
    expect(language?.extensions).toEqual([".cnn"]);
    expect(grammar).toEqual({ language: language?.id, scopeName: textMateGrammar().scopeName, path: "./cnn.tmLanguage.json" });
    expect(() => JSON.parse(readFileSync(join(EDITORS, language!.configuration), "utf8")) as unknown).not.toThrow();
  });
});
