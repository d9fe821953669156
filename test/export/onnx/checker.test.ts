// ONNX's own checker (onnx.checker.check_model with full_check: the graph's rules, every node against
// its opset-17 schema, shape inference) accepts the exported models: one network per variant of
// layerCases.ts, which between them reach every branch of the exporter, and the example networks of
// up to 15M parameters. The checker is Debian's python3-onnx (1.12), installed in CI by
// `scripts/setup-system.sh --python`; without it the test is skipped, except in CI (CI=true),
// where it fails.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { exportOnnx } from "../../../src/export/onnx/exportOnnx.js";
import { pythonWith } from "../../support/pythonWith.js";
import { EXAMPLES_DIR, MACS_BUDGET, exampleGraph, totalParams } from "../../examples/exampleHelpers.js";
import { compileLayerNetwork, LAYER_CASES } from "./layerCases.js";
import { randomWeights } from "./onnxHarness.js";

/** Checks each model file named on the command line; prints one line per model that fails. */
const CHECK_SCRIPT = `
import sys, onnx
failed = 0
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as error:
        failed += 1
        print(f"{path}: {error}")
sys.exit(1 if failed else 0)
`;

const PARAMS_BUDGET = 15e6;
const python = pythonWith(["onnx"]).python;
const inCi = process.env.CI === "true";

describe("the ONNX checker", () => {
  const directory = mkdtempSync(join(tmpdir(), "cnnc-onnx-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.runIf(python === undefined && inCi)("is installed in CI (scripts/setup-system.sh --python)", () => {
    expect(python, "python3 with the onnx package (Debian's python3-onnx)").toBeDefined();
  });

  const title = "accepts every exporter branch and the example networks (full_check)";
  const skipReason = " (skipped: no python3 with the onnx package; `bash scripts/setup-system.sh --python` installs it)";
  it.skipIf(python === undefined)(python === undefined ? `${title}${skipReason}` : title, () => {
    const files: string[] = [];
    LAYER_CASES.forEach((layerCase, caseIndex) => {
      layerCase.variants.forEach((variant, variantIndex) => {
        const graph = compileLayerNetwork(layerCase.source(variant));
        const file = join(directory, `case${caseIndex}-${variantIndex}.onnx`);
        writeFileSync(file, exportOnnx(graph, randomWeights(graph, variantIndex)));
        files.push(file);
      });
    });
    for (const name of readdirSync(EXAMPLES_DIR).filter((each) => each.endsWith(".cnn"))) {
      const { graph } = exampleGraph(join(EXAMPLES_DIR, name), MACS_BUDGET);
      if (totalParams(graph) > PARAMS_BUDGET) continue;
      const file = join(directory, name.replace(/\.cnn$/, ".onnx"));
      writeFileSync(file, exportOnnx(graph, undefined));
      files.push(file);
    }
    expect(files.length).toBeGreaterThan(40);
    const result = spawnSync(python!, ["-c", CHECK_SCRIPT, ...files], { encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);
});
