// cnnc reads weights as safetensors only. PyTorch's own `.pt`/`.pth` files are pickles (inside a zip
// since PyTorch 1.6); reading one means running Python's unpickling protocol, and npm has no maintained
// JavaScript reader of it. Such a file, whatever its name says, gets an error with the two-line
// conversion instead of a puzzling "bad safetensors header".
import { extname } from "node:path";
import { CnncUserError } from "../src/errors.js";

const PYTORCH_EXTENSIONS = new Set([".pt", ".pth"]);

/** PyTorch's zip container (torch.save since 1.6) or a bare pickle of protocol 2 to 5 (older torch.save). */
function looksLikePytorch(bytes: Uint8Array): boolean {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5;
  return zip || pickle;
}

/** The Python that converts `path` to safetensors: contiguous copies, since save_file refuses views. */
export function conversionCode(path: string): string {
  const stem = path.slice(0, path.length - extname(path).length);
  // A PyTorch file already named `.safetensors` is not overwritten by its own conversion.
  const target = `${stem}.safetensors` === path ? `${stem}.converted.safetensors` : `${stem}.safetensors`;
  return [
    "import torch, safetensors.torch",
    `safetensors.torch.save_file({k: v.contiguous() for k, v in torch.load(${JSON.stringify(path)}, map_location="cpu").items()}, ${JSON.stringify(target)})`,
  ].join("\n");
}

function pytorchFileError(path: string, why: string): CnncUserError {
  return new CnncUserError(`\`${path}\` ${why}; cnnc reads weights as safetensors. Convert it once with Python:\n\n${conversionCode(path)}\n`, {
    hint: "a file of a whole model (torch.save(model)) or a training checkpoint holds the state_dict inside: save model.state_dict() (or the checkpoint's \"state_dict\") instead",
  });
}

/** Refuses a `.pt`/`.pth` path before it is read. */
export function refusePytorchPath(path: string): void {
  if (PYTORCH_EXTENSIONS.has(extname(path).toLowerCase())) throw pytorchFileError(path, "is a PyTorch file (torch.save's pickle format)");
}

/** Refuses bytes that are not safetensors but a PyTorch file under another name. */
export function refusePytorchBytes(path: string, bytes: Uint8Array): void {
  if (looksLikePytorch(bytes)) throw pytorchFileError(path, "holds a PyTorch file (torch.save's zip or pickle format), not safetensors");
}
