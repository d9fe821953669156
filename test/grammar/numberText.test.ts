// How whole numbers and counts read in every stage's messages: grouped digits while exact, `about`
// and an exponent past 2^53 - 1 (numbers) or for long bigints (products of repetition counts).
import { describe, expect, it } from "vitest";
import { MAX_WHOLE_NUMBER_TEXT, WHOLE_NUMBER_LIMIT, countOf, formatInteger, inexactCount } from "../../grammar/numberText.js";
import * as irFormat from "../../src/ir/format.js";

describe("number text", () => {
  it("groups the digits of exact whole numbers", () => {
    expect(formatInteger(0)).toBe("0");
    expect(formatInteger(1792)).toBe("1,792");
    expect(formatInteger(1791.6)).toBe("1,792");
    expect(formatInteger(-100_000)).toBe("-100,000");
    expect(formatInteger(Number.MAX_SAFE_INTEGER)).toBe("9,007,199,254,740,991");
    expect(formatInteger(10n ** 12n)).toBe("1,000,000,000,000");
    expect(formatInteger(BigInt(Number.MAX_SAFE_INTEGER))).toBe("9,007,199,254,740,991");
  });

  it("writes counts past 2^53 - 1 as approximations", () => {
    expect(formatInteger(2 ** 53)).toBe("about 9.01e+15");
    expect(formatInteger(5.76e17)).toBe("about 5.76e+17");
    expect(formatInteger(10n ** 400n)).toBe("about 1.00e+400");
    expect(formatInteger(99_999n * 10n ** 20n)).toBe("about 1.00e+25");
    expect(formatInteger(-(4n * 10n ** 30n))).toBe("about -4.00e+30");
    expect(formatInteger(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });

  it("counts with a plural where there is not exactly one", () => {
    expect(countOf(1, "layer")).toBe("1 layer");
    expect(countOf(1n, "layer")).toBe("1 layer");
    expect(countOf(0, "error")).toBe("0 errors");
    expect(countOf(100_000, "layer")).toBe("100,000 layers");
    expect(countOf(10n ** 20n, "step")).toBe("about 1.00e+20 steps");
  });

  it("says 2^53 - 1 one way", () => {
    expect(MAX_WHOLE_NUMBER_TEXT).toBe("9,007,199,254,740,991 (2^53 - 1)");
    expect(WHOLE_NUMBER_LIMIT).toBe("whole numbers go up to 9,007,199,254,740,991 (2^53 - 1)");
    expect(inexactCount(1.2e16, "parameters")).toBe("about 1.20e+16 parameters, more than cnnc can count exactly");
  });

  it("is the one implementation src/ir/format.ts offers", () => {
    expect(irFormat.formatInteger).toBe(formatInteger);
    expect(irFormat.countOf).toBe(countOf);
  });
});
