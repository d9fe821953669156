// The generated file's weight I/O: safetensors.torch where it is installed, else a small reader and
// writer of the format (an 8-byte little-endian header length, a JSON header of dtype, shape and
// data_offsets per tensor, then the raw little-endian data), since Debian has no python3-safetensors.

export const SAFETENSORS_PYTHON = `# safetensors dtype names and their torch dtypes.
_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def load_safetensors(path):
    """A state_dict from a safetensors file: safetensors.torch.load_file where installed, else the reader below."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        return _read_safetensors(path)
    return load_file(path)


def save_safetensors(state_dict, path):
    """Writes a state_dict as safetensors, floats as float32 (what cnnc reads; it skips num_batches_tracked)."""
    tensors = {name: (value.float() if value.is_floating_point() else value).detach().cpu().contiguous() for name, value in state_dict.items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        return _write_safetensors(tensors, path)
    return save_file(tensors, path)


def _read_safetensors(path):
    if sys.byteorder != "little":
        raise RuntimeError("this safetensors reader needs a little-endian machine; install the safetensors package")
    with open(path, "rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(header_length))
        data = file.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has dtype {entry['dtype']}, which this reader does not know")
        if begin == end:
            tensors[name] = torch.empty(entry["shape"], dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(entry["shape"])
    return tensors


def _write_safetensors(tensors, path):
    if sys.byteorder != "little":
        raise RuntimeError("this safetensors writer needs a little-endian machine; install the safetensors package")
    names = {dtype: name for name, dtype in _DTYPES.items()}
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        chunk = tensor.numpy().tobytes() if tensor.dtype != torch.bfloat16 else tensor.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as safetensors writes it
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
`;
