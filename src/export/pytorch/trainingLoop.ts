// The generated file's training loop: the .cnn file's train { } section (cnnc train's defaults where
// it is silent) as a PyTorch loop, with cnnc's learning-rate rule, loss and data handling (images
// scaled to [0, 1], standardized per channel with the training set's statistics, shuffled batches,
// the last partial one dropped). It runs under torchrun too: wrapping the model in
// DistributedDataParallel is the one line to add. A network with several outputs trains on the one the
// train section names (`output = NAME`), as cnnc train does: the other heads get no gradient.
import type { Graph, LrScheduleConfig, OptimizerConfig, TrainConfig } from "../../ir/graph.js";
import { TRAIN_DEFAULTS } from "../../elaborate/train.js";
import { optimizerSettings } from "../../training/optimizerSettings.js";
import { FASHION_MNIST_DIR, MNIST_DIR } from "../../../runtime/data/fashionMnist.js";
import { pythonBool, pythonNumber, pythonString } from "./pythonText.js";

type TrainSettings = Omit<TrainConfig, "span">;

function optimizerText(config: OptimizerConfig): string {
  const settings = optimizerSettings(config);
  if (settings.kind === "sgd") {
    return `torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=${pythonNumber(settings.momentum)}, nesterov=${pythonBool(settings.nesterov)}, weight_decay=${pythonNumber(settings.weightDecay)})`;
  }
  const name = settings.decoupled ? "AdamW" : "Adam";
  return `torch.optim.${name}(model.parameters(), lr=LEARNING_RATE, betas=(${pythonNumber(settings.beta1)}, ${pythonNumber(settings.beta2)}), eps=${pythonNumber(settings.eps)}, weight_decay=${pythonNumber(settings.weightDecay)})`;
}

/** The body of learning_rate_at's schedule: PyTorch's scheduler of that kind, stepped per batch. */
function scheduleLines(schedule: LrScheduleConfig): string[] {
  switch (schedule.kind) {
    case "constant":
      return ["scheduled = LEARNING_RATE"];
    case "step":
      return [`# StepLR(step_size=${schedule.everyEpochs} epochs in steps, gamma=${pythonNumber(schedule.gamma)})`, `scheduled = LEARNING_RATE * ${pythonNumber(schedule.gamma)} ** (step // (${schedule.everyEpochs} * steps_per_epoch))`];
    case "cosine":
      return [
        `# CosineAnnealingLR(T_max=total_steps, eta_min=${pythonNumber(schedule.minLr)})`,
        `scheduled = ${pythonNumber(schedule.minLr)} + (LEARNING_RATE - ${pythonNumber(schedule.minLr)}) / 2 * (math.cos(math.pi * step / total_steps) + 1)`,
      ];
    case "one_cycle":
      return [
        `# OneCycleLR(max_lr=LEARNING_RATE, total_steps, pct_start=${pythonNumber(schedule.pctStart)}, div_factor=${pythonNumber(schedule.divFactor)}, final_div_factor=${pythonNumber(schedule.finalDivFactor)})`,
        `initial = LEARNING_RATE / ${pythonNumber(schedule.divFactor)}`,
        `peak, last = ${pythonNumber(schedule.pctStart)} * total_steps - 1, total_steps - 1`,
        "anneal = lambda start, end, fraction: end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)",
        "if step <= peak:",
        "    scheduled = anneal(initial, LEARNING_RATE, step / peak if peak > 0 else 1)",
        "else:",
        `    scheduled = anneal(LEARNING_RATE, initial / ${pythonNumber(schedule.finalDivFactor)}, (step - peak) / (last - peak) if last > peak else 1)`,
      ];
  }
}

/** The loss of the output `lossOutput` (a node id); forward returns a tuple when there are several. */
function lossText(graph: Graph, settings: TrainSettings, lossOutput: number): string {
  const output = graph.nodes[lossOutput]!;
  const picked = graph.outputs.length === 1 ? "" : `[${graph.outputs.indexOf(lossOutput)}]`;
  if (settings.loss === "mse") return `F.mse_loss(model(images)${picked}, F.one_hot(labels, ${output.shape[0]}).float())`;
  // cnnc takes the cross-entropy of a softmax output's input (the logits), as CrossEntropyLoss does.
  const logits = output.attrs.op === "softmax" ? ", return_logits=True" : "";
  return `F.cross_entropy(model(images${logits})${picked}, labels)`;
}

/** The output the loss reads, or why the file has no training loop. */
function lossOutputOf(graph: Graph): number | { reason: string } {
  if (graph.inputs.length !== 1) return { reason: `it feeds one image batch to one input, and ${graph.name} has ${graph.inputs.length} inputs` };
  const output = graph.outputs.length === 1 ? graph.outputs[0]! : graph.train?.lossOutput;
  if (output === undefined) {
    const names = graph.outputs.map((id) => graph.nodes[id]!.name).join(", ");
    return { reason: `${graph.name} has ${graph.outputs.length} outputs (${names}) and no train section naming the loss's (train { output = NAME })` };
  }
  // The loop compares one score per class with an integer label (cnnc train refuses other outputs for
  // cross_entropy too).
  const shape = graph.nodes[output]!.shape;
  if (shape.length !== 1) return { reason: `the loss takes class scores [K] per image, and output ${graph.nodes[output]!.name} is [${shape.join(", ")}]` };
  return output;
}

function dataDirectory(data: TrainConfig["data"]): string {
  if (data === undefined) return FASHION_MNIST_DIR;
  return data.path ?? (data.kind === "mnist" ? MNIST_DIR : data.kind === "fashion_mnist" ? FASHION_MNIST_DIR : "");
}

/** The training section of the generated file; `className` is the module's class. */
export function trainingLoop(graph: Graph, className: string): string {
  const settings: TrainSettings = graph.train ?? { ...TRAIN_DEFAULTS };
  const origin = graph.train === undefined ? "the file has no train { } section: cnnc train's defaults" : "the file's train { } section";
  const lossOutput = lossOutputOf(graph);
  if (typeof lossOutput !== "number") {
    return `def train(save_to):\n    sys.exit(${pythonString(`no training loop: ${lossOutput.reason}`)})\n`;
  }
  const lossNote = graph.outputs.length === 1 ? "" : `  # the loss of output ${graph.nodes[lossOutput]!.name}, as the train section says`;
  const indent = (lines: string[]) => lines.map((line) => `    ${line}`).join("\n");
  return `# Training (${origin}). Run: python3 THIS_FILE.py train OUT.safetensors, then cnnc run MODEL.cnn --weights OUT.safetensors.
# On many GPUs: torchrun --nproc_per_node=GPUS THIS_FILE.py train OUT.safetensors, after adding the DDP line in train().
DATA_DIR = ${pythonString(dataDirectory(settings.data))}  # train_images.npy, train_labels.npy (N x C x H x W, N) or MNIST-format IDX files
BATCH = ${settings.batch}  # per process
EPOCHS = ${settings.epochs}
LEARNING_RATE = ${pythonNumber(settings.learningRate)}
WARMUP_EPOCHS = ${pythonNumber(settings.warmupEpochs)}


def learning_rate_at(step, steps_per_epoch, total_steps):
    """cnnc's learning rate of optimizer step \`step\` (0-based): the schedule, times a linear warmup."""
${indent(scheduleLines(settings.schedule))}
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
    model = ${className}().to(device)
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
    optimizer = ${optimizerText(settings.optimizer)}
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: learning_rate_at(step, steps_per_epoch, total_steps) / LEARNING_RATE)
    for epoch in range(EPOCHS):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            loss = ${lossText(graph, settings, lossOutput)}${lossNote}
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{EPOCHS}: last batch loss {loss.item():.4f}")
    if not distributed or torch.distributed.get_rank() == 0:
        save_safetensors(getattr(model, "module", model).state_dict(), save_to)
`;
}
