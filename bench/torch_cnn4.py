#!/usr/bin/env python3
"""PyTorch peer for the cnn4 training benchmark.

Builds the reference cnn4 model in PyTorch (NCHW internally), runs a few
warm-up training steps, then times one epoch of training and one pass of
inference over `--images` uniform random images, and prints exactly one JSON
line to stdout:

  {"backend":"pytorch-cpu","model":"cnn4","shape":"28x28x1","threads":N,
   "torch":"<version>","device":"<cpu or gpu name>",
   "train_img_s":<float>,"infer_img_s":<float>}

Model: conv3x3 32 ReLU (same) -> conv3x3 32 ReLU (same) -> maxpool 2 ->
conv3x3 64 ReLU (same) -> conv3x3 64 ReLU (same) -> maxpool 2 -> flatten ->
dense 128 ReLU -> dense 10 (softmax folded into CrossEntropyLoss for training,
applied explicitly at inference). Adam lr 1e-3.

No dependencies beyond torch.
"""

import argparse
import json
import sys
import time

import torch
from torch import nn


def parse_shape(text):
    parts = text.lower().split("x")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError("shape must be HxWxC, e.g. 28x28x1")
    try:
        h, w, c = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError("shape must be HxWxC with integer sizes")
    if h < 4 or w < 4 or c < 1:
        raise argparse.ArgumentTypeError("shape too small: need H,W >= 4 and C >= 1")
    return h, w, c


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an integer, got %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a positive integer, got %d" % value)
    return value


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an integer, got %r" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("expected a non-negative integer, got %d" % value)
    return value


def build_cnn4(h, w, c, classes=10):
    # Two 2x2 max-pools with floor semantics (as Keras 'valid' pooling).
    flat = 64 * (h // 2 // 2) * (w // 2 // 2)
    return nn.Sequential(
        nn.Conv2d(c, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(64, 64, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(flat, 128),
        nn.ReLU(),
        nn.Linear(128, classes),
    )


def cpu_model_name():
    try:
        with open("/proc/cpuinfo", "r", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    _, _, value = line.partition(":")
                    value = value.strip()
                    if value:
                        return value
    except OSError:
        pass
    return "cpu"


def batches(n, batch):
    """(start, end) pairs covering n items in steps of `batch` (last may be partial)."""
    return [(s, min(s + batch, n)) for s in range(0, n, batch)]


def main(argv=None):
    ap = argparse.ArgumentParser(description="PyTorch cnn4 training/inference throughput")
    ap.add_argument("--shape", type=parse_shape, default=parse_shape("28x28x1"), help="HxWxC")
    ap.add_argument("--images", type=positive_int, default=1024)
    ap.add_argument("--batch", type=positive_int, default=128)
    ap.add_argument("--threads", type=positive_int, default=1)
    ap.add_argument("--warmup-batches", type=non_negative_int, default=2)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    h, w, c = args.shape
    shape_text = "%dx%dx%d" % (h, w, c)

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        # Can only be set once, before any inter-op parallel work started.
        pass
    torch.manual_seed(args.seed)

    if args.device == "cuda":
        if not torch.cuda.is_available():
            print("error: --device cuda requested but torch.cuda.is_available() is False",
                  file=sys.stderr)
            return 2
        device = torch.device("cuda")
        device_name = torch.cuda.get_device_name(device)
        backend = "pytorch-cuda"
    else:
        device = torch.device("cpu")
        device_name = cpu_model_name()
        backend = "pytorch-cpu"

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    model = build_cnn4(h, w, c).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    # Uniform random data, NCHW, labels random over 10 classes.
    x_all = torch.rand(args.images, c, h, w, device=device)
    y_all = torch.randint(0, 10, (args.images,), device=device)
    spans = batches(args.images, args.batch)

    def train_step(xb, yb):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss

    # Warm-up training steps (not timed).
    model.train()
    for i in range(args.warmup_batches):
        s, e = spans[i % len(spans)]
        train_step(x_all[s:e], y_all[s:e])
    sync()

    # One timed epoch of training.
    model.train()
    sync()
    t0 = time.perf_counter()
    loss = None
    for s, e in spans:
        loss = train_step(x_all[s:e], y_all[s:e])
    sync()
    train_s = time.perf_counter() - t0
    if loss is not None and not torch.isfinite(loss).item():
        print("error: training loss is not finite", file=sys.stderr)
        return 3

    # Timed inference over the same images.
    model.eval()
    with torch.no_grad():
        # One untimed warm-up batch so the no-grad path is primed too.
        s, e = spans[0]
        torch.softmax(model(x_all[s:e]), dim=1)
        sync()
        t0 = time.perf_counter()
        for s, e in spans:
            out = torch.softmax(model(x_all[s:e]), dim=1)
        sync()
        infer_s = time.perf_counter() - t0
        _ = out  # keep the final result alive until after timing

    result = {
        "backend": backend,
        "model": "cnn4",
        "shape": shape_text,
        "threads": args.threads,
        "torch": torch.__version__,
        "device": device_name,
        "train_img_s": args.images / train_s,
        "infer_img_s": args.images / infer_s,
    }
    sys.stdout.write(json.dumps(result, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
