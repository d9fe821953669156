// `cnnc export --pytorch`: a network as one readable, self-contained Python file: a torch.nn.Module
// whose state_dict keys are cnnc's weight names (so cnnc's safetensors weights load with strict=True),
// whose forward computes what cnnc's reference does, the weight I/O, and the train { } section as a
// training loop. A layer PyTorch cannot express exactly is a diagnostic at that layer, never a guess.
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { describeShape } from "../../tensor.js";
import type { Graph, Node, OpKind } from "../../ir/graph.js";
import { type ForwardContext, opExport } from "./opTable.js";
import { buildModuleTree, type LeafModule } from "./moduleTree.js";
import { type ExportProblem, problemDiagnostic } from "./problems.js";
import { pythonVariable } from "./pythonText.js";
import { SAFETENSORS_PYTHON } from "./safetensorsPython.js";
import { trainingLoop } from "./trainingLoop.js";
import { valueVariables } from "./valueNames.js";

/** The file's text and the name of its nn.Module class, or why the network cannot be exported. */
export type PyTorchExport = { ok: true; text: string; className: string } | { ok: false; diagnostics: Diagnostic[] };

function isProblem(value: string | ExportProblem): value is ExportProblem {
  return typeof value !== "string";
}

/** The shape per sample of each of the node's inputs. */
function inputShapes(graph: Graph, node: Node): number[][] {
  return node.inputs.map((id) => graph.nodes[id]!.shape);
}

function leafModule(graph: Graph, node: Node): LeafModule | ExportProblem | undefined {
  const entry = opExport(node.attrs.op);
  if (entry.kind !== "layer" || entry.module === undefined) {
    if (node.params.length > 0) throw new Error(`internal: ${node.attrs.op} layer ${node.name} has weights but no PyTorch module`);
    return undefined;
  }
  const constructor = entry.module(node.attrs, inputShapes(graph, node)[0] ?? [], node);
  return isProblem(constructor) ? constructor : { node, constructor };
}

/**
 * The file's module-level names a capitalized class name could still meet: its constants, `F`,
 * nn.Module, the builtin errors it raises and its `_`-prefixed helpers.
 */
const CLASS_NAME_TAKEN = [
  "Module", "F", "BATCH", "DATA_DIR", "EPOCHS", "LEARNING_RATE", "WARMUP_EPOCHS", "RuntimeError", "ValueError",
  "_DTYPES", "_read_safetensors", "_write_safetensors",
];

export function exportPyTorch(graph: Graph, source: string): PyTorchExport {
  const problems: ExportProblem[] = [];
  const leaves: LeafModule[] = [];
  for (const node of graph.nodes) {
    const leaf = leafModule(graph, node);
    if (leaf === undefined) continue;
    if ("code" in leaf) problems.push(leaf);
    else leaves.push(leaf);
  }
  const tree = buildModuleTree(leaves);
  if ("code" in tree) problems.push(tree);
  if (problems.length > 0 || "code" in tree) return { ok: false, diagnostics: problems.map(problemDiagnostic) };

  // Training takes the cross-entropy of a softmax output's input (the logits), as CrossEntropyLoss does:
  // forward(x, return_logits=True) returns those in place of each softmax output.
  const softmaxOutputs = graph.outputs.filter((id) => graph.nodes[id]!.attrs.op === "softmax");
  const logitsOf = new Map(softmaxOutputs.map((id) => [id, graph.nodes[id]!.inputs[0]!]));
  const variables = valueVariables(graph, new Set(logitsOf.values()));
  const forwardLines: string[] = [];
  for (const node of graph.nodes) {
    const entry = opExport(node.attrs.op);
    if (entry.kind === "argument") continue;
    const context: ForwardContext<OpKind> = {
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((id) => variables[id]!),
      inputShapes: inputShapes(graph, node),
      module: entry.module === undefined ? "" : tree.accessor(node),
    };
    const expression = entry.forward(context);
    if (isProblem(expression)) {
      problems.push(expression);
      continue;
    }
    forwardLines.push(`${variables[node.id]} = ${expression}  # ${node.name}: ${describeShape(node.shape)}`);
  }
  if (problems.length > 0) return { ok: false, diagnostics: problems.map(problemDiagnostic) };

  if (softmaxOutputs.length > 0) {
    const logits = graph.outputs.map((id) => variables[logitsOf.get(id) ?? id]!);
    forwardLines.push("if return_logits:  # training: the cross-entropy takes each softmax output's input", `    return ${logits.join(", ")}`);
  }
  forwardLines.push(`return ${graph.outputs.map((id) => variables[id]!).join(", ")}`);
  // CapWords, as Python classes are: a network called `math` or `train` must not shadow the module or
  // function of that name in the file; the file's names that capitalizing cannot avoid stay taken.
  const className = pythonVariable(graph.name.charAt(0).toUpperCase() + graph.name.slice(1), new Set(CLASS_NAME_TAKEN));
  const results = graph.outputs.length === 1 ? "y" : graph.outputs.map((id) => variables[id]!).join(", ");
  const inputs = graph.inputs.map((id) => `${variables[id]} (N x ${graph.nodes[id]!.shape.join(" x ")})`);
  const signature = ["self", ...graph.inputs.map((id) => variables[id]!), ...(softmaxOutputs.length > 0 ? ["*", "return_logits=False"] : [])].join(", ");
  const body = (lines: readonly string[]) => lines.map((line) => `        ${line}`).join("\n");
  const initBody = tree.initLines.length === 0 ? "" : `\n${body(tree.initLines)}`;
  return {
    ok: true,
    className,
    text: `"""${graph.name}, exported from ${source} by cnnc (cnnc export --pytorch).

forward(${inputs.join(", ")}). Load cnnc's weights (state_dict names, float32) with
    model = ${className}()
    model.load_state_dict(load_safetensors("weights.safetensors"), strict=True)
    ${results} = model.eval()(x)
(safetensors.torch.load_file works too where the safetensors package is installed).
"""
import gzip
import json
import math
import os
import struct
import sys

import numpy
import torch
import torch.nn.functional as F
from torch import nn


class ${className}(nn.Module):
    def __init__(self):
        super().__init__()${initBody}

    def forward(${signature}):
${body(forwardLines)}


${SAFETENSORS_PYTHON}

${trainingLoop(graph, className)}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "train":
        sys.exit(f"usage: python3 {sys.argv[0]} train OUT.safetensors")
    train(sys.argv[2])
`,
  };
}
