// The installed executable: bin/cnnc.js runs the built CLI (dist/), so this needs `npm run build`
// (`npm test` builds first); when dist/ is missing it is built here.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";

import { BIN, ensureBuiltCli, ROOT } from "../support/builtCli.js";

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, EGL_PLATFORM: "" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("bin/cnnc.js", () => {
  beforeAll(ensureBuiltCli, 300_000);

  it("checks a file: exit 0 and the ok line", () => {
    expect(run("check", "examples/lenet5.cnn")).toEqual({ code: 0, stdout: "ok: LeNet5 (12 layers, 61,706 params)\n", stderr: "" });
  });

  it("exits 1 on a user error", () => {
    const result = run("check", "examples/does-not-exist.cnn");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error[file-not-found]");
  });

  it("prints the summary JSON", () => {
    const result = run("summary", "examples/textcnn.cnn", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ network: "TextCNN", input: [5, 7], totals: { params: 6902 } });
  });
});
