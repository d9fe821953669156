// The installed executable for tests that run it: bin/cnnc.js runs the built CLI (dist/), which
// `npm test` builds first; when dist/ is missing (a single test file run on its own) it is built here.
// Children run with this Node (process.execPath), not whatever `node` is first on PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { expect } from "vitest";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/cnnc.js");

/** Builds dist/ if it is missing; for a beforeAll (give it a long timeout: tsc takes a while). */
export function ensureBuiltCli(): void {
  const main = join(ROOT, "dist/src/cli/main.js");
  if (!existsSync(main)) {
    spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: ROOT });
  }
  expect(existsSync(main), "dist/ is not built: run `npm run build`").toBe(true);
}
