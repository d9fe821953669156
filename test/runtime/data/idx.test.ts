import { describe, expect, it } from "vitest";

import { readIdx } from "../../../runtime/data/idx.js";
import { userError } from "../../support/userError.js";
import { idxBytes, tempDir, writeFile } from "./files.js";

const pixels = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);

describe("readIdx", () => {
  it("reads raw and gzip uint8 image and label files", () => {
    const dir = tempDir();
    for (const gzip of [false, true]) {
      const images = readIdx(writeFile(dir, `images${gzip ? ".gz" : ""}`, idxBytes([2, 3, 4], pixels), gzip), "images");
      expect(images.dims).toEqual([2, 3, 4]);
      expect(Array.from(images.data)).toEqual(pixels);
      const labels = readIdx(writeFile(dir, `labels${gzip ? ".gz" : ""}`, idxBytes([2], [7, 1]), gzip), "labels");
      expect(labels.dims).toEqual([2]);
      expect(Array.from(labels.data)).toEqual([7, 1]);
    }
  });

  it("names a wrong magic number and the expected one", () => {
    const dir = tempDir();
    const bogus = writeFile(dir, "bogus", new TextEncoder().encode("hello world"));
    expect(userError(() => readIdx(bogus, "images")).message).toBe(
      `\`${bogus}\` is not an IDX file: its magic number is 0x68656c6c, expected 0x00000803 (uint8 images [N, rows, cols])`,
    );
    const labels = writeFile(dir, "labels", idxBytes([2], [0, 1]));
    expect(userError(() => readIdx(labels, "images")).message).toBe(
      `\`${labels}\` has magic 0x00000801, a uint8 IDX file with 1 dimension (a label file); expected 0x00000803 (uint8 images [N, rows, cols])`,
    );
    const images = writeFile(dir, "images", idxBytes([1, 1, 1], [0]));
    expect(userError(() => readIdx(images, "labels")).message).toBe(
      `\`${images}\` has magic 0x00000803, a uint8 IDX file with 3 dimensions (an image file); expected 0x00000801 (uint8 labels [N])`,
    );
  });

  it("refuses data types other than uint8", () => {
    const dir = tempDir();
    const floats = writeFile(dir, "floats", idxBytes([1], [0, 0, 0, 0], 0x0d));
    expect(userError(() => readIdx(floats, "labels")).message).toBe(
      `\`${floats}\` holds float32 values (magic 0x00000d01); cnnc reads uint8 IDX files, expected 0x00000801 (uint8 labels [N])`,
    );
  });

  it("says how many bytes a truncated file lacks, raw or gzip, and refuses trailing bytes", () => {
    const dir = tempDir();
    const whole = idxBytes([2, 3, 4], pixels);
    for (const gzip of [false, true]) {
      const cut = writeFile(dir, `cut${gzip ? ".gz" : ""}`, whole.subarray(0, whole.length - 5), gzip);
      expect(userError(() => readIdx(cut, "images")).message).toBe(
        `\`${cut}\` is truncated: its header says [2, 3, 4], which needs 24 bytes of data, the file holds 19`,
      );
    }
    const header = writeFile(dir, "header", whole.subarray(0, 10));
    expect(userError(() => readIdx(header, "images")).message).toBe(
      `\`${header}\` is truncated: its header needs 16 bytes, the file holds 10`,
    );
    const long = writeFile(dir, "long", idxBytes([2], [1, 2, 3]));
    expect(userError(() => readIdx(long, "labels")).message).toBe(
      `\`${long}\` has trailing bytes: its header says [2], which needs 2 bytes of data, the file holds 3`,
    );
  });

  it("reports a damaged gzip stream", () => {
    const dir = tempDir();
    const damaged = writeFile(dir, "damaged.gz", Uint8Array.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7]));
    const error = userError(() => readIdx(damaged, "images"));
    expect(error.message).toMatch(new RegExp(`^\`${damaged}\` starts like a gzip file but cannot be decompressed: `));
    expect(error.hint).toContain("download the file again");
  });

  it("reports a missing file through the shared reader", () => {
    expect(userError(() => readIdx("/nonexistent/train-images", "images")).message).toBe(
      "cannot read `/nonexistent/train-images`: no such file",
    );
  });
});
