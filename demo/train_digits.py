"""Train a small CNN on the handwritten digits that ship with ember, written as PyTorch code.

    python demo/train_digits.py [--epochs 12] [--out checkpoints/digits_cnn.pt] [--logdir runs/digits]

The digits are 8x8 grey images (1,797 of them; see ember/data/README.md for source and
licence). A fixed split keeps 300 for testing. The script trains, prints the test accuracy,
saves the weights with torch.save(model.state_dict()), loads them into a fresh model and
checks that it predicts exactly the same. It exits with status 1 if the test accuracy is
below --min-accuracy (97% by default). With --logdir it also logs the run for TensorBoard
(needs `pip install ember[tensorboard]`; then `tensorboard --logdir runs`).
"""
import argparse
import os
import sys
import time

import numpy as np
from tqdm import tqdm

import ember as torch                      # the only line that differs from a PyTorch script
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset
from ember.data import load_digits


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),      # 16 x 8 x 8
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),     # 32 x 8 x 8
            nn.MaxPool2d(2),                                            # 32 x 4 x 4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def split_digits(n_test=300, seed=0):
    """The fixed train/test split: a seeded NumPy permutation, the same on every machine."""
    images, labels = load_digits()
    x = torch.from_numpy(images.astype(np.float32)[:, None] / 16.0)     # N x 1 x 8 x 8 in [0, 1]
    y = torch.from_numpy(labels.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(labels)))
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


@torch.no_grad()
def evaluate(model, x, y, batch_size=500):
    model.eval()
    preds = torch.cat([model(x[i:i + batch_size]).argmax(dim=1) for i in range(0, len(x), batch_size)])
    return (preds == y).float().mean().item(), preds


def log_results(writer, model, x_test, y_test, preds, args):
    """The trained model's view of the test digits: the Projector, PR curves, hyperparameters."""
    model.eval()
    with torch.no_grad():
        features = model.classifier[:3](model.features(x_test))          # the 64-d hidden layer
        probs = model(x_test).softmax(dim=1)
    writer.add_embedding(features, metadata=[int(v) for v in y_test], label_img=x_test, tag="test_digits")
    for digit in range(10):
        writer.add_pr_curve(f"pr/{digit}", y_test == digit, probs[:, digit], args.epochs)
    acc = (preds == y_test).float().mean().item()
    writer.add_hparams({"lr": args.lr, "batch_size": args.batch_size, "epochs": args.epochs},
                       {"hparam/test_accuracy": acc}, run_name="hparams")
    writer.close()
    print(f"TensorBoard logs in {args.logdir}: tensorboard --logdir {args.logdir}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join("checkpoints", "digits_cnn.pt"))
    p.add_argument("--min-accuracy", type=float, default=0.97)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.add_argument("--logdir", help="log losses, accuracy, learning rate, weights and the test "
                                    "digits' embedding here for TensorBoard (needs tensorboard)")
    args = p.parse_args()
    writer = None
    if args.logdir:
        from ember.utils.tensorboard import SummaryWriter
        writer = SummaryWriter(args.logdir)

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    (x_train, y_train), (x_test, y_test) = split_digits(seed=args.seed)
    print(f"digits: {len(x_train)} train / {len(x_test)} test images of 8x8, device {device}")

    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(args.seed))
    model = DigitsCNN().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, args.epochs * 2 // 3), gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters")

    if writer is not None:
        writer.add_images("digits/train_sample", x_train[:32], 0)
        writer.add_graph(model, x_train[:1])                # the Graphs tab
    step = 0
    t0 = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, seen = 0.0, 0
        bar = tqdm(loader, desc=f"epoch {epoch:2d}/{args.epochs}", leave=False,
                   disable=args.no_progress, file=sys.stdout, ncols=80)
        for xb, yb in bar:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            seen += len(xb)
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
            if writer is not None:
                writer.add_scalar("loss/train_batch", loss.item(), step)
            step += 1
        if writer is not None:
            writer.add_scalar("lr", scheduler.get_last_lr()[0], epoch)
        scheduler.step()
        acc, _ = evaluate(model, x_test, y_test)
        print(f"epoch {epoch:2d}: train loss {total / seen:.4f}, test accuracy {acc:.2%}")
        if writer is not None:
            writer.add_scalar("loss/train", total / seen, epoch)
            writer.add_scalar("accuracy/test", acc, epoch)
            for name, param in model.named_parameters():
                writer.add_histogram(name, param, epoch)
    train_time = time.perf_counter() - t0

    acc, preds = evaluate(model, x_test, y_test)
    print(f"test accuracy: {acc:.2%} ({int(round(acc * len(y_test)))}/{len(y_test)}), "
          f"trained in {train_time:.1f} s")
    if writer is not None:
        log_results(writer, model, x_test, y_test, preds, args)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(model.state_dict(), args.out)
    restored = DigitsCNN()
    restored.load_state_dict(torch.load(args.out))
    acc2, preds2 = evaluate(restored, x_test, y_test)
    same = bool((preds2 == preds).all().item())
    print(f"checkpoint saved to {args.out} ({os.path.getsize(args.out):,} bytes); reloaded: "
          f"test accuracy {acc2:.2%}, predictions {'identical' if same else 'DIFFERENT'}")
    if not same:
        sys.exit("the reloaded model does not predict the same as the trained one")
    if acc < args.min_accuracy:
        sys.exit(f"test accuracy {acc:.2%} is below the expected {args.min_accuracy:.0%}")


if __name__ == "__main__":
    main()
