#!/usr/bin/env python3
"""Exports the real CNNs cnnc is tested on to ONNX, with seeded random weights.

usage: export_torchvision.py OUTDIR [MODEL ...]

Models: lenet (a LeNet-5 style CNN on 1x32x32, the classic), lenet_dynamic (the
same with a symbolic batch dimension and an x.view(x.size(0), -1) flatten, so
the exporter emits a Shape->Gather->Concat->Reshape chain), alexnet, vgg16,
resnet50, mobilenet_v2, squeezenet1_1 (torchvision, 3x224x224). Batch 1,
opset 13, exported in eval mode by Debian's python3-torch, so the exporter has
already folded BatchNorm into the convolutions; except resnet18_bn, exported
with training=TrainingMode.PRESERVE so its BatchNormalization nodes stay (with
random running statistics, so folding them is not a no-op): what cnnc's
fold-batchnorm pass is tested on. Without MODEL arguments these are exported.
Exported only when named, for the benchmark (bench/compare): fashion_cnn (a
typical Fashion-MNIST classifier on 1x28x28: conv(32,3x3)-ReLU-pool,
conv(64,3x3)-ReLU-pool, fc128-ReLU-fc10), resnet18 (torchvision, eval mode
like resnet50), and NAME_b8 for any model above: the same weights with a
batch of 8 (for throughput). Next to each NAME.onnx goes
NAME_data/test_data_set_0/{input_0,output_0}.pb, an ONNX test data set with
the example input and PyTorch's output for it: the reference cnnc-run
--test-data compares against. A model whose .onnx and data already exist is
skipped, so test runs after the first are fast. Several lit tests call this
at once: a lock on OUTDIR/.export.lock makes them take turns, so each model is
exported once. Nothing is downloaded: torchvision builds the architectures
with random weights.
"""
import fcntl
import os
import sys

import onnx.numpy_helper
import torch
import torch.nn as nn
import torchvision


class LeNet5(nn.Module):
    """LeNet-5 as in the lesson: conv(6,5x5)-pool-conv(16,5x5)-pool-fc120-fc84-fc10."""

    def __init__(self, view_flatten=False):
        super().__init__()
        self.view_flatten = view_flatten
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1) if self.view_flatten else torch.flatten(x, 1)
        return self.classifier(x)


class FashionCNN(nn.Module):
    """The usual Fashion-MNIST CNN: two conv-ReLU-pool stages, then fc128-fc10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def build(name):
    """Returns (module, example input, dynamic_axes)."""
    if name.endswith("_b8"):
        model, example, dynamic_axes = build(name[:-len("_b8")])
        return model, torch.randn(8, *example.shape[1:]), dynamic_axes
    if name == "fashion_cnn":
        return FashionCNN(), torch.randn(1, 1, 28, 28), None
    if name == "lenet":
        return LeNet5(), torch.randn(1, 1, 32, 32), None
    if name == "lenet_dynamic":
        return (LeNet5(view_flatten=True), torch.randn(1, 1, 32, 32),
                {"input": {0: "batch"}, "output": {0: "batch"}})
    if name == "resnet18_bn":
        model = torchvision.models.resnet18(weights=None)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.5, 0.5)
        return model, torch.randn(1, 3, 224, 224), None
    ctor = getattr(torchvision.models, name)
    return ctor(weights=None), torch.randn(1, 3, 224, 224), None


def save_tensor(path, tensor, name):
    proto = onnx.numpy_helper.from_array(tensor.numpy(), name)
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())


MODELS = ["lenet", "lenet_dynamic", "alexnet", "vgg16", "resnet50",
          "mobilenet_v2", "squeezenet1_1", "resnet18_bn"]


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or MODELS
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    with open(os.path.join(out_dir, ".export.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for name in names:
            export(out_dir, name)


def export(out_dir, name):
    path = os.path.join(out_dir, name + ".onnx")
    data_dir = os.path.join(out_dir, name + "_data", "test_data_set_0")
    expected = os.path.join(data_dir, "output_0.pb")
    if os.path.exists(path) and os.path.exists(expected):
        return
    torch.manual_seed(0)
    model, example, dynamic_axes = build(name)
    model.eval()
    tmp = path + ".tmp"
    with torch.no_grad():
        preserve = {"training": torch.onnx.TrainingMode.PRESERVE} \
            if name == "resnet18_bn" else {}
        torch.onnx.export(model, example, tmp, opset_version=13,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes=dynamic_axes, do_constant_folding=True,
                          **preserve)
        output = model(example)
    os.makedirs(data_dir, exist_ok=True)
    save_tensor(os.path.join(data_dir, "input_0.pb"), example, "input")
    save_tensor(expected + ".tmp", output, "output")
    # The model and then its expected output last: a run cut short
    # leaves no half-written file that looks complete.
    os.replace(tmp, path)
    os.replace(expected + ".tmp", expected)
    print(f"exported {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
