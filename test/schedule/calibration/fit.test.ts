import { describe, expect, it } from "vitest";
import { fitCoefficients, nonNegativeLeastSquares } from "../../../src/schedule/calibration/fit.js";
import { secondsOf, type CostTerms } from "../../../src/schedule/costModel.js";
import { seededRandom } from "../../support/seededRandom.js";

describe("nonNegativeLeastSquares", () => {
  it("solves a consistent system exactly", () => {
    const x = nonNegativeLeastSquares([[1, 0], [0, 2], [1, 1]], [3, 4, 5]);
    expect(x[0]).toBeCloseTo(3, 10);
    expect(x[1]).toBeCloseTo(2, 10);
  });

  it("keeps a coefficient at zero where the unconstrained fit would make it negative", () => {
    // Unconstrained: x = (2, -1); constrained, the second is 0 and the first fits alone.
    const x = nonNegativeLeastSquares([[1, 1], [1, 2], [1, 3]], [1, 0, -1]);
    expect(x[1]).toBe(0);
    expect(x[0]).toBeCloseTo(0, 10);
    const y = nonNegativeLeastSquares([[1, 0], [1, 1], [1, 2]], [3, 2, 1]);
    expect(y).toEqual([expect.closeTo(2, 10), 0]);
  });
});

describe("fitCoefficients", () => {
  it("recovers known coefficients from exact times", () => {
    const truth = {
      launchSeconds: 30e-6,
      secondsPerByte: 2e-10,
      secondsPerBarrier: 5e-7,
      secondsPerFlop: { direct: 3e-10, im2col: 1e-10 },
      secondsPerRowOperandByte: { direct: 4e-11, im2col: 1e-11 },
      secondsPerColumnOperandByte: { direct: 7e-11, im2col: 3e-11 },
      secondsPerSpilledByte: { direct: 1e-10, im2col: 2e-10 },
      secondsPerInvocation: { direct: 2e-8, im2col: 5e-8 },
      secondsPerOutputByte: { direct: 8e-10, im2col: 3e-10 },
    };
    const random = seededRandom(7);
    const measured = Array.from({ length: 40 }, (_, index) => {
      const terms: CostTerms = {
        launches: 1 + (index % 3),
        kind: index % 2 === 0 ? "direct" : "im2col",
        op: "conv",
        computeFlops: 1e5 + random() * 1e8,
        rowOperandBytes: 1e4 + random() * 1e8,
        columnOperandBytes: 1e4 + random() * 1e8,
        spilledColumnOperandBytes: index % 3 === 0 ? 1e4 + random() * 1e8 : 0,
        outputBytes: 1e4 + random() * 1e7,
        otherBytes: 1e4 + random() * 1e7,
        invocations: 1e3 + random() * 1e5,
        barrierSteps: index % 4 === 0 ? Math.floor(random() * 1000) : 0,
      };
      return { terms, seconds: secondsOf(terms, truth) };
    });
    const { coefficients, unmeasured } = fitCoefficients(measured);
    expect(unmeasured).toEqual([]);
    expect(coefficients.launchSeconds).toBeCloseTo(truth.launchSeconds, 9);
    expect(coefficients.secondsPerByte / truth.secondsPerByte).toBeCloseTo(1, 6);
    expect(coefficients.secondsPerBarrier / truth.secondsPerBarrier).toBeCloseTo(1, 6);
    // The fit keys its rates by kind and op (rateKey); the truth's kind-only keys serve every op.
    for (const kind of ["direct", "im2col"] as const) {
      for (const table of ["secondsPerFlop", "secondsPerRowOperandByte", "secondsPerColumnOperandByte", "secondsPerSpilledByte", "secondsPerInvocation", "secondsPerOutputByte"] as const) {
        expect(coefficients[table][`${kind}/conv`]! / truth[table][kind]).toBeCloseTo(1, 6);
      }
    }
  });

  it("names the coefficients no measurement determines", () => {
    const terms: CostTerms = { launches: 1, kind: "direct", op: "conv", computeFlops: 1e6, rowOperandBytes: 1e6, columnOperandBytes: 2e6, spilledColumnOperandBytes: 0, outputBytes: 1e5, otherBytes: 1e5, invocations: 0, barrierSteps: 0 };
    expect(fitCoefficients([{ terms, seconds: 1e-3 }, { terms: { ...terms, computeFlops: 2e6 }, seconds: 1.5e-3 }]).unmeasured).toEqual([
      "secondsPerBarrier",
      "secondsPerSpilledByte.direct/conv",
      "secondsPerInvocation.direct/conv",
    ]);
  });
});
