// The python3 that can import torch and numpy, for the tests that run exported modules in PyTorch.
import { expect, it } from "vitest";
import { pythonWith } from "../../support/pythonWith.js";

const torch = pythonWith(["torch", "numpy"]);

export const torchPython: string | undefined = torch.python;

/**
 * Inside a describe: without torch, a skipped test that says why (locally) or a failing one (under
 * CI=true, where scripts/setup-system.sh --python installs it); returns whether torch is missing.
 */
export function reportMissingTorch(): boolean {
  if (torchPython !== undefined) return false;
  const reasons = torch.reasons;
  if (process.env.CI === "true") it("has python3 with torch and numpy (scripts/setup-system.sh --python)", () => expect.fail(`python3 cannot import torch: ${reasons}`));
  else it.skip(`skipped: python3 cannot import torch and numpy (${reasons}); install them with scripts/setup-system.sh --python`, () => {});
  return true;
}
