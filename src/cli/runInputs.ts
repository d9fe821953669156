// The inputs of `cnnc run`: --input files, matched to the network's inputs by name before any file is
// read, or --random-input tensors, whose sizes are checked before the device is opened and which are
// drawn once it is ready.
import { existsSync } from "node:fs";

import { fillRandomNormal } from "../../runtime/init.js";
import { readNpy } from "../../runtime/npy.js";
import { CnncUserError } from "../errors.js";
import { checkHostBatch } from "../hostLimits.js";
import { shapeSize } from "../ir/graph.js";
import type { NetworkInput } from "../networkInputs.js";
import { makeTensor, type Tensor } from "../tensor.js";

/** --input or --random-input: exactly one of them. */
export function checkInputChoice(inputs: readonly NetworkInput[], options: { input?: string[]; randomInput?: boolean }): void {
  const files = options.input ?? [];
  if (files.length > 0 && options.randomInput === true) {
    throw new CnncUserError("--input and --random-input exclude each other", { hint: "give one of them" });
  }
  if (files.length === 0 && options.randomInput !== true) {
    throw new CnncUserError("no input given", {
      hint: `pass --input X.npy (float32, shape [N, ${inputs[0]!.shape.join(", ")}]) or --random-input`,
    });
  }
}

/** One --input: the network input it is for, and the .npy file. */
export interface InputFile {
  name: string;
  path: string;
}

/** `` `x` [N, 3, 32, 32], `y` [N, 10] ``: the inputs a network expects, for hints. */
function describeInputs(nodes: readonly NetworkInput[]): string {
  return nodes.map((node) => `\`${node.name}\` [N, ${node.shape.join(", ")}]`).join(", ");
}

/**
 * Matches the --input specs to the network's inputs, reading nothing: `X.npy` for a one-input network,
 * `name=X.npy` per input otherwise. A spec whose part before `=` is not an input name is a path when
 * that file exists (`a=b.npy` may be a file name); else it is an error that says how to write such a
 * path. Every input must be given once.
 */
export function matchInputFiles(network: string, nodes: readonly NetworkInput[], specs: readonly string[]): InputFile[] {
  const files: InputFile[] = [];
  for (const spec of specs) {
    const file = matchInputSpec(network, nodes, spec);
    if (files.some((each) => each.name === file.name)) throw new CnncUserError(`input \`${file.name}\` is given twice`);
    files.push(file);
  }
  const missing = nodes.find((node) => !files.some((each) => each.name === node.name));
  if (files.length > 0 && missing !== undefined) {
    throw new CnncUserError(`missing input \`${missing.name}\``, {
      hint: `the network's inputs are ${describeInputs(nodes)}: give each with --input NAME=FILE.npy`,
    });
  }
  return files;
}

function matchInputSpec(network: string, nodes: readonly NetworkInput[], spec: string): InputFile {
  const equals = spec.indexOf("=");
  const before = spec.slice(0, Math.max(equals, 0));
  if (equals > 0 && !before.includes("/")) {
    if (nodes.some((node) => node.name === before)) return { name: before, path: spec.slice(equals + 1) };
    if (!existsSync(spec)) {
      throw new CnncUserError(`--input \`${spec}\`: the network ${network} has no input named \`${before}\`, and there is no file \`${spec}\``, {
        hint: `its inputs are ${describeInputs(nodes)}; for a file whose name holds \`=\`, write --input ./${spec}`,
      });
    }
    // A file whose name holds `=`: read as a path, below.
  }
  if (nodes.length !== 1) {
    throw new CnncUserError(`the network has ${nodes.length} inputs; name each file`, {
      hint: `use ${nodes.map((node) => `--input ${node.name}=FILE.npy`).join(" ")}`,
    });
  }
  return { name: nodes[0]!.name, path: spec };
}

/** Reads the --input files; with --batch, each file's batch must be it. */
export function readInputFiles(files: readonly InputFile[], batch: number | undefined): Map<string, Tensor> {
  const inputs = new Map<string, Tensor>();
  for (const { name, path } of files) {
    const tensor = readNpy(path);
    if (batch !== undefined && tensor.shape[0] !== batch) {
      throw new CnncUserError(`--batch ${batch} does not match input \`${name}\`, whose batch (first) dimension is ${tensor.shape[0]}`, {
        hint: "leave out --batch: the batch is taken from the input file",
      });
    }
    inputs.set(name, tensor);
  }
  return inputs;
}

/** Checks, before the device is opened, that each --random-input tensor fits one host array at `batch`. */
export function checkRandomInputs(inputs: readonly NetworkInput[], batch: number): void {
  for (const node of inputs) {
    checkHostBatch(`random input ${node.name} [N, ${node.shape.join(", ")}]`, shapeSize(node.shape), batch, "float32");
  }
}

/** --random-input: a seeded N(0, 1) tensor per input, of the sizes checkRandomInputs checked. */
export function drawRandomInputs(inputs: readonly NetworkInput[], batch: number, seed: number): Map<string, Tensor> {
  return new Map(
    inputs.map((node) => [node.name, fillRandomNormal(makeTensor([batch, ...node.shape]), seed, `input:${node.name}`)] as const),
  );
}
