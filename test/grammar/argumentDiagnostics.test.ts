// Golden tests, as printed: mistakes in argument and parameter lists.
import { describe, it } from "vitest";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("syntax diagnostics: arguments and parameters", () => {
  it("missing '=' in a named argument", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, kernel 5)\n}\n",
      `net.cnn:3:11: error[syntax]: missing '=' between the argument name 'kernel' and its value
   |
 3 |   conv(6, kernel 5)
   |           ^^^^^^^^
  = help: write kernel=5`,
    );
  });

  it("missing ',' between arguments", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6 5)\n}\n",
      `net.cnn:3:10: error[syntax]: missing ',' between arguments
   |
 3 |   conv(6 5)
   |          ^
  = help: separate arguments with ','`,
    );
  });

  it("missing ',' in a list", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3, pad=[1 1, 0, 0])\n}\n",
      `net.cnn:3:21: error[syntax]: missing ',' between list items
   |
 3 |   conv(6, 3, pad=[1 1, 0, 0])
   |                     ^
  = help: separate list items with ','`,
    );
  });

  it("trailing comma", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3,)\n}\n",
      `net.cnn:3:12: error[syntax]: expected a value after ',', found ')'
   |
 3 |   conv(6, 3,)
   |            ^
  = help: remove the trailing ','`,
    );
  });

  it("missing value after name=", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, kernel=)\n}\n",
      `net.cnn:3:18: error[syntax]: expected a value after 'kernel=', found ')'
   |
 3 |   conv(6, kernel=)
   |                  ^
  = help: give kernel a value, or remove the argument`,
    );
  });

  it("'=' without an argument name", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, =3)\n}\n",
      `net.cnn:3:11: error[syntax]: expected an argument name before '='
   |
 3 |   conv(6, =3)
   |           ^
  = help: named arguments are written name=value, e.g. kernel=3`,
    );
  });

  it("positional argument after a named one", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(filters=6, 3)\n}\n",
      `net.cnn:3:19: error[syntax]: positional argument after a named argument
   |
 3 |   conv(filters=6, 3)
   |                   ^
  = help: put positional arguments before named ones (here before 'filters='), or give this one its name`,
    );
  });

  it("missing parameter name", () => {
    expectDiagnostics(
      "block b(ch, ) {\n  conv(ch, 3)\n}\n",
      `net.cnn:1:13: error[syntax]: expected a parameter name, found ')'
   |
 1 | block b(ch, ) {
   |             ^
  = help: e.g. block basic(ch, stride=1) { ... }`,
    );
  });
});
