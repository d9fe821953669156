// The exported module in real PyTorch: for every example network, python3 loads the generated file,
// loads cnnc's safetensors weights with strict=True (through the file's own fallback reader) and runs
// model.eval()(x) at batch 1; the output must match cnnc's float64 reference within `cnnc run --check`'s
// float32 tolerance; so must the small networks of exportFixtures.ts, which use what the examples do not
// (every op's settings, two outputs: forward returns a tuple in `outputs` order, each output compared).
// Large examples run at a reduced input size (exampleGraph). One python3 process runs them all
// (importing torch takes seconds). Without torch the tests are skipped with the reason
// locally and fail under CI=true (scripts/setup-system.sh --python installs it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareOutput } from "../../../runtime/compareOutputs.js";
import { initWeights, randomNormalTensor, SeededRandom } from "../../../runtime/init.js";
import { readNpy, writeNpyFile } from "../../../runtime/npy.js";
import { writeSafetensorsFile } from "../../../runtime/safetensors.js";
import { exportPyTorch } from "../../../src/export/pytorch/exportPyTorch.js";
import { MODULE_ATTRIBUTES, MODULE_DICT_ATTRIBUTES } from "../../../src/export/pytorch/moduleTree.js";
import type { Graph } from "../../../src/ir/graph.js";
import { runReference } from "../../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../../src/tensor.js";
import { compileSource } from "../../../src/compile.js";
import { EXAMPLES_DIR, MACS_BUDGET, exampleGraph } from "../../examples/exampleHelpers.js";
import { DECODER, FEATURES_1D, FEATURES_2D, GATES, GATES_1D, TWO_OUTPUTS } from "./exportFixtures.js";
import { reportMissingTorch, torchPython } from "./torchPython.js";

const examples = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith(".cnn")).sort();

/** Every network to run: the examples, then the fixtures that cover what the examples do not. */
function networks(): { file: string; graph: Graph; input: string }[] {
  const fixture = (file: string, text: string) => {
    const compiled = compileSource(text, file, { verify: true });
    if (compiled.graph === undefined) throw new Error(`${file}: ${compiled.diagnostics.map((diagnostic) => diagnostic.message).join("; ")}`);
    return { file, graph: compiled.graph, input: "as written" };
  };
  return [
    ...examples.map((file) => ({ file, ...exampleGraph(join(EXAMPLES_DIR, file), MACS_BUDGET) })),
    ...FIXTURES.map(({ file, text }) => fixture(file, text)),
  ];
}
const FIXTURES = [
  { file: "features.cnn", text: FEATURES_2D },
  { file: "sequence.cnn", text: FEATURES_1D },
  { file: "gates.cnn", text: GATES },
  { file: "gates_1d.cnn", text: GATES_1D },
  { file: "decoder.cnn", text: DECODER },
  { file: "two_outputs.cnn", text: TWO_OUTPUTS },
];
const NETWORK_FILES = [...examples, ...FIXTURES.map(({ file }) => file)];

/** Seeded weights, with batchnorm running statistics moved off 0 and 1 so that they matter. */
function testWeights(graph: Graph): WeightMap {
  const weights = initWeights(graph, 7);
  const random = new SeededRandom(7, "running statistics");
  for (const [name, tensor] of weights) {
    if (name.endsWith(".running_mean")) for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = 0.2 * (random.uniform() - 0.5);
    if (name.endsWith(".running_var")) for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = 0.5 + random.uniform();
  }
  return weights;
}

// The generated module's class is found by name; outputs are written as NAME.out0.npy, NAME.out1.npy...
// and NAME.returns says what forward returned: `tensor`, or `tuple N`.
const RUNNER = `
import importlib.util, sys, numpy, torch
from torch import nn
directory = sys.argv[1]
public = {name for name in dir(nn.Module()) if not name.startswith("_")} | {name for name in dir(nn.ModuleDict()) if not name.startswith("_")}
known = set(sys.argv[2].split(","))
missing = sorted(public - known)
if missing:
    sys.exit(f"the exporter's reserved names lack nn.Module attributes: {missing}")
for name in sys.argv[3:]:
    spec = importlib.util.spec_from_file_location(name, f"{directory}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, open(f"{directory}/{name}.class").read())()
    model.load_state_dict(module._read_safetensors(f"{directory}/{name}.safetensors"), strict=True)
    with torch.no_grad():
        y = model.eval()(torch.from_numpy(numpy.load(f"{directory}/{name}.in.npy")))
    open(f"{directory}/{name}.returns", "w").write(f"tuple {len(y)}" if isinstance(y, tuple) else "tensor")
    for index, output in enumerate(y if isinstance(y, tuple) else (y,)):
        numpy.save(f"{directory}/{name}.out{index}.npy", output.numpy())
`;

describe("exported PyTorch modules in PyTorch", () => {
  if (reportMissingTorch()) return;
  const directory = mkdtempSync(join(tmpdir(), "cnnc-export-"));
  const expected = new Map<string, { outputs: Tensor[]; input: string }>();
  let run: ReturnType<typeof spawnSync> | undefined;

  beforeAll(() => {
    const names: string[] = [];
    for (const { file, graph, input } of networks()) {
      const name = file.replace(/\.cnn$/, "");
      expect(graph.inputs.length, `${file}: the runner feeds one input`).toBe(1);
      const exported = exportPyTorch(graph, file);
      if (!exported.ok) throw new Error(`${file}: ${exported.diagnostics.map((diagnostic) => diagnostic.message).join("; ")}`);
      const weights = testWeights(graph);
      const inputNode = graph.nodes[graph.inputs[0]!]!;
      const x = randomNormalTensor([1, ...inputNode.shape], 3, inputNode.name);
      const reference = runReference(graph, new Map([[inputNode.name, x]]), weights).outputs;
      writeFileSync(join(directory, `${name}.py`), exported.text);
      writeFileSync(join(directory, `${name}.class`), exported.className);
      writeSafetensorsFile(join(directory, `${name}.safetensors`), weights);
      writeNpyFile(join(directory, `${name}.in.npy`), x);
      expected.set(name, { outputs: graph.outputs.map((id) => reference.get(graph.nodes[id]!.name)!), input });
      names.push(name);
    }
    run = spawnSync(torchPython!, ["-c", RUNNER, directory, [...MODULE_ATTRIBUTES, ...MODULE_DICT_ATTRIBUTES].join(","), ...names], { encoding: "utf8", timeout: 600_000 });
  }, 900_000);

  it("runs every example in python3", () => {
    expect(run?.status, `python3 failed:\n${String(run?.stderr)}`).toBe(0);
  });

  for (const file of NETWORK_FILES) {
    const name = file.replace(/\.cnn$/, "");
    it(`${file}: model.eval()(x) equals cnnc's reference`, () => {
      expect(run?.status, "python3 failed (see the first test)").toBe(0);
      const { outputs, input } = expected.get(name)!;
      expect(readFileSync(join(directory, `${name}.returns`), "utf8")).toBe(outputs.length === 1 ? "tensor" : `tuple ${outputs.length}`);
      outputs.forEach((output, index) => {
        const actual = readNpy(join(directory, `${name}.out${index}.npy`));
        expect(actual.shape, `${file}: output ${index}`).toEqual(output.shape);
        const comparison = compareOutput(name, actual, output);
        expect(comparison.passed, `${file} at input ${input}, output ${index}: max abs error ${comparison.maxAbsError}, max rel error ${comparison.maxRelError}`).toBe(true);
        expect(output.data.some((value) => value !== 0)).toBe(true);
      });
    });
  }
});
