#!/usr/bin/python3
"""Transfer learning on Fashion-MNIST, exported to ONNX for cnnc.

usage: /usr/bin/python3 transfer.py OUT_DIR [--epochs N] [--head-epochs N]
                                    [--seed S] [--train-images N]

Task A is to tell the first five classes apart (T-shirt/top, Trouser,
Pullover, Dress, Coat): the network of train.py with a head of 5 scores is
trained on them from scratch. Task B is the other five (Sandal, Shirt,
Sneaker, Bag, Ankle boot), learned by transfer: A's convolutions and dense
layer are frozen, and only a new head of 5 scores is trained, on B's
images. The two models have one architecture and differ in their weights
only, so cnnc compiles that architecture once (--weights=file) and runs
either model from its weights file.

Writes to OUT_DIR:
  transfer_a.onnx, transfer_b.onnx   input "image" f32[1,1,28,28], output
                                     "scores" f32[1,5]
  transfer_a.pytorch.txt, transfer_b.pytorch.txt
                                     PyTorch's prediction (0-4) for each
                                     test image of the task's classes, in
                                     test-set order
and prints each task's test accuracy as PyTorch measures it.
"""
import argparse
import os

import torch

from train import (FashionCNN, add_common_arguments, export, fit, predict,
                   prepare, write_predictions)


def task(x, y, first):
    """The images of classes first .. first + 4, labeled 0 .. 4."""
    keep = (y >= first) & (y < first + 5)
    return x[keep], y[keep] - first


def report(name, model, x, y, out):
    predictions = predict(model, x)
    accuracy = (predictions == y).float().mean().item()
    print(f"{name}: PyTorch test accuracy {100 * accuracy:.2f}% "
          f"({int((predictions == y).sum())}/{len(y)})")
    export(model, os.path.join(out, f"transfer_{name}.onnx"), 5)
    write_predictions(os.path.join(out, f"transfer_{name}.pytorch.txt"),
                      predictions)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(p)
    p.add_argument("--epochs", type=int, default=3,
                   help="epochs of task A, from scratch")
    p.add_argument("--head-epochs", type=int, default=2,
                   help="epochs of task B's new head")
    args = p.parse_args()
    x_train, y_train, x_test, y_test = prepare(args)

    print("task A: classes 0-4, the whole network")
    a = FashionCNN(classes=5)
    xa, ya = task(x_train, y_train, 0)
    fit(a, xa, ya, args.epochs, a.parameters())
    report("a", a, *task(x_test, y_test, 0), args.out)

    print("task B: classes 5-9, a new head on A's frozen layers")
    b = FashionCNN(classes=5)
    b.load_state_dict(a.state_dict())
    for layer in (b.features, b.hidden):
        for parameter in layer.parameters():
            parameter.requires_grad = False
    b.head.reset_parameters()
    xb, yb = task(x_train, y_train, 5)
    fit(b, xb, yb, args.head_epochs, b.head.parameters())
    report("b", b, *task(x_test, y_test, 5), args.out)


if __name__ == "__main__":
    main()
