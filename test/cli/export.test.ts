// `cnnc export`: a format is required, the file is written, and a network PyTorch cannot hold as
// named is a diagnostic at the layer (nothing written).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cnnc, tempFile } from "./cliHelpers.js";

describe("cnnc export", () => {
  it("needs a format", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2)\n}\n");
    const result = await cnnc(["export", model]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: cnnc export needs a format to write\n  = help: give --pytorch FILE, e.g. cnnc export ${model} --pytorch net.py\n`);
  });

  it("writes a PyTorch module (an input named x, the chain variable, is renamed)", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2) as head.0\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`wrote ${out}: M as a PyTorch module (class M)\n`);
    const text = readFileSync(out, "utf8");
    expect(text).toContain('self.head = nn.ModuleDict({\n            "0": nn.Linear(4, 2),\n        })');
    expect(text).toContain('head_0 = self.head["0"](x_2)  # head.0: [2]');
  });

  it("reports a layer name PyTorch cannot register, at the layer, and writes nothing", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2) as forward\n}\n");
    const out = join(dirname(model), "net.py");
    const result = await cnnc(["export", model, "--pytorch", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${model}:3:3: error[export-reserved-name]: layer \`forward\` cannot keep its name in PyTorch: \`forward\` would be a submodule named \`forward\`, which is already an attribute of the module holding it\n` +
        "   |\n 3 |   fc(2) as forward\n   |   ^^^^^^^^^^^^^^^^\n  = help: rename the layer with `as NAME` (its weight names change with it)\n\n" +
        "error: M cannot be exported to PyTorch exactly; nothing was written\n",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("will not overwrite the model", async () => {
    const model = tempFile("m.cnn", "network M {\n  input x: 4\n  fc(2)\n}\n");
    const result = await cnnc(["export", model, "--pytorch", model]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is a source file of the model: cnnc will not overwrite it");
    expect(readFileSync(model, "utf8")).toContain("network M");
  });
});
