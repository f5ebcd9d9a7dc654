#!/usr/bin/env python3
"""PyTorch peer for the GPU side-by-side benchmark.

Reads the cases from gpu-cases.json beside this file (the same file the webgpu bench reads), so both
sides train the same models on the same shapes and batches, and time the same convolutions. Prints
one JSON line per measurement to stdout:

  {"bench":"torch-env", ...}                      torch, CUDA and cuDNN versions, device, TF32 off
  {"bench":"torch-train","model":"cnn4","shape":"28x28x1","batch":128,"train_img_s":...}
  {"bench":"torch-kernel","kernel":"Conv2D","shape":"64x28x28x32->64 3x3","ms":...,"gflop_s":...}
  {"bench":"skip"|"error", "backend":..., "reason":...}

float32 with TF32 disabled, so the comparison is float32 against float32. Adam (lr 1e-3) and
cross-entropy; warm-up steps are excluded and every timed span ends with torch.cuda.synchronize().
Data is one uniform random batch reused every step, as in bench/train-bench.ts. Without torch, or
without CUDA when --device cuda, it prints one skip line and exits 0: the caller degrades, not fails.

The architectures mirror electron/engine/models (cnn4.ts, allconv9.ts, resnet.ts): the same layers,
widths, strides and batch norm settings (momentum 0.1 in PyTorch's convention, epsilon 1e-3); NCHW,
PyTorch's native layout, with the softmax folded into the loss.
"""

import argparse
import json
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def shape_text(shape):
    return "x".join(str(d) for d in shape)


def conv_text(c):
    return "%dx%dx%dx%d->%d 3x3" % (c["n"], c["h"], c["w"], c["ci"], c["co"])


def sig(x):
    """Four significant digits: kernel times span microseconds (H200) to milliseconds (CPU)."""
    return float("%.4g" % x)


CONV_SHAPE = re.compile(r"^\s*(\d+)x(\d+)x(\d+)x(\d+)->(\d+)(?:\s+3x3)?\s*$")


def parse_conv_shapes(text):
    shapes = []
    for part in text.split(","):
        if not part.strip():
            continue
        m = CONV_SHAPE.match(part)
        if m is None:
            raise argparse.ArgumentTypeError('conv shape must be "NxHxWxCI->CO 3x3", got %r' % part)
        n, h, w, ci, co = (int(g) for g in m.groups())
        shapes.append({"n": n, "h": h, "w": w, "ci": ci, "co": co})
    return shapes


def timed_steps(batch, images, min_steps):
    return max(min_steps, int(math.ceil(images / batch)))


def build_models(torch):
    from torch import nn

    def cnn4(h, w, c, classes):
        flat = 64 * (h // 2 // 2) * (w // 2 // 2)
        return nn.Sequential(
            nn.Conv2d(c, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(flat, 128), nn.ReLU(),
            nn.Linear(128, classes),
        )

    def bn(f):
        return nn.BatchNorm2d(f, eps=1e-3, momentum=0.1)

    # [filters, kernel, stride] of allconv9.ts's eight hidden layers.
    hidden = [(96, 3, 1), (96, 3, 1), (96, 3, 2), (192, 3, 1), (192, 3, 1), (192, 3, 2), (192, 3, 1), (192, 1, 1)]

    def allconv9(h, w, c, classes):
        layers, cin = [], c
        for f, k, s in hidden:
            layers += [nn.Conv2d(cin, f, k, stride=s, padding=k // 2, bias=False), bn(f), nn.ReLU()]
            cin = f
        layers += [nn.Conv2d(cin, classes, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        return nn.Sequential(*layers)

    class Block(nn.Module):
        def __init__(self, cin, f, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, f, 3, stride=stride, padding=1, bias=False)
            self.bn1 = bn(f)
            self.conv2 = nn.Conv2d(f, f, 3, padding=1, bias=False)
            self.bn2 = bn(f)
            # Option B: a 1x1 conv + BN projection where the shape changes, as resnet.ts.
            self.shortcut = (
                nn.Identity()
                if stride == 1 and cin == f
                else nn.Sequential(nn.Conv2d(cin, f, 1, stride=stride, bias=False), bn(f))
            )

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + self.shortcut(x))

    def resnet(depth):
        blocks = (depth - 2) // 6

        def build(h, w, c, classes):
            layers = [nn.Conv2d(c, 16, 3, padding=1, bias=False), bn(16), nn.ReLU()]
            cin = 16
            for s, f in enumerate((16, 32, 64)):
                for b in range(blocks):
                    layers.append(Block(cin, f, 2 if s > 0 and b == 0 else 1))
                    cin = f
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
            return nn.Sequential(*layers)

        return build

    return {"cnn4": cnn4, "allconv9": allconv9, "resnet8": resnet(8), "resnet20": resnet(20)}


def bench_train(torch, device, sync, models, case, cases):
    from torch import nn

    h, w, c = case["shape"]
    batch = case["batch"]
    model = models[case["model"]](h, w, c, 10).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, c, h, w, device=device)
    y = torch.randint(0, 10, (batch,), device=device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    model.train()
    for _ in range(cases["warmupSteps"]):
        step()
    sync()
    steps = timed_steps(batch, cases["torchImages"], cases["minSteps"])
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    sync()
    seconds = time.perf_counter() - t0
    if not math.isfinite(loss.item()):
        raise RuntimeError("training loss is not finite")
    return {"steps": steps, "train_img_s": round(steps * batch / seconds, 1)}


def conv_ops(torch):
    """(name, make(x, w, dy) -> zero-argument callable) for the forward pass and both gradients."""
    import torch.nn.functional as F

    backward = getattr(torch.ops.aten, "convolution_backward", None)

    def grad(x, w, dy, mask):
        # aten's own backward (what autograd runs in training) where this torch has it.
        if backward is not None:
            return lambda: backward(dy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)
        if mask[0]:
            return lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, padding=1)
        return lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=1)

    return [
        ("Conv2D", lambda x, w, dy: (lambda: F.conv2d(x, w, padding=1))),
        ("Conv2DBackpropInput", lambda x, w, dy: grad(x, w, dy, [True, False, False])),
        ("Conv2DBackpropFilter", lambda x, w, dy: grad(x, w, dy, [False, True, False])),
    ]


def bench_conv(torch, device, sync, shape, repeats):
    n, h, w, ci, co = shape["n"], shape["h"], shape["w"], shape["ci"], shape["co"]
    flops = 2 * n * h * w * ci * co * 9
    x = torch.rand(n, ci, h, w, device=device)
    weight = torch.rand(co, ci, 3, 3, device=device)
    dy = torch.rand(n, co, h, w, device=device)
    out = []
    for name, make in conv_ops(torch):
        run = make(x, weight, dy)
        run()
        sync()
        # At least `repeats` calls and 0.1 s, so microsecond kernels are not timed by one launch.
        count, t0 = 0, time.perf_counter()
        while count < repeats or time.perf_counter() - t0 < 0.1:
            run()
            count += 1
            if count % 10 == 0 or count >= repeats:
                sync()
        sync()
        ms = (time.perf_counter() - t0) * 1000 / count
        out.append({"kernel": name, "shape": conv_text(shape), "ms": sig(ms), "gflop_s": sig(flops / ms / 1e6)})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="PyTorch peer of the GPU side-by-side benchmark (JSON lines)")
    ap.add_argument("--scale", choices=["full", "tiny"], default="full")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    ap.add_argument("--only", default="train,conv", help="comma-separated: train, conv, params")
    ap.add_argument("--cases", default=os.path.join(HERE, "gpu-cases.json"))
    ap.add_argument("--conv-shapes", type=parse_conv_shapes, default=None,
                    help='comma-separated "NxHxWxCI->CO 3x3" (the shapes the webgpu side timed); default: the cases\'')
    args = ap.parse_args(argv)
    backend = "pytorch-" + args.device
    wanted = set(p.strip() for p in args.only.split(",") if p.strip())

    try:
        import torch
    except ImportError as e:
        emit({"bench": "skip", "backend": backend, "reason": "%s cannot import torch (%s)" % (sys.executable, e)})
        return 0
    if args.device == "cuda" and not torch.cuda.is_available():
        emit({"bench": "skip", "backend": backend, "reason": "torch %s imports but torch.cuda.is_available() is False" % torch.__version__})
        return 0
    with open(args.cases, "r", encoding="utf-8") as f:
        cases = json.load(f)[args.scale]

    # float32 against float32: TF32 would make PyTorch's products ~4-8x faster with 10-bit mantissas.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    device = torch.device(args.device)
    cuda = device.type == "cuda"

    def sync():
        if cuda:
            torch.cuda.synchronize()

    emit({
        "bench": "torch-env",
        "backend": backend,
        "torch": torch.__version__,
        "cuda": torch.version.cuda if cuda else None,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "device": torch.cuda.get_device_name(device) if cuda else "cpu",
        "threads": torch.get_num_threads(),
        "tf32": False,
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
    })
    models = build_models(torch)
    if "params" in wanted:
        # Trainable parameters per case, so a test can hold these models to the engine's.
        for case in cases["train"]:
            h, w, c = case["shape"]
            count = sum(p.numel() for p in models[case["model"]](h, w, c, 10).parameters() if p.requires_grad)
            emit({"bench": "torch-params", "model": case["model"], "shape": shape_text(case["shape"]), "params": count})
    if "train" in wanted:
        for case in cases["train"]:
            head = {"backend": backend, "model": case["model"], "shape": shape_text(case["shape"]), "batch": case["batch"]}
            try:
                emit(dict({"bench": "torch-train"}, **head, **bench_train(torch, device, sync, models, case, cases)))
            except Exception as e:  # one failing case must not lose the others
                emit(dict({"bench": "error", "group": "torch-train", "reason": "%s: %s" % (type(e).__name__, e)}, **head))
    if "conv" in wanted:
        for shape in args.conv_shapes or cases["conv"]:
            try:
                for r in bench_conv(torch, device, sync, shape, cases["convRepeats"]):
                    emit(dict({"bench": "torch-kernel", "backend": backend}, **r))
            except Exception as e:
                emit({"bench": "error", "group": "torch-kernel", "backend": backend, "shape": conv_text(shape),
                      "reason": "%s: %s" % (type(e).__name__, e)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
