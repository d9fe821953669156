// The progress line of a network's first run: shown on a terminal (`compiling kernels 3/13 c3`), kernel
// by kernel for both phases, cleared before the run's own lines; nothing at all when stderr is piped;
// and the same results either way.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { shellQuote } from "../../runtime/writeUserFile.js";
import { runModel } from "../../src/cli/run.js";
import { BIN, ensureBuiltCli } from "../support/builtCli.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-progress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modelPath = join(dir, "small.cnn");
writeFileSync(modelPath, "network Small {\n  input image: 2x9x9\n  c1 = conv(4, 3) -> relu\n  p1 = maxpool(2)\n  out = fc(3)\n}\n");

describe("the first-run progress line", () => {
  beforeAll(ensureBuiltCli, 300_000);

  it("names each kernel's layer as it compiles and first runs, then clears, with unchanged results", async () => {
    const statuses: (string | undefined)[] = [];
    const out: string[] = [];
    const withProgress = join(dir, "with.npy");
    const code = await runModel(modelPath, { randomInput: true, seed: "3", output: withProgress }, {
      stdout: (text) => out.push(`out:${text}`),
      stderr: (text) => out.push(`err:${text}`),
      status: (line) => {
        statuses.push(line);
        out.push(`status:${line ?? "(cleared)"}`);
      },
    });
    expect(code).toBe(0);
    const kernels = Number(/(\d+) kernels/.exec(out.join(""))![1]);
    expect(statuses.slice(0, 2 * kernels)).toEqual([
      ...Array.from({ length: kernels }, (_, i) => expect.stringMatching(new RegExp(`^compiling kernels ${i + 1}/${kernels} ((c1|c1\\.relu|p1|out)\\+?)+$`))),
      ...Array.from({ length: kernels }, (_, i) => expect.stringMatching(new RegExp(`^first run, kernel ${i + 1}/${kernels} ((c1|c1\\.relu|p1|out)\\+?)+$`))),
    ]);
    // Then only clears (the command also clears on its way out, whatever happened).
    expect(statuses.length).toBeGreaterThan(2 * kernels);
    expect(statuses.slice(2 * kernels).every((line) => line === undefined)).toBe(true);
    // A fused kernel is named by all its layers.
    expect(statuses[0]).toBe(`compiling kernels 1/${kernels} c1+c1.relu+p1`);
    // The status line is gone before the run prints its result.
    const cleared = out.indexOf("status:(cleared)");
    expect(out.findIndex((text) => text.startsWith("out:ran Small"))).toBeGreaterThan(cleared);

    const without = join(dir, "without.npy");
    expect(await runModel(modelPath, { randomInput: true, seed: "3", output: without }, { stdout: () => undefined, stderr: () => undefined })).toBe(0);
    expect(readFileSync(withProgress)).toEqual(readFileSync(without));
  });

  it("prints no progress when stderr is piped", () => {
    const result = spawnSync(process.execPath, [BIN, "run", modelPath, "--random-input"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ran Small at batch 1/m);
    expect(result.stderr).not.toContain("compiling kernels");
    expect(result.stderr).not.toContain("\r");
  });

  it("shows the line on a terminal (util-linux `script` gives the process a pseudo-terminal)", () => {
    const command = [process.execPath, BIN, "run", modelPath, "--random-input"].map(shellQuote).join(" ");
    const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("\r\x1b[2Kcompiling kernels 1/");
    expect(result.stdout).toContain("\r\x1b[2Kfirst run, kernel 1/");
    expect(result.stdout).toMatch(/\r\x1b\[2Kran Small at batch 1/);
  });
});
