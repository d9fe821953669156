// Writes editors/cnn.tmLanguage.json from the lexer's tokens (textMateGrammar.ts). Run with
// `npm run textmate`.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { textMateJson } from "./textMateGrammar.js";

export const textMatePath = join(dirname(fileURLToPath(import.meta.url)), "..", "editors", "cnn.tmLanguage.json");

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(textMatePath, textMateJson());
  console.log(`wrote ${textMatePath}`);
}
