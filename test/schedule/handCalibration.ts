// Hand-made calibrations for the cost model tests.
import type { Calibration, CostCoefficients } from "../../src/schedule/calibration/calibration.js";

/** The per-kind tables not given are 0 for every kind of `secondsPerFlop`. */
export function handCalibration(coefficients: Partial<CostCoefficients> & Pick<CostCoefficients, "secondsPerFlop">, adapter = "test|adapter"): Calibration {
  const zeros = Object.fromEntries(Object.keys(coefficients.secondsPerFlop).map((kind) => [kind, 0]));
  return {
    adapter,
    description: `the ${adapter} adapter`,
    machine: "test",
    date: "2026-01-01",
    command: "by hand",
    concurrentInvocations: 16,
    cacheBytes: 8 * 1024 * 1024,
    coefficients: { launchSeconds: 0, secondsPerByte: 0, secondsPerBarrier: 0, secondsPerRowOperandByte: zeros, secondsPerColumnOperandByte: zeros, secondsPerSpilledByte: zeros, secondsPerOutputByte: zeros, secondsPerInvocation: zeros, ...coefficients },
  };
}
