#!/usr/bin/python3
"""Trains the classic Fashion-MNIST CNN and exports it to ONNX for cnnc.

usage: /usr/bin/python3 train.py OUT_DIR [--epochs N] [--seed S]
                                 [--train-images N]

The data is Debian's dataset-fashion-mnist (/usr/share/datasets/
fashion-mnist/*.gz, the IDX files); the framework Debian's python3-torch, on
the CPU with two threads. The network is the one of the lesson and of
Keras's Fashion-MNIST tutorial: two blocks of 3x3 convolution, ReLU and 2x2
max pooling (32 and 64 filters), then a dense layer of 128 with ReLU and one
of 10 class scores. Three epochs of Adam over the 60,000 training images
(the last at a tenth of the learning rate) take about two minutes on two
cores and reach about 91% test accuracy.

Writes to OUT_DIR:
  fashion_mnist.onnx          the model, input "image" f32[1,1,28,28] (pixels
                              in [0, 1]), output "scores" f32[1,10]
  fashion_mnist.pytorch.txt   PyTorch's predicted class of each of the
                              10,000 test images, one per line: what the
                              compiled model must reproduce
  test-N-CLASS.png            the first test images as 28x28 gray PNGs
                              (for cnnc-viz features and cnnc-run)
and prints the test accuracy PyTorch measures.
"""
import argparse
import gzip
import os
import sys
import struct
import time
import zlib

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """An IDX file (gzipped) as a numpy array of its dimensions."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 8:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split):
    """Images as float32 [N, 1, 28, 28] in [0, 1], labels as int64 [N]."""
    images = read_idx(os.path.join(DATA, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


class FashionCNN(nn.Module):
    """conv-ReLU-pool twice, then dense 128 and 10 (the lesson's CNN)."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128),
                                    nn.ReLU())
        self.head = nn.Linear(128, classes)

    def forward(self, x):
        return self.head(self.hidden(self.features(x)))


def fit(model, x, y, epochs, parameters, batch=64, lr=1e-3):
    """Adam over shuffled mini-batches, the last epoch (of several) at a
    tenth of the learning rate; prints the loss per epoch."""
    optimizer = torch.optim.Adam(parameters, lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        if epoch == epochs - 1 and epochs > 1:
            for group in optimizer.param_groups:
                group["lr"] = lr / 10
        model.train()
        order = torch.randperm(len(x))
        total, start = 0.0, time.time()
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f} "
              f"({time.time() - start:.0f} s)", flush=True)


def predict(model, x):
    """The predicted class of each image, in eval mode."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]).argmax(1)
                          for i in range(0, len(x), 1000)])


def export(model, path, classes):
    """ONNX, opset 13, batch 1: what an application calls per image."""
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path,
                      opset_version=13, input_names=["image"],
                      output_names=["scores"], do_constant_folding=True)
    print(f"exported {path} ({classes} classes)")


def write_predictions(path, predictions):
    with open(path, "w") as f:
        f.write("".join(f"{int(p)}\n" for p in predictions))


def write_png(path, pixels):
    """An 8-bit gray PNG of the 2-D uint8 array `pixels`."""
    height, width = pixels.shape
    raw = b"".join(b"\0" + bytes(row) for row in pixels)

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xffffffff))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                           0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def add_common_arguments(p):
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train-images", type=int, default=60000,
                   help="train on the first N training images only (the "
                   "tests take 20,000, to be quick)")


def prepare(args):
    """Seeds, two threads, the output folder; the training and test data."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    x_train, y_train = load("train")
    n = args.train_images
    return (x_train[:n], y_train[:n]) + load("t10k")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(p)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    x_train, y_train, x_test, y_test = prepare(args)
    model = FashionCNN()
    fit(model, x_train, y_train, args.epochs, model.parameters())
    predictions = predict(model, x_test)
    accuracy = (predictions == y_test).float().mean().item()
    print(f"PyTorch test accuracy: {100 * accuracy:.2f}% "
          f"({int((predictions == y_test).sum())}/{len(y_test)})")
    export(model, os.path.join(args.out, "fashion_mnist.onnx"), 10)
    write_predictions(os.path.join(args.out, "fashion_mnist.pytorch.txt"),
                      predictions)
    for i in range(3):
        name = CLASSES[int(y_test[i])].split("/")[0].replace(" ", "-").lower()
        write_png(os.path.join(args.out, f"test-{i}-{name}.png"),
                  (x_test[i, 0].numpy() * 255).round().astype(np.uint8))


if __name__ == "__main__":
    main()
