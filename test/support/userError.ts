// Runs `run` and returns the CnncUserError it throws; fails the test if it throws anything else or
// nothing, so error-text assertions always look at the user-facing error.
import { CnncUserError } from "../../src/errors.js";

export function userError(run: () => unknown): CnncUserError {
  try {
    run();
  } catch (error) {
    if (error instanceof CnncUserError) return error;
    throw error;
  }
  throw new Error("expected a CnncUserError");
}
