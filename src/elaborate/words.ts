// Bare words the language gives a meaning to without a definition. A constant may hold one
// (`const P = same`); any other undefined word in a constant is reported where the constant is defined.
export const KNOWN_WORDS: ReadonlySet<string> = new Set([
  "true",
  "false",
  "same",
  "valid",
  "exact",
  "floor",
  "ceil",
  "zeros",
  "reflect",
  "replicate",
  "circular",
  "cross_entropy",
  "mse",
  "sgd",
  "adam",
]);
