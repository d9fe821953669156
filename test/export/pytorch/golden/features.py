"""Features, exported from features.cnn by cnnc (cnnc export --pytorch).

forward(image (N x 3 x 17 x 17)). Load cnnc's weights (state_dict names, float32) with
    model = Features()
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


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, kernel_size=3)
        self.stem.add_module("batchnorm", nn.BatchNorm2d(8, eps=0.00001, momentum=0.1))
        self.wide = nn.Conv2d(8, 8, kernel_size=4, stride=2, padding=1)
        self.wide.add_module("conv", nn.Conv2d(8, 8, kernel_size=3, stride=2, dilation=2, groups=2))
        self.fc1 = nn.Linear(24, 6)
        self.batchnorm1 = nn.BatchNorm1d(6, eps=0.00001, momentum=0.1)
        self.fc2 = nn.Linear(6, 4, bias=False)

    def forward(self, image, *, return_logits=False):
        x = self.stem(F.pad(image, (0, 1, 0, 1), mode="reflect"))  # stem: [8, 16, 16]
        x = self.stem.batchnorm(x)  # stem.batchnorm: [8, 16, 16]
        stem_leaky_relu = F.leaky_relu(x, negative_slope=0.2)  # stem.leaky_relu: [8, 16, 16]
        x = self.wide(stem_leaky_relu)  # wide: [8, 8, 8]
        x = F.elu(x, alpha=1)  # wide.elu: [8, 8, 8]
        x = self.wide.conv(F.pad(x, (1, 2, 1, 2), mode="replicate"))  # wide.conv: [8, 4, 4]
        wide_global_avgpool = torch.mean(x, dim=(2, 3), keepdim=True)  # wide.global_avgpool: [8, 1, 1]
        x = F.max_pool2d(F.pad(stem_leaky_relu, (1, 0, 1, 0), value=-float("inf")), kernel_size=3, stride=2, ceil_mode=True)  # left: [8, 8, 8]
        left_lrn = F.local_response_norm(x, size=3, alpha=0.0001, beta=0.75, k=2)  # left.lrn: [8, 8, 8]
        x = F.avg_pool2d(F.pad(stem_leaky_relu, (0, 1, 0, 1)), kernel_size=3, stride=2, ceil_mode=True, divisor_override=1) / F.avg_pool2d(F.pad(torch.ones_like(stem_leaky_relu[:, :1]), (0, 1, 0, 1)), kernel_size=3, stride=2, ceil_mode=True, divisor_override=1)  # right: [8, 8, 8]
        x = torch.cat([left_lrn, x], dim=1)  # joined: [16, 8, 8]
        x = torch.sqrt(F.avg_pool2d(x * x, kernel_size=2, stride=2, padding=1, ceil_mode=True, divisor_override=1))  # joined.l2pool: [16, 5, 5]
        x = torch.sigmoid(x)  # joined.sigmoid: [16, 5, 5]
        x = F.avg_pool2d(F.pad(x, (0, 1, 1, 0)), kernel_size=2, stride=2, ceil_mode=True)  # tail: [16, 3, 3]
        x = F.dropout(x, p=0.3, training=self.training)  # tail.dropout: [16, 3, 3]
        x = torch.amax(x, dim=(2, 3), keepdim=True)  # pooled: [16, 1, 1]
        x = torch.cat([x, wide_global_avgpool], dim=1)  # concat1: [24, 1, 1]
        x = torch.flatten(x, 1)  # flatten1: [24]
        x = self.fc1(x)  # fc1: [6]
        x = self.batchnorm1(x)  # batchnorm1: [6]
        x = torch.tanh(x)  # tanh1: [6]
        fc2 = self.fc2(x)  # fc2: [4]
        softmax1 = F.softmax(fc2, dim=1)  # softmax1: [4]
        if return_logits:  # training: the cross-entropy takes each softmax output's input
            return fc2
        return softmax1


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


# Training (the file has no train { } section: cnnc train's defaults). Run: python3 THIS_FILE.py train OUT.safetensors, then cnnc run MODEL.cnn --weights OUT.safetensors.
# On many GPUs: torchrun --nproc_per_node=GPUS THIS_FILE.py train OUT.safetensors, after adding the DDP line in train().
DATA_DIR = "/usr/share/datasets/fashion-mnist"  # train_images.npy, train_labels.npy (N x C x H x W, N) or MNIST-format IDX files
BATCH = 64  # per process
EPOCHS = 1
LEARNING_RATE = 0.01
WARMUP_EPOCHS = 0


def learning_rate_at(step, steps_per_epoch, total_steps):
    """cnnc's learning rate of optimizer step `step` (0-based): the schedule, times a linear warmup."""
    scheduled = LEARNING_RATE
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
    model = Features().to(device)
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
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0, nesterov=False, weight_decay=0)
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
