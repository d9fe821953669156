// Golden files of what `cnnc export --pytorch` writes for three small networks (one with two outputs
// and a train section naming the loss's). A change to the exporter
// shows up here as a diff to review; after reviewing, update with
//   CNNC_UPDATE_GOLDEN=1 npx vitest run test/export/pytorch/golden.test.ts
// (torchForward.test.ts checks that such files compute cnnc's outputs in PyTorch.)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../../src/compile.js";
import { exportPyTorch } from "../../../src/export/pytorch/exportPyTorch.js";
import { EXAMPLES_DIR } from "../../examples/exampleHelpers.js";
import { FEATURES_2D, TWO_OUTPUTS } from "./exportFixtures.js";

const GOLDEN_DIR = join(import.meta.dirname, "golden");
const UPDATE = process.env.CNNC_UPDATE_GOLDEN === "1";

const NETWORKS = [
  { file: "lenet5_fashion.cnn", source: readFileSync(join(EXAMPLES_DIR, "lenet5_fashion.cnn"), "utf8") },
  { file: "features.cnn", source: FEATURES_2D },
  { file: "two_outputs.cnn", source: TWO_OUTPUTS },
];

describe("golden PyTorch exports", () => {
  for (const network of NETWORKS) {
    it(`${network.file}: the exported module is as reviewed`, () => {
      const compiled = compileSource(network.source, network.file, { verify: true });
      if (compiled.graph === undefined) throw new Error(compiled.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
      const exported = exportPyTorch(compiled.graph, network.file);
      if (!exported.ok) throw new Error(exported.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
      const path = join(GOLDEN_DIR, network.file.replace(/\.cnn$/, ".py"));
      if (UPDATE) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, exported.text);
      }
      expect(existsSync(path), `no golden file for ${network.file}: run with CNNC_UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(exported.text).toBe(readFileSync(path, "utf8"));
    });
  }
});
