// Byte arrays assembled from parts: a file that grew while it was read (read in chunks), a .npy or
// safetensors file encoded as its header followed by views of the tensors' data.

/** The parts as one array: one part is returned as it is (no copy), several are copied into one. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
