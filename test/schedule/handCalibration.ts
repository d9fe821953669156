// Hand-made calibrations for the cost model tests.
import type { Calibration, CostCoefficients } from "../../src/schedule/calibration/calibration.js";

export function handCalibration(coefficients: Partial<CostCoefficients> & Pick<CostCoefficients, "secondsPerFlop">, adapter = "test|adapter"): Calibration {
  return {
    adapter,
    description: `the ${adapter} adapter`,
    machine: "test",
    date: "2026-01-01",
    command: "by hand",
    concurrentInvocations: 16,
    coefficients: { launchSeconds: 0, secondsPerByte: 0, secondsPerBarrier: 0, ...coefficients },
  };
}
