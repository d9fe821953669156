import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { expectShape, readNpy, readNpyArray, writeNpy, writeNpyFile } from "../../runtime/npy.js";
import { hostArrayLimit } from "../../src/hostLimits.js";
import { makeTensor } from "../../src/tensor.js";
import { userError } from "../support/userError.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const fixture = (name: string): string => join(fixtures, name);
/** The array every fixture holds: np.arange(24).reshape(2, 3, 4) * 0.25 - 1.5. */
const expectedValues = Array.from({ length: 24 }, (_, i) => i * 0.25 - 1.5);


describe("readNpy", () => {
  it("reads a float32 file written by numpy.save", () => {
    const tensor = readNpy(fixture("f32_2x3x4.npy"));
    expect(tensor.shape).toEqual([2, 3, 4]);
    expect(Array.from(tensor.data)).toEqual(expectedValues);
  });

  it("reads format version 3.0 and 0-d arrays", () => {
    expect(Array.from(readNpy(fixture("f32_v3.npy")).data)).toEqual(expectedValues);
    const scalar = readNpy(fixture("scalar.npy"));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([2.5]);
  });

  it("round-trips through writeNpy, byte for byte as numpy writes it", () => {
    const original = readFileSync(fixture("f32_2x3x4.npy"));
    const tensor = readNpy(original, "x.npy");
    expect(Buffer.from(writeNpy(tensor)).equals(original)).toBe(true);
  });

  it("round-trips odd shapes through a file, including a 1-d and an empty array", () => {
    const dir = mkdtempSync(join(tmpdir(), "cnnc-npy-"));
    try {
      for (const shape of [[7], [1, 3, 5, 5], [0, 4], [2, 1, 1, 1, 3]]) {
        const tensor = makeTensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)));
        const path = join(dir, "t.npy");
        writeNpyFile(path, tensor);
        const back = readNpy(path);
        expect(back.shape).toEqual(shape);
        expect(back.data).toEqual(tensor.data);
        // numpy aligns the data to 64 bytes; so do we.
        expect((readFileSync(path).length - tensor.data.byteLength) % 64).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("rejects float64 with the numpy fix", () => {
    const error = userError(() => readNpy(readFileSync(fixture("f64_2x3x4.npy")), "x.npy"));
    expect(error.message).toBe("`x.npy` holds float64 ('<f8'); cnnc reads float32 ('<f4'): save with x.astype(np.float32)");
  });

  it("rejects integer arrays", () => {
    expect(userError(() => readNpy(readFileSync(fixture("i64.npy")), "labels.npy")).message).toBe(
      "`labels.npy` holds int64 ('<i8'); cnnc reads float32 ('<f4'): save with x.astype(np.float32)",
    );
  });

  it("rejects Fortran order", () => {
    const error = userError(() => readNpy(readFileSync(fixture("f32_fortran.npy")), "x.npy"));
    expect(error.message).toBe("`x.npy` is stored in Fortran (column-major) order; cnnc reads C order");
    expect(error.hint).toBe("save with np.ascontiguousarray(x)");
  });

  it("rejects a file that is not .npy", () => {
    const error = userError(() => readNpy(new TextEncoder().encode("a,b,c\n1,2,3\n"), "x.csv"));
    expect(error.message).toBe('`x.csv` is not a .npy file (it does not start with "\\x93NUMPY")');
  });

  it("rejects truncated data and trailing bytes, with sizes", () => {
    const bytes = readFileSync(fixture("f32_2x3x4.npy"));
    expect(userError(() => readNpy(bytes.subarray(0, bytes.length - 8), "x.npy")).message).toBe(
      "`x.npy` is truncated: shape [2, 3, 4] needs 96 bytes of float32 data, the file holds 88",
    );
    expect(userError(() => readNpy(Buffer.concat([bytes, Buffer.alloc(4)]), "x.npy")).message).toBe(
      "`x.npy` has trailing bytes: shape [2, 3, 4] needs 96 bytes of float32 data, the file holds 100",
    );
    expect(userError(() => readNpy(bytes.subarray(0, 40), "x.npy")).message).toBe(
      "`x.npy` is truncated: its header says 118 header bytes, but the file has only 40 bytes",
    );
  });

  it("rejects a malformed header", () => {
    const bytes = Buffer.from(readFileSync(fixture("f32_2x3x4.npy")));
    bytes.write("'shapo'", bytes.indexOf("'shape'"), "latin1");
    expect(userError(() => readNpy(bytes, "x.npy")).message).toMatch(/^`x\.npy` has a malformed \.npy header \(unexpected key 'shapo'\)/);
  });

  /** The fixture with its header dict replaced by `dict` (padded to the same length). */
  function withHeader(dict: string): Uint8Array {
    const bytes = Buffer.from(readFileSync(fixture("f32_2x3x4.npy")));
    const length = bytes.readUInt16LE(8);
    expect(dict.length).toBeLessThan(length);
    bytes.write(dict.padEnd(length - 1, " ") + "\n", 10, "latin1");
    return bytes;
  }

  it("parses the header strictly, as NumPy does: no missing, repeated or unknown keys, whole-number shapes", () => {
    const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";
    expect(readNpy(withHeader(good), "x.npy").shape).toEqual([2, 3, 4]);
    expect(readNpy(withHeader(`{"descr":"<f4","fortran_order":False,"shape":(2L,3L,4L)}`), "x.npy").shape).toEqual([2, 3, 4]);
    const cases: [string, string][] = [
      ["{'descr': '<f4', 'fortran_order': False}", "no 'shape'"],
      ["{'descr': '<f4', 'descr': '>f4', 'fortran_order': False, 'shape': (2, 3, 4)}", "'descr' is given twice"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), 'extra': 1}", "unexpected key 'extra'"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3, 4)}", "'shape' holds something that is not a whole number"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3.5, 4)}", "expected `,` or `)`"],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3, 4)}", "expected a quoted string"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': '2, 3, 4'}", "'shape' is not a tuple"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4)} x", "text after the closing `}`"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "'shape' entry 99999999999999999999 is too large"],
    ];
    for (const [dict, problem] of cases) {
      expect(userError(() => readNpy(withHeader(dict), "x.npy")).message, dict).toContain(`\`x.npy\` has a malformed .npy header (${problem}`);
    }
  });

  it("quotes a long malformed header as a window around the problem, with its length", () => {
    // A version 2.0 file whose 200,000-character header has an unknown key near its end.
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ${" ".repeat(200_000)}'bad': 1}`;
    const header = new TextEncoder().encode(dict);
    const bytes = new Uint8Array(12 + header.length + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, header.length, true);
    bytes.set(header, 12);
    const message = userError(() => readNpy(bytes, "x.npy")).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toMatch(
      new RegExp(`^\`x\\.npy\` has a malformed \\.npy header \\(unexpected key 'bad'\\): " +'bad': 1}" \\(characters [\\d,]+ to [\\d,]+ of the header's ${dict.length.toLocaleString("en-US")}\\)$`),
    );
    const longKey = userError(() => readNpy(withHeader(`{'${"k".repeat(90)}': 1}`), "x.npy")).message;
    expect(longKey).toContain(`(unexpected key '${"k".repeat(40)}… (90 characters)')`);
  });

  it("reads a file's data in place, without copying it", () => {
    const tensor = readNpy(fixture("f32_2x3x4.npy"));
    // The data is a view of the file's bytes, after the 128-byte header.
    expect(tensor.data.byteOffset).toBe(128);
    expect(tensor.data.buffer.byteLength).toBe(readFileSync(fixture("f32_2x3x4.npy")).length);
    // A caller's bytes are not aliased.
    const bytes = readFileSync(fixture("f32_2x3x4.npy"));
    const copy = readNpy(bytes, "x.npy");
    expect(copy.data.buffer).not.toBe(bytes.buffer);
  });

  it("rejects a shape whose size overflows instead of comparing inexact byte counts", () => {
    const error = userError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "x.npy"));
    expect(error.message).toMatch(/^`x\.npy` is truncated: shape \[4294967296, 4294967296\] needs/);
  });

  it("rejects format versions other than 1.0, 2.0 and 3.0", () => {
    const bytes = Buffer.from(readFileSync(fixture("f32_2x3x4.npy")));
    bytes[7] = 1;
    expect(userError(() => readNpy(bytes, "x.npy")).message).toBe("`x.npy` uses .npy format version 1.1; cnnc reads versions 1.0, 2.0 and 3.0");
  });

  it("names a missing file", () => {
    expect(userError(() => readNpy("/nonexistent/x.npy")).message).toBe("cannot read `/nonexistent/x.npy`: no such file");
  });

  it("refuses a directory, and a file past the size bound before reading it", () => {
    const dir = mkdtempSync(join(tmpdir(), "cnnc-npy-"));
    try {
      expect(userError(() => readNpy(dir)).message).toBe(`\`${dir}\` is a directory`);
      // A sparse file: its size is past the bound, but nothing is written (or read).
      const huge = join(dir, "huge.npy");
      writeFileSync(huge, "");
      truncateSync(huge, hostArrayLimit("byte").elements + 1);
      const error = userError(() => readNpy(huge));
      // One byte past the bound: both sizes are given exactly, since in GiB they would round alike.
      const limit = hostArrayLimit("byte").elements;
      expect(error.message).toBe(
        `\`${huge}\` is ${(limit + 1).toLocaleString("en-US")} bytes; cnnc reads .npy files up to ${limit.toLocaleString("en-US")} bytes`,
      );
      expect(error.hint).toContain(hostArrayLimit("byte").reason);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("expectShape", () => {
  it("binds symbolic sizes", () => {
    expect(expectShape([8, 1, 28, 28], ["N", 1, 28, 28], "input image")).toEqual({ N: 8 });
  });

  it("reports expected vs got, with the layout", () => {
    const error = userError(() => expectShape([28, 28], ["N", 1, 28, 28], "input image", { layout: "NCHW" }));
    expect(error.message).toBe("input image expects [N, 1, 28, 28] (NCHW), got [28, 28]");
    expect(error.hint).toBeUndefined();
  });

  it("suggests adding the batch dimension when only it is missing", () => {
    const error = userError(() => expectShape([1, 28, 28], ["N", 1, 28, 28], "input image", { layout: "NCHW" }));
    expect(error.hint).toMatch(/x\[np\.newaxis\]/);
  });

  it("requires a repeated name to take one size", () => {
    expect(() => expectShape([3, 4], ["K", "K"], "matrix")).toThrow("matrix expects [K, K], got [3, 4]");
  });
});

describe("readNpyArray", () => {
  it("reads the dtypes it is asked for and names them when refusing others", () => {
    const bytes = readFileSync(fixture("i64.npy"));
    const labels = readNpyArray(bytes, "labels.npy", ["int64", "int32"]);
    expect(labels.dtype).toBe("int64");
    expect(labels.shape).toEqual([3]);
    expect(Array.from(labels.data as BigInt64Array)).toEqual([0n, 1n, 2n]);
    expect(userError(() => readNpyArray(bytes, "labels.npy", ["uint8"])).message).toBe(
      "`labels.npy` holds int64 ('<i8'); cnnc reads uint8 ('|u1'): save with x.astype(np.uint8)",
    );
    const floats = readNpyArray(readFileSync(fixture("f32_2x3x4.npy")), "x.npy", ["uint8", "float32"]);
    if (floats.dtype !== "float32") throw new Error(`read ${floats.dtype}`);
    expect(Array.from(floats.data)).toEqual(expectedValues);
  });
});
