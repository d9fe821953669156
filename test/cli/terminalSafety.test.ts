// Everything cnnc prints is safe for a terminal, not only compile diagnostics: user text quoted in a
// runtime error (a tensor name from a weights file, an --output path), commander's own errors and the
// run's lines show control characters escaped; and file paths are printed whole, so that editors can
// jump to `file:line:col`.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { writeSafetensors } from "../../runtime/safetensors.js";
import { CnncUserError } from "../../src/errors.js";
import { makeTensor } from "../../src/tensor.js";
import { cnnc, tempFile } from "./cliHelpers.js";

const HOSTILE = "\x1b]0;pwned\x07\x1b[2J";
const SHOWN = "\\x1b]0;pwned\\x07\\x1b[2J";
const MODEL = "network Tiny {\n  input x: 1x4x4\n  out = fc(2)\n}\n";

/** Whether `text` holds any C0/C1 control other than a line break, or a bidi control. */
function hasRawControls(text: string): boolean {
  return /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(text);
}

describe("terminal safety beyond diagnostics", () => {
  it("escapes a tensor name from a weights file in the error", async () => {
    const model = tempFile("tiny.cnn", MODEL);
    const weights = join(mkdtempSync(join(tmpdir(), "cnnc-safe-")), "w.safetensors");
    writeFileSync(
      weights,
      writeSafetensors(
        new Map([
          ["out.weight", makeTensor([2, 16])],
          ["out.bias", makeTensor([2])],
          [`x${HOSTILE}`, makeTensor([1])],
        ]),
      ),
    );
    const run = await cnnc(["run", model, "--random-input", "--weights", weights]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`x${SHOWN}`);
    expect(hasRawControls(run.stdout + run.stderr)).toBe(false);
  });

  it("escapes an --output path and commander's quotes of unknown options", async () => {
    const model = tempFile("tiny.cnn", MODEL);
    const output = await cnnc(["run", model, "--random-input", "--output", join(tmpdir(), `missing${HOSTILE}`, "y.npy")]);
    expect(output.code).toBe(1);
    expect(output.stderr).toContain(SHOWN);
    expect(hasRawControls(output.stderr)).toBe(false);
    const option = await cnnc(["check", model, `--bogus${HOSTILE}`]);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain(`--bogus${SHOWN}`);
    expect(hasRawControls(option.stderr)).toBe(false);
  });

  it("prints a long file path whole in a diagnostic and in the summary line", async () => {
    const directory = join(mkdtempSync(join(tmpdir(), "cnnc-safe-")), "a_very_long_directory_name_for_testing_".repeat(3), "and_another_one");
    mkdirSync(directory, { recursive: true });
    const file = join(directory, "stride.cnn");
    writeFileSync(file, "network Bad {\n  input image: 1x7x7\n  c1 = conv(6, 3, stride=3)\n}\n");
    expect(file.length).toBeGreaterThan(120);
    const run = await cnnc(["check", file]);
    expect(run.code).toBe(1);
    expect(run.stderr.startsWith(`${file}:3:8: error[shape-not-integer]`)).toBe(true);
    expect(run.stderr).toContain(`error: ${file} does not compile (1 error)`);
  });

  it("keeps paths in runtime errors whole and shortens a pasted megabyte", () => {
    const path = `/data/${"deep/".repeat(60)}w.safetensors`;
    expect(new CnncUserError(`cannot read \`${path}\``).describe()).toBe(`error: cannot read \`${path}\``);
    const pasted = new CnncUserError(`unexpected tensor \`${"a".repeat(1_000_000)}\``, { hint: `remove it${HOSTILE}` }).describe();
    expect(pasted.length).toBeLessThan(5000);
    expect(pasted).toContain("…");
    expect(pasted.endsWith(`= help: remove it${SHOWN}`)).toBe(true);
  });
});
