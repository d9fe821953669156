// Golden files of what `cnnc build` writes for two small networks: every kernel's WGSL and plan.json.
// A codegen or planning change shows up here as a diff to review; after reviewing, update with
//   CNNC_UPDATE_GOLDEN=1 npx vitest run test/planFile/golden.test.ts
// Sources are compiled under a bare file name so the headers' `file:line` are the same on every machine.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/compile.js";
import { buildPlan } from "../../src/pipeline.js";
import { serializePlan } from "../../src/planFile/serializePlan.js";
import { EXAMPLES_DIR } from "../examples/exampleHelpers.js";

const GOLDEN_DIR = join(import.meta.dirname, "golden");
const UPDATE = process.env.CNNC_UPDATE_GOLDEN === "1";

/** A residual block with a folded batchnorm, a concat written in place, a pooled conv and an elementwise chain. */
const BLOCKS = `network Blocks {
  input x: 4x8x8
  stem = conv(8, 3, pad=1, bias=false) -> batchnorm as bn -> relu
  branch = conv(8, 3, pad=1, bias=false) -> batchnorm as bn2
  joined = add(branch, stem) -> relu
  left = conv(4, 1) -> relu
  right = joined -> maxpool(3, stride=1, pad=1) -> conv(4, 1) -> relu
  concat(left, right) -> conv(8, 3, pad=1) -> relu -> maxpool(2)
  fc(10)
}
`;

const NETWORKS: { name: string; file: string; source: string; batch: number }[] = [
  { name: "lenet5", file: "lenet5.cnn", source: readFileSync(join(EXAMPLES_DIR, "lenet5.cnn"), "utf8"), batch: 1 },
  { name: "blocks", file: "blocks.cnn", source: BLOCKS, batch: 2 },
];

describe("golden plans", () => {
  for (const network of NETWORKS) {
    it(`${network.name}: plan.json and every kernel are as reviewed`, () => {
      const compiled = compileSource(network.source, network.file, { verify: true });
      if (compiled.graph === undefined) throw new Error(compiled.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
      const serialized = serializePlan(buildPlan(compiled.graph, network.batch, { verify: true }));
      const files = new Map<string, string>([["plan.json", serialized.planJson], ...[...serialized.kernels].map(([name, wgsl]) => [`kernels/${name}`, wgsl] as const)]);
      const dir = join(GOLDEN_DIR, network.name);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(join(dir, "kernels"), { recursive: true });
        for (const [path, text] of files) writeFileSync(join(dir, path), text);
      }
      expect(existsSync(dir), `no golden files for ${network.name}: run with CNNC_UPDATE_GOLDEN=1 and review them`).toBe(true);
      const golden = [...readdirSync(join(dir, "kernels")).map((name) => `kernels/${name}`), "plan.json"].sort();
      expect([...files.keys()].sort()).toEqual(golden);
      for (const [path, text] of files) expect(text, `${network.name}/${path}`).toBe(readFileSync(join(dir, path), "utf8"));
    });
  }
});
