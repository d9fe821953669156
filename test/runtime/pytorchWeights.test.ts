import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conversionCode } from "../../runtime/pytorchWeights.js";
import { readWeightsFile } from "../../runtime/training/checkpoint.js";
import { userError } from "../support/userError.js";

const dir = mkdtempSync(join(tmpdir(), "cnnc-pytorch-"));

describe("PyTorch weights files", () => {
  it("refuses a .pt path with the two-line conversion to safetensors", () => {
    const path = join(dir, "w.pt");
    const error = userError(() => readWeightsFile(path));
    expect(error.message).toBe(
      [
        `\`${path}\` is a PyTorch file (torch.save's pickle format); cnnc reads weights as safetensors. Convert it once with Python:`,
        "",
        "import torch, safetensors.torch",
        `safetensors.torch.save_file({k: v.contiguous() for k, v in torch.load("${path}", map_location="cpu").items()}, "${join(dir, "w.safetensors")}")`,
        "",
      ].join("\n"),
    );
    expect(error.hint).toMatch(/model\.state_dict\(\)/);
  });

  it("refuses .pth too, whatever the case of the extension", () => {
    expect(userError(() => readWeightsFile(join(dir, "resnet18-f37072fd.PTH"))).message).toContain("is a PyTorch file");
  });

  it("recognizes PyTorch's zip and pickle formats under a .safetensors name", () => {
    const zip = join(dir, "zip.safetensors");
    writeFileSync(zip, Buffer.from("PK\x03\x04archive/data.pkl", "latin1"));
    const zipError = userError(() => readWeightsFile(zip));
    expect(zipError.message).toContain(`\`${zip}\` holds a PyTorch file (torch.save's zip or pickle format), not safetensors`);
    expect(zipError.message).toContain(`"${join(dir, "zip.converted.safetensors")}")`);
    const pickle = join(dir, "pickle.safetensors");
    writeFileSync(pickle, Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]));
    expect(userError(() => readWeightsFile(pickle)).message).toContain("holds a PyTorch file");
  });

  it("leaves other broken files to the safetensors reader's own message", () => {
    const path = join(dir, "short.safetensors");
    writeFileSync(path, Buffer.from([1, 2, 3]));
    expect(userError(() => readWeightsFile(path)).message).not.toContain("PyTorch");
  });

  it("quotes a path as a Python string literal", () => {
    expect(conversionCode('my "w".pt')).toContain('torch.load("my \\"w\\".pt", map_location="cpu")');
  });
});
