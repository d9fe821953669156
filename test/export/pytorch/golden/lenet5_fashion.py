"""LeNet5, exported from lenet5_fashion.cnn by cnnc (cnnc export --pytorch).

forward(image (N x 1 x 28 x 28)). Load cnnc's weights (state_dict names, float32) with
    model = LeNet5()
    model.load_state_dict(load_safetensors("weights.safetensors"), strict=True)
    y = model.eval()(x)
(safetensors.torch.load_file works too where the safetensors package is installed).
"""
import gzip
import json
import math
import os
import struct
import sys

import numpy
import torch
import torch.nn.functional as F
from torch import nn


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.c5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, image, *, return_logits=False):
        x = self.c1(image)  # c1: [6, 28, 28]
        x = torch.tanh(x)  # c1.tanh: [6, 28, 28]
        x = F.avg_pool2d(x, kernel_size=2, stride=2)  # s2: [6, 14, 14]
        x = self.c3(x)  # c3: [16, 10, 10]
        x = torch.tanh(x)  # c3.tanh: [16, 10, 10]
        x = F.avg_pool2d(x, kernel_size=2, stride=2)  # s4: [16, 5, 5]
        x = self.c5(torch.flatten(x, 1))  # c5: [120]
        x = torch.tanh(x)  # c5.tanh: [120]
        x = self.f6(x)  # f6: [84]
        x = torch.tanh(x)  # f6.tanh: [84]
        out = self.out(x)  # out: [10]
        out_softmax = F.softmax(out, dim=1)  # out.softmax: [10]
        if return_logits:  # training: the cross-entropy takes each softmax output's input
            return out
        return out_softmax


# safetensors dtype names and their torch dtypes.
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


# Training (the file's train { } section). Run: python3 THIS_FILE.py train OUT.safetensors, then cnnc run MODEL.cnn --weights OUT.safetensors.
# On many GPUs: torchrun --nproc_per_node=GPUS THIS_FILE.py train OUT.safetensors, after adding the DDP line in train().
DATA_DIR = "/usr/share/datasets/fashion-mnist"  # train_images.npy, train_labels.npy (N x C x H x W, N) or MNIST-format IDX files
BATCH = 64  # per process
EPOCHS = 8
LEARNING_RATE = 0.05
WARMUP_EPOCHS = 0


def learning_rate_at(step, steps_per_epoch, total_steps):
    """cnnc's learning rate of optimizer step `step` (0-based): the schedule, times a linear warmup."""
    # OneCycleLR(max_lr=LEARNING_RATE, total_steps, pct_start=0.3, div_factor=25, final_div_factor=10000)
    initial = LEARNING_RATE / 25
    peak, last = 0.3 * total_steps - 1, total_steps - 1
    anneal = lambda start, end, fraction: end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)
    if step <= peak:
        scheduled = anneal(initial, LEARNING_RATE, step / peak if peak > 0 else 1)
    else:
        scheduled = anneal(LEARNING_RATE, initial / 10000, (step - peak) / (last - peak) if last > peak else 1)
    warmup_steps = math.floor(WARMUP_EPOCHS * steps_per_epoch + 0.5)
    return scheduled * (step + 1) / warmup_steps if step < warmup_steps else scheduled


def read_split(directory, split):
    """Images N x C x H x W, float32 in [0, 1], and their labels, as cnnc train reads them."""
    npy = os.path.join(directory, f"{split}_images.npy")
    if os.path.exists(npy):
        images = torch.from_numpy(numpy.load(npy))
        labels = torch.from_numpy(numpy.load(os.path.join(directory, f"{split}_labels.npy"))).long()
        return (images.float() / 255 if images.dtype == torch.uint8 else images.float()), labels
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"))
    return images.float().div(255).unsqueeze(1), read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte")).long()


def read_idx(path):
    """An MNIST-format IDX file of unsigned bytes, gzipped (NAME.gz) or not."""
    with (gzip.open(path + ".gz") if os.path.exists(path + ".gz") else open(path, "rb")) as file:
        data = file.read()
    dims = data[3]
    shape = struct.unpack(f">{dims}I", data[4 : 4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)


def train(save_to):
    distributed = "LOCAL_RANK" in os.environ  # set by torchrun
    if distributed:
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    model = LeNet5().to(device)
    # DDP: on a cluster, add this one line (everything else already follows torchrun's environment):
    # model = nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None)

    images, labels = read_split(DATA_DIR, "train")
    # Standardized per channel with the training set's statistics, as cnnc train does.
    mean = images.mean(dim=(0, 2, 3), keepdim=True)
    std = images.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    dataset = torch.utils.data.TensorDataset((images - mean) / std, labels)
    sampler = torch.utils.data.DistributedSampler(dataset, drop_last=True) if distributed else None
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=sampler is None, sampler=sampler, drop_last=True)
    steps_per_epoch = len(loader)
    total_steps = EPOCHS * steps_per_epoch
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9, nesterov=True, weight_decay=0.0005)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: learning_rate_at(step, steps_per_epoch, total_steps) / LEARNING_RATE)
    for epoch in range(EPOCHS):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            loss = F.cross_entropy(model(images, return_logits=True), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{EPOCHS}: last batch loss {loss.item():.4f}")
    if not distributed or torch.distributed.get_rank() == 0:
        save_safetensors(getattr(model, "module", model).state_dict(), save_to)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "train":
        sys.exit(f"usage: python3 {sys.argv[0]} train OUT.safetensors")
    train(sys.argv[2])
