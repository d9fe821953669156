import { describe, expect, it } from "vitest";

import { classNamesOf } from "../../../runtime/data/classNames.js";
import { confusionMatrix, confusionSvg, formatConfusion } from "../../../src/training/report/confusion.js";
import { seededRandom } from "../../support/seededRandom.js";
import { checkWellFormedXml } from "./wellFormedXml.js";

describe("confusionMatrix", () => {
  it("counts rows by true class and columns by prediction", () => {
    expect(confusionMatrix([0, 1, 1, 2, 0], [0, 1, 2, 2, 1], 3)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
  });

  it("agrees with a direct count on random data", () => {
    const random = seededRandom(8);
    const classes = 7;
    const labels = Int32Array.from({ length: 500 }, () => Math.floor(random() * classes));
    const predictions = labels.map((label) => (random() < 0.7 ? label : Math.floor(random() * classes)));
    const matrix = confusionMatrix(predictions, labels, classes);
    for (let t = 0; t < classes; t++) {
      for (let p = 0; p < classes; p++) {
        const expected = Array.from(labels).filter((label, i) => label === t && predictions[i] === p).length;
        expect(matrix[t]![p]).toBe(expected);
      }
    }
  });

  it("refuses mismatched lengths and out-of-range classes", () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/1 predictions but 2 labels/);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/prediction 1 is 2/);
    expect(() => confusionMatrix([0, 1], [0, 0.5], 2)).toThrow(/label 1 is 0.5/);
    expect(() => confusionMatrix([], [], 0)).toThrow(/class count/);
  });
});

describe("classNamesOf", () => {
  it("names the known datasets' classes, and others generically", () => {
    expect(classNamesOf("fashion_mnist", 10)).toEqual(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
    expect(classNamesOf("mnist", 10)[7]).toBe("7");
    expect(classNamesOf("cifar10", 10)[0]).toBe("airplane");
    expect(classNamesOf("mydata", 3)).toEqual(["class 0", "class 1", "class 2"]);
    // A known dataset with another class count: names that fit the labels, not the dataset's.
    expect(classNamesOf("fashion_mnist", 5)).toEqual(["class 0", "class 1", "class 2", "class 3", "class 4"]);
  });
});

describe("formatConfusion", () => {
  it("prints an aligned table with totals, recall and accuracy", () => {
    const matrix = [
      [8, 2, 0],
      [1, 9, 0],
      [0, 0, 0],
    ];
    expect(formatConfusion(matrix, ["cat", "dog", "bird"])).toBe(
      [
        "true \\ predicted   0  1  2  total  recall",
        "0 cat              8  2  0     10   80.0%",
        "1 dog              1  9  0     10   90.0%",
        "2 bird             0  0  0      0     n/a",
        "total              9 11  0     20",
        "accuracy 85.0% (17 of 20)",
        "",
      ].join("\n"),
    );
  });

  it("refuses names that do not match the matrix", () => {
    expect(() => formatConfusion([[1]], ["a", "b"])).toThrow(/2 class names for a 1-class/);
    expect(() => formatConfusion([[1, 2]], ["a"])).toThrow(/square/);
  });
});

describe("confusionSvg", () => {
  it("draws one cell per count, escapes names, and is well-formed", () => {
    const names = classNamesOf("fashion_mnist", 10).map((name, index) => (index === 0 ? "T<shirt>&top" : name));
    const matrix = names.map((_, t) => names.map((__, p) => (t === p ? 90 : t + p)));
    const svg = confusionSvg(matrix, names);
    const elements = checkWellFormedXml(svg);
    expect(elements.filter((name) => name === "rect").length).toBe(1 + 100); // background + cells
    expect(svg).toContain("T&lt;shirt&gt;&amp;top");
    expect(svg).toContain(">Ankle boot</text>");
    // The diagonal is the darkest shade with white text; an all-zero row gets white cells.
    expect(svg).toMatch(/>90<\/text>/);
    const empty = confusionSvg([[0, 0], [1, 1]], ["a", "b"]);
    checkWellFormedXml(empty);
    expect(empty).toContain('fill="rgb(255,255,255)"');
    expect(empty).toContain(">n/a</text>");
  });
});
