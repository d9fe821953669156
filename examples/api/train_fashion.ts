// Training a .cnn network from TypeScript: a custom loop over cnnc's GPU trainer (what `cnnc train`
// does, written out). In a clone, after `npm ci`:
//
//   npx tsx examples/api/train_fashion.ts [DATA_DIR] [--epochs N] [--limit N] [--out FILE]
//
// DATA_DIR holds Fashion-MNIST's IDX files (default: where Debian's dataset-fashion-mnist puts them).
// `cnnc` resolves to this package (its own name); an installed copy is imported the same way.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BatchLoader, FASHION_MNIST_DIR, channelStatistics, compile, createTrainer, datasetFromIdx, findFashionMnist, normalizeImages } from "cnnc";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: "string", default: "2" }, limit: { type: "string" }, out: { type: "string", default: "fashion_api.safetensors" } },
});
const epochs = Number(values.epochs);
const limit = values.limit === undefined ? undefined : Number(values.limit);

// The data: IDX files, scaled to [0, 1], standardized per channel with the training split's statistics.
const files = findFashionMnist(positionals[0] ?? FASHION_MNIST_DIR);
const options = { classCount: 10, ...(limit === undefined ? {} : { limit }) };
const train = datasetFromIdx(files.trainImages, files.trainLabels, options);
const test = datasetFromIdx(files.testImages, files.testLabels, options);
const normalization = channelStatistics(train);
const testImages = test.images.slice();
normalizeImages(testImages, test.shape, normalization);

// The network and its train section (optimizer, learning-rate schedule, batch) from the example file.
const source = readFileSync(new URL("../fashion_cnn.cnn", import.meta.url), "utf8");
const graph = compile(source, { file: "fashion_cnn.cnn" });
const batch = graph.train?.batch ?? 64;
const stepsPerEpoch = Math.floor(train.shape[0] / batch);
const trainer = await createTrainer(graph, { stepsPerEpoch, epochs, seed: 1 });
try {
  for (let epoch = 0; epoch < epochs; epoch++) {
    // Shuffled from the seed, one permutation per epoch; the next batch is prepared while the GPU runs.
    const loader = new BatchLoader(train, { batchSize: batch, seed: 1, dropLast: true, normalization }, epoch);
    for (let next = await loader.next(); next !== undefined; next = await loader.next()) {
      await trainer.step({ images: next.images, labels: next.labels }); // queued on the GPU; does not wait
    }
    const trained = await trainer.metrics(); // the loss and accuracy summed on the GPU since the last read
    const tested = await trainer.evaluate({ images: testImages, labels: test.labels });
    console.log(
      `epoch ${epoch + 1}/${epochs}: train loss ${trained.loss.toFixed(4)}, accuracy ${((trained.accuracy ?? 0) * 100).toFixed(1)}%; ` +
        `test loss ${tested.loss.toFixed(4)}, accuracy ${((tested.accuracy ?? 0) * 100).toFixed(1)}%`,
    );
  }
  await trainer.save(values.out); // weights (PyTorch names), optimizer state and step: `cnnc run --weights` reads it
  console.log(`saved ${values.out}`);
} finally {
  await trainer.destroy();
}
