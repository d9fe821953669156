// The python3 that can import some modules, for the tests that run exported models in PyTorch or
// ONNX's checker: python3 on the PATH first, Debian's own second (its python3-* packages are for
// /usr/bin/python3, which a pyenv or venv python3 earlier on the PATH does not see).
import { spawnSync } from "node:child_process";

const PYTHONS = ["python3", "/usr/bin/python3"];

export interface PythonLookup {
  /** The first python3 that imports every module, if any does. */
  python: string | undefined;
  /** Why each one could not, for a skip or failure message. */
  reasons: string;
}

export function pythonWith(modules: readonly string[]): PythonLookup {
  const checks = PYTHONS.map((python) => ({ python, check: spawnSync(python, ["-c", `import ${modules.join(", ")}`], { encoding: "utf8" }) }));
  return {
    python: checks.find(({ check }) => check.status === 0)?.python,
    reasons: checks.map(({ python, check }) => `${python}: ${check.error?.message ?? check.stderr.trim().split("\n").at(-1)}`).join("; "),
  };
}
