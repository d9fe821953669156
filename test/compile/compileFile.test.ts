// How compileFile reads the model and the files it `use`s: only regular UTF-8 files within the source
// bound; anything else is a diagnostic at the start of the model, or at the `use` that names the file.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { compileFile, MODEL_SOURCE_FILE, readTextFile } from "../../src/compile.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-compile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NETWORK = "network N {\n  input x: 3x8x8\n  relu\n}\n";

function diagnosticsOf(path: string): string {
  const result = compileFile(path);
  expect(result.graph).toBeUndefined();
  return formatDiagnostics(result.diagnostics, result.sources);
}

describe("compileFile reading sources", () => {
  it("says the model is a directory", () => {
    const folder = join(dir, "model.cnn");
    mkdirSync(folder);
    expect(diagnosticsOf(folder)).toBe(`${folder}:1:1: error[file-unreadable]: \`${folder}\` is a directory\n  = help: give the path of a model source (a file)`);
  });

  it("refuses a model past the source bound from its size, without reading it", () => {
    const big = join(dir, "big.cnn");
    writeFileSync(big, "");
    truncateSync(big, Math.round(3.2 * 2 ** 30)); // sparse: nothing is written
    expect(diagnosticsOf(big)).toBe(
      `${big}:1:1: error[file-unreadable]: \`${big}\` is 3.2 GiB; cnnc reads model sources up to 4 MiB\n` +
        "  = help: a .cnn source is a short text file: is this the right file?",
    );
    expect(MODEL_SOURCE_FILE.maxBytes).toBe(4 * 2 ** 20);
  });

  it("refuses a file that is not UTF-8 text, and reads one with a byte order mark", () => {
    const binary = join(dir, "binary.cnn");
    writeFileSync(binary, new Uint8Array([0x6e, 0x65, 0xff, 0xfe, 0x00]));
    expect(diagnosticsOf(binary)).toContain(`error[file-unreadable]: \`${binary}\` is not UTF-8 text`);
    const bom = join(dir, "bom.cnn");
    writeFileSync(bom, `\uFEFF${NETWORK}`);
    expect(readTextFile(bom)).toBe(NETWORK);
    expect(compileFile(bom).graph?.name).toBe("N");
  });

  it("points at the `use` of a directory or of a file past the bound", () => {
    mkdirSync(join(dir, "blocks"));
    const useDir = join(dir, "use-dir.cnn");
    writeFileSync(useDir, `use "blocks"\n${NETWORK}`);
    expect(diagnosticsOf(useDir)).toBe(
      [
        `${useDir}:1:1: error[use-unreadable]: \`${join(dir, "blocks")}\` is a directory`,
        "   |",
        ' 1 | use "blocks"',
        "   | ^^^^^^^^^^^^",
        "  = help: give the path of a model source (a file)",
      ].join("\n"),
    );
    const large = join(dir, "large.cnn");
    writeFileSync(large, "");
    truncateSync(large, MODEL_SOURCE_FILE.maxBytes + 1);
    const useLarge = join(dir, "use-large.cnn");
    writeFileSync(useLarge, `use "large.cnn"\n${NETWORK}`);
    expect(diagnosticsOf(useLarge)).toContain(`error[use-unreadable]: \`${large}\` is 4,194,305 bytes; cnnc reads model sources up to 4,194,304 bytes`);
  });

  it("keeps `use-not-found` for a missing file", () => {
    const useMissing = join(dir, "use-missing.cnn");
    writeFileSync(useMissing, `use "nope.cnn"\n${NETWORK}`);
    expect(diagnosticsOf(useMissing)).toContain("error[use-not-found]: cannot read `nope.cnn`");
  });
});
