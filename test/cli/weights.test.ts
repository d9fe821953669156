import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cnnc, tempFile } from "./cliHelpers.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");

describe("cnnc weights", () => {
  it("prints the expected state_dict with parameters, buffers and the counters cnnc skips", async () => {
    const run = await cnnc(["weights", join(EXAMPLES, "fashion_cnn.cnn")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      [
        "FashionCNN: the state_dict, in PyTorch's order (name, shape, kind)",
        "  conv1.weight             [16, 1, 3, 3]   parameter",
        "  bn1.weight               [16]            parameter",
        "  bn1.bias                 [16]            parameter",
        "  bn1.running_mean         [16]            buffer",
        "  bn1.running_var          [16]            buffer",
        "  bn1.num_batches_tracked  []              buffer (not read)",
        "  conv2.weight             [32, 16, 3, 3]  parameter",
        "  bn2.weight               [32]            parameter",
        "  bn2.bias                 [32]            parameter",
        "  bn2.running_mean         [32]            buffer",
        "  bn2.running_var          [32]            buffer",
        "  bn2.num_batches_tracked  []              buffer (not read)",
        "  fc1.weight               [64, 1568]      parameter",
        "  fc1.bias                 [64]            parameter",
        "  fc2.weight               [10, 64]        parameter",
        "  fc2.bias                 [10]            parameter",
        "10 parameters (105,914 values), 6 buffers; a --weights file needs them all but the 2 num_batches_tracked counters, which cnnc skips",
        "",
      ].join("\n"),
    );
  });

  it("prints exactly the stable JSON interface", async () => {
    const run = await cnnc(["weights", join(EXAMPLES, "lenet5.cnn"), "--json"]);
    expect(run.code).toBe(0);
    const tensor = (name: string, shape: number[]) => ({ name, shape, kind: "parameter", read: true });
    expect(JSON.parse(run.stdout)).toEqual({
      network: "LeNet5",
      tensors: [
        tensor("c1.weight", [6, 1, 5, 5]), tensor("c1.bias", [6]),
        tensor("c3.weight", [16, 6, 5, 5]), tensor("c3.bias", [16]),
        tensor("c5.weight", [120, 400]), tensor("c5.bias", [120]),
        tensor("f6.weight", [84, 120]), tensor("f6.bias", [84]),
        tensor("out.weight", [10, 84]), tensor("out.bias", [10]),
      ],
      parameters: 10,
      parameterValues: 61_706,
      buffers: 0,
    });
  });

  it("marks buffers in the JSON, and the counter as not read", async () => {
    const file = tempFile("bn.cnn", "network B {\n  input x: 2x4x4\n  batchnorm as bn\n}\n");
    const run = await cnnc(["weights", file, "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      tensors: [
        { name: "bn.weight", kind: "parameter" }, { name: "bn.bias", kind: "parameter" },
        { name: "bn.running_mean", kind: "buffer", read: true }, { name: "bn.running_var", kind: "buffer", read: true },
        { name: "bn.num_batches_tracked", shape: [], kind: "buffer", read: false },
      ],
      parameters: 2,
      parameterValues: 4,
      buffers: 3,
    });
  });

  it("says so when the network needs no weights", async () => {
    const run = await cnnc(["weights", tempFile("none.cnn", "network P {\n  input x: 2x4x4\n  relu -> maxpool(2)\n}\n")]);
    expect(run).toEqual({ code: 0, stdout: "P has no parameters or buffers: it needs no weights\n", stderr: "" });
  });

  it("reports a file that does not compile, and prints nothing", async () => {
    const run = await cnnc(["weights", tempFile("bad.cnn", "network P {\n  input x: 2x4x4\n  reluu\n}\n")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("error[unknown-layer]: unknown layer `reluu`");
  });
});
