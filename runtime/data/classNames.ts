// The names of a dataset's classes, by label index, for reports (the confusion matrix): the official
// names of Fashion-MNIST and CIFAR-10, the digits of MNIST, `class 0`, `class 1`... otherwise. A known
// dataset trained with another class count (a network whose last layer is not 10 wide) gets the
// generic names too, rather than names that would not match its labels.

const FASHION_MNIST_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const MNIST_NAMES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

const NAMES_BY_DATASET: ReadonlyMap<string, readonly string[]> = new Map([
  ["fashion_mnist", FASHION_MNIST_NAMES],
  ["mnist", MNIST_NAMES],
  ["cifar10", CIFAR10_NAMES],
]);

/** The `classes` class names of `dataset` (a `train { data = ... }` kind such as "fashion_mnist"). */
export function classNamesOf(dataset: "fashion_mnist" | "mnist" | "cifar10" | string, classes: number): string[] {
  if (!Number.isSafeInteger(classes) || classes < 1) throw new RangeError(`a class count must be a whole number from 1, got ${classes}`);
  const known = NAMES_BY_DATASET.get(dataset);
  if (known !== undefined && known.length === classes) return [...known];
  return Array.from({ length: classes }, (_, index) => `class ${index}`);
}
