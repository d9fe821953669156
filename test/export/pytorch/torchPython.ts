// The python3 that can import torch and numpy, for the tests that run exported modules in PyTorch:
// python3 on the PATH first, Debian's own second (its python3-torch is for /usr/bin/python3, which a
// pyenv or venv python3 earlier on the PATH does not see).
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

const PYTHONS = ["python3", "/usr/bin/python3"];
const torchChecks = PYTHONS.map((python) => ({ python, check: spawnSync(python, ["-c", "import torch, numpy"], { encoding: "utf8" }) }));

export const torchPython: string | undefined = torchChecks.find(({ check }) => check.status === 0)?.python;

/**
 * Inside a describe: without torch, a skipped test that says why (locally) or a failing one (under
 * CI=true, where scripts/setup-system.sh --python installs it); returns whether torch is missing.
 */
export function reportMissingTorch(): boolean {
  if (torchPython !== undefined) return false;
  const reasons = torchChecks.map(({ python, check }) => `${python}: ${check.error?.message ?? check.stderr.trim().split("\n").at(-1)}`).join("; ");
  if (process.env.CI === "true") it("has python3 with torch and numpy (scripts/setup-system.sh --python)", () => expect.fail(`python3 cannot import torch: ${reasons}`));
  else it.skip(`skipped: python3 cannot import torch and numpy (${reasons}); install them with scripts/setup-system.sh --python`, () => {});
  return true;
}
