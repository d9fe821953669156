// `cnnc check` end to end on hostile and mistaken input to the front end: what reaches the terminal is
// escaped, a BOM is skipped, a channels-last input is a warning (exit 0), a runaway repetition and a
// long expression are located errors (exit 1), never internal errors (exit 2).
import { describe, expect, it } from "vitest";
import { cnnc, tempFile } from "./cliHelpers.js";

describe("cnnc check on hostile and mistaken input", () => {
  it("escapes control characters in the file name and the quoted line", async () => {
    const file = tempFile("evil\x1b]0;x\x07.cnn", "network N {\n  input x: 1x4x4\n  relu -> $ # \x1b[2J\u202e\n}\n");
    const run = await cnnc(["check", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(" 3 |   relu -> $ # \\x1b[2J\\u{202e}\n");
    expect(run.stderr).toContain("evil\\x1b]0;x\\x07.cnn does not compile (2 errors)\n");
    expect(run.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
  });

  it("skips a byte-order mark", async () => {
    const run = await cnnc(["check", tempFile("bom.cnn", "\ufeffnetwork N {\n  input x: 1x4x4\n  relu\n}\n")]);
    expect(run).toEqual({ code: 0, stdout: "ok: N (1 layer, 0 params)\n", stderr: "" });
  });

  it("warns about a channels-last input and still succeeds", async () => {
    const run = await cnnc(["check", tempFile("hwc.cnn", "network N {\n  input image: 32x32x3\n  flatten\n}\n")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning[channels-last-input]: input `image` looks channels-last: 32x32x3 reads as 32 channels of 32x3 pixels");
    expect(run.stderr).toContain("write `input image: 3x32x32`");
  });

  it("rejects a repetition past the layer limit instead of shortening the network", async () => {
    const run = await cnnc(["check", tempFile("big.cnn", "network N {\n  input x: 8x8x8\n  [[conv(8, 3, pad=1)] * 1000] * 101\n}\n")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(":3:3: error[network-too-large]: this repetition makes 1,000 x 101 = 101,000 layers: a network may have at most 100,000");
  });

  it("rejects an expression of 2,500 terms with a located error", async () => {
    const terms = Array.from({ length: 2500 }, () => "1").join("+");
    const run = await cnnc(["check", tempFile("sum.cnn", `network N {\n  input x: 1x4x4\n  fc(${terms})\n}\n`)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(":3:6: error[syntax]: expression has 2,500 terms, more than the limit of 1,000");
  });
});
