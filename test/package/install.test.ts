// The package a user installs: `npm pack` ships what `files` whitelists (built JavaScript, declarations,
// examples, docs, LICENSE) and nothing else, and the tarball installed into a fresh project gives a
// working `npx cnnc`, an ESM import and declarations that type-check under `strict` without
// skipLibCheck. It packs the dist/ that `npm test` built just before (`--ignore-scripts`: rebuilding
// here would rewrite dist/ under the other test files that run bin/cnnc.js), and installs from the
// npm registry only (the dependencies; nothing is downloaded at run time).
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

let work: string;
let consumer: string;
let packed: string[];

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
  if (result.error !== undefined) throw result.error;
  return result;
}

function succeed(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  expect(result.status, `${command} ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cnnc-package-"));
  const listing = JSON.parse(succeed(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = listing[0]!.files.map((file) => file.path);
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module", private: true }));
  succeed(NPM, ["install", "--prefer-offline", "--no-save", join(work, listing[0]!.filename)], consumer);
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("ships the built library, examples, docs and LICENSE, and no tests, benches, configs or source maps", () => {
    for (const file of ["LICENSE", "README.md", "package.json", "bin/cnnc.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/runtime/session.d.ts", "examples/lenet5.cnn", "grammar/README.md", "dist/src/export/onnx/onnx.proto"]) {
      expect(packed).toContain(file);
    }
    const unwanted = packed.filter((file) => /^(test|bench|\.ci|scripts|src|runtime)\/|^dist\/bench\/|^tsconfig|^vitest|\.map$|\.ts$/.test(file) && !file.endsWith(".d.ts"));
    expect(unwanted).toEqual([]);
  });

  it("runs `npx cnnc check` in the consuming project", () => {
    const ok = run("npx", ["--no-install", "cnnc", "check", "node_modules/cnnc/examples/lenet5.cnn"], consumer);
    expect(ok.stdout).toBe("ok: LeNet5 (12 layers, 61,706 params)\n");
    expect(ok.status).toBe(0);
    writeFileSync(join(consumer, "bad.cnn"), "network Bad {\n  input x: 1x7x7\n  c1 = conv(6, 3, stride=3)\n}\n");
    const bad = run("npx", ["--no-install", "cnnc", "check", "bad.cnn"], consumer);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("bad.cnn:3:8: error[shape-not-integer]");
  });

  it("imports as ESM, with package.json exported", () => {
    const script = [
      'import { compile, summarizeGraph } from "cnnc";',
      'import manifest from "cnnc/package.json" with { type: "json" };',
      'const graph = compile("network N {\\n  input image: 1x4x4\\n  out = fc(2)\\n}\\n", { file: "n.cnn" });',
      "console.log(manifest.name, summarizeGraph(graph).totals.params);",
    ].join("\n");
    expect(succeed("node", ["--input-type=module", "-e", script], consumer)).toBe("cnnc 34\n");
  });

  it("type-checks a consumer under strict without skipLibCheck, and rejects a backend that does not exist", () => {
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, resolveJsonModule: true } }),
    );
    writeFileSync(
      join(consumer, "main.ts"),
      [
        'import { compile, createSession, runReference, type SessionOptions, type Tensor } from "cnnc";',
        'import manifest from "cnnc/package.json" with { type: "json" };',
        'const graph = compile("network N {\\n  input image: 1x4x4\\n  out = fc(2)\\n}\\n", { file: "n.cnn" });',
        'const options: SessionOptions = { seed: 1, backend: "opengles" };',
        "const image: Tensor = { shape: [1, 1, 4, 4], data: new Float32Array(16) };",
        "const fromObject = runReference(graph, { image }, new Map());",
        'const fromMap = runReference(graph, new Map([["image", image]]), new Map());',
        "export const used = [manifest.version, options, fromObject, fromMap, createSession];",
        "",
      ].join("\n"),
    );
    // No declaration needs Node's types, which a consumer need not have (@types/node is ours, dev only).
    const declarations = packed.filter((file) => file.endsWith(".d.ts"));
    const nodeTyped = declarations.filter((file) => /from "node:|NodeJS\./.test(readFileSync(join(consumer, "node_modules/cnnc", file), "utf8")));
    expect(nodeTyped).toEqual([]);
    const clean = run("node", [TSC, "-p", "tsconfig.json"], consumer);
    expect(clean.stdout + clean.stderr).toBe("");
    expect(clean.status).toBe(0);

    writeFileSync(join(consumer, "main.ts"), 'import type { SessionOptions } from "cnnc";\nexport const options: SessionOptions = { backend: "metal" };\n');
    const wrong = run("node", [TSC, "-p", "tsconfig.json"], consumer);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toMatch(/main\.ts\(2,.*Type '"metal"' is not assignable/);
  });
});
