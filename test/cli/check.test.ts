import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cnnc, tempFile } from "./cliHelpers.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");

describe("cnnc check", () => {
  it("prints ok with the layer and parameter counts, exit 0", async () => {
    expect(await cnnc(["check", join(EXAMPLES, "lenet5.cnn")])).toEqual({ code: 0, stdout: "ok: LeNet5 (12 layers, 61,706 params)\n", stderr: "" });
  });

  it("passes every example", async () => {
    for (const name of ["alexnet", "fashion_cnn", "googlenet", "lenet5", "lenet5_fashion", "resnet18", "resnet34", "textcnn", "vgg16", "vgg19", "zfnet"]) {
      const run = await cnnc(["check", join(EXAMPLES, `${name}.cnn`)]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^ok: \w+ \(\d+ layers, [\d,]+ params\)\n$/);
    }
  });

  it("prints errors to stderr and exits 1", async () => {
    const file = tempFile("bad.cnn", "network Bad {\n  input image: 1x7x7\n  c1 = conv(6, 3, stride=3)\n}\n");
    const run = await cnnc(["check", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      [
        `${file}:3:8: error[shape-not-integer]: conv output size is not a whole number`,
        "   |",
        " 3 |   c1 = conv(6, 3, stride=3)",
        "   |        ^^^^^^^^^^^^^^^^^^^^",
        "  = note: (7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole number",
        "  = note: the input is 1x7x7 (CxHxW)",
        "  = help: strides that fit: 1, 2; paddings that fit with stride 3: 1; or add rounding=floor to drop the incomplete last window (what PyTorch does)",
        "",
        `error: ${file} does not compile (1 error)`,
        "",
      ].join("\n"),
    );
  });

  it("says `1 layer` and groups thousands in the ok line", async () => {
    const one = await cnnc(["check", tempFile("one.cnn", "network One {\n  input x: 1x4x4\n  relu\n}\n")]);
    expect(one.stdout).toBe("ok: One (1 layer, 0 params)\n");
    const many = await cnnc(["check", tempFile("many.cnn", "network Many {\n  input x: 1x4x4\n  [relu] * 1200\n}\n")]);
    expect(many.stdout).toBe("ok: Many (1,200 layers, 0 params)\n");
  });

  it("prints the first 50 diagnostics and counts the rest", async () => {
    const lines = Array.from({ length: 60 }, () => "  !");
    const run = await cnnc(["check", tempFile("noise.cnn", `network N {\n  input x: 1x4x4\n${lines.join("\n")}\n  relu\n}\n`)]);
    expect(run.code).toBe(1);
    expect(run.stderr.match(/^\S+noise\.cnn:\d+:\d+: error\[lex\]/gm)).toHaveLength(50);
    expect(run.stderr).toContain("noise.cnn:52:3: error[lex]"); // the 50th, in source order
    expect(run.stderr).not.toContain("noise.cnn:53:3:");
    expect(run.stderr).toContain("\n... and 10 more errors not shown (the first 50 are above)\n");
    expect(run.stderr).toMatch(/does not compile \(60 errors\)\n$/);
  });

  it("reports syntax errors from the parser the same way", async () => {
    const run = await cnnc(["check", tempFile("syntax.cnn", "network N {\n  input x: 1x4x4\n  conv(6, 3\n}\n")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[syntax\]/);
  });

  it("prints warnings but still succeeds", async () => {
    const run = await cnnc(["check", tempFile("warn.cnn", "network W {\n  input x: 1x4x4\n  a = relu\n  b = x -> tanh\n}\n")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning\[unused-value\]: value `a` is never used/);
    expect(run.stdout).toBe("ok: W (2 layers, 0 params)\n");
  });

  it("reports a missing file, exit 1", async () => {
    const run = await cnnc(["check", "no/such/file.cnn"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error[file-not-found]: cannot read `no/such/file.cnn`");
  });

  it("exits 1 on command-line mistakes and 0 for --help", async () => {
    expect(await cnnc(["check"])).toMatchObject({ code: 1, stderr: "error: missing required argument 'file'\n" });
    expect(await cnnc(["frobnicate"])).toMatchObject({ code: 1, stderr: "error: unknown command 'frobnicate'\n" });
    const help = await cnnc(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("check [options] <file>");
    expect(help.stdout).toContain("summary [options] <file>");
  });

  it("reports an unexpected exception as our bug, exit 2", async () => {
    const run = await cnnc(["explode"], (program) => {
      program.command("explode").action(() => {
        throw new TypeError("boom");
      });
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^internal error \(this is a bug in cnnc\)\nTypeError: boom\n {4}at /);
  });
});
