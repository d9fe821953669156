// The generated training loop run in PyTorch: a two-output network trains on the output its train
// section names (only the layers feeding it change; the weights it saves are cnnc's names and shapes),
// and a two-output network without a train section, or a network whose output is not class scores,
// says why it has no loop instead of training.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initWeights } from "../../../runtime/init.js";
import { readSafetensorsFile } from "../../../runtime/safetensors.js";
import { compileSource } from "../../../src/compile.js";
import { exportPyTorch } from "../../../src/export/pytorch/exportPyTorch.js";
import type { Graph } from "../../../src/ir/graph.js";
import { TWO_OUTPUTS } from "./exportFixtures.js";
import { reportMissingTorch, torchPython } from "./torchPython.js";

function compiled(source: string): Graph {
  const result = compileSource(source, "heads.cnn", { verify: true });
  if (result.graph === undefined) throw new Error(result.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  return result.graph;
}

/** The module file of `graph` in a new directory. */
function exported(graph: Graph): { directory: string; file: string; className: string } {
  const result = exportPyTorch(graph, "heads.cnn");
  if (!result.ok) throw new Error(result.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  const directory = mkdtempSync(join(tmpdir(), "cnnc-export-train-"));
  const file = join(directory, "heads.py");
  writeFileSync(file, result.text);
  return { directory, file, className: result.className };
}

// Trains two epochs on 32 random 1x12x12 images (uint8 .npy, as cnnc train reads them) from the same
// seed as an untrained model's, and writes which saved weights differ from that model's.
const TRAIN = `
import importlib.util, json, sys, numpy, torch
file, class_name, directory = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("heads", file)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
random = numpy.random.default_rng(0)
numpy.save(f"{directory}/train_images.npy", random.integers(0, 256, (32, 1, 12, 12), dtype=numpy.uint8))
numpy.save(f"{directory}/train_labels.npy", random.integers(0, 10, 32))
module.DATA_DIR = directory
torch.manual_seed(0)
initial = getattr(module, class_name)().state_dict()
torch.manual_seed(0)
module.train(f"{directory}/trained.safetensors")
trained = module.load_safetensors(f"{directory}/trained.safetensors")
json.dump({name: not torch.equal(initial[name], trained[name]) for name in trained}, open(f"{directory}/changed.json", "w"))
`;

describe("the exported training loop in PyTorch", () => {
  if (reportMissingTorch()) return;

  it("trains a two-output network on the output its train section names", () => {
    const graph = compiled(TWO_OUTPUTS);
    const { directory, file, className } = exported(graph);
    const run = spawnSync(torchPython!, ["-c", TRAIN, file, className, directory], { encoding: "utf8", timeout: 300_000 });
    expect(run.status, `python3 failed:\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("epoch 2/2: last batch loss");
    const changed = JSON.parse(readFileSync(join(directory, "changed.json"), "utf8")) as Record<string, boolean>;
    expect(changed).toEqual({ "trunk.weight": true, "trunk.bias": true, "boxes.weight": false, "boxes.bias": false, "scores.fc.weight": true, "scores.fc.bias": true });
    const saved = readSafetensorsFile(join(directory, "trained.safetensors"));
    const expected = initWeights(graph, 1);
    expect([...saved.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, tensor] of expected) expect(saved.get(name)!.shape, name).toEqual(tensor.shape);
  }, 300_000);

  it("says why a two-output network without a train section has no training loop", () => {
    const { directory, file } = exported(compiled(TWO_OUTPUTS.slice(0, TWO_OUTPUTS.indexOf("train {"))));
    const run = spawnSync(torchPython!, [file, "train", join(directory, "trained.safetensors")], { encoding: "utf8", timeout: 300_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("no training loop: Heads has 2 outputs (boxes, scores.softmax) and no train section naming the loss's (train { output = NAME })");
  }, 300_000);

  it("says why a network whose output is not class scores has no training loop", () => {
    const { directory, file } = exported(compiled("network Seg {\n  input x: 1x12x12\n  conv(4, 3, pad=1) as c\n}\ntrain {\n  epochs = 1\n}\n"));
    const run = spawnSync(torchPython!, [file, "train", join(directory, "trained.safetensors")], { encoding: "utf8", timeout: 300_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("no training loop: the loss takes class scores [K] per image, and output c is [4, 12, 12]");
  }, 300_000);
});
