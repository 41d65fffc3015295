"""Would a larger encoder still pass ``primum bench``? Throughput of encoder shapes on the bot's own path.

    python benchmarks/encoder_shapes.py            # 2 threads, like the bench target (about 2 minutes)

Issue 13 leaves model capacity open: a 12-layer MiniLM or an mpnet-base-sized encoder, if it can
still reach 300 msg/s batched on two cores. Speed does not depend on the weights' values, so each
shape is built with random weights, exported, fused and quantised to int8 by the same
``export_int8`` as the shipped model, and scored through the same ``Engine`` (normalise, tokenize,
one row per call, n-gram blend). The shipped model is measured in the same run, and each shape is
also given as a share of the randomly initialised 6-layer shape, which is the shipped architecture:
that ratio, unlike the absolute numbers, holds on a busier or quieter machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.inference.bench import _throughput  # noqa: E402
from primum.inference.engine import MODEL_DIR, read_card  # noqa: E402
from primum.inference.onnx_backend import engine_for_file, export_int8, load_onnx_engine  # noqa: E402

#: name -> (layers, hidden size, attention heads, feed-forward size)
SHAPES = {
    "6 x 384 (MiniLM-L6, the shipped shape)": (6, 384, 12, 1536),
    "12 x 384 (MiniLM-L12)": (12, 384, 12, 1536),
    "12 x 768 (mpnet-base / BERT-base)": (12, 768, 12, 3072),
}
TARGET = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from transformers import BertConfig, BertModel

    from primum.inference.net import KindnessNet, load_encoder

    card = read_card(MODEL_DIR)
    shipped, _ = load_onnx_engine(MODEL_DIR, threads=args.threads)
    rows = [("shipped model (trained weights)", _throughput(shipped.predict, 32), _throughput(shipped.predict, 1), 0)]
    tokenizer, base = load_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (layers, hidden, heads, ffn) in SHAPES.items():
            config = BertConfig(**{**base.config.to_dict(), "num_hidden_layers": layers, "hidden_size": hidden,
                                   "num_attention_heads": heads, "intermediate_size": ffn})
            net = KindnessNet(BertModel(config, add_pooling_layer=False), len(card["labels"])).eval()
            int8, fp32 = Path(tmp) / f"{layers}x{hidden}.int8.onnx", Path(tmp) / f"{layers}x{hidden}.fp32.onnx"
            export_int8(net, tokenizer, int8, fp32, num_heads=heads, hidden=hidden)
            engine = engine_for_file(int8, card, MODEL_DIR, threads=args.threads)
            rows.append((name, _throughput(engine.predict, 32), _throughput(engine.predict, 1),
                         int8.stat().st_size // 1_000_000))
    same_shape = rows[1][1]
    print(f"\n{args.threads} threads; target {TARGET:.0f} msg/s batched\n")
    print("| encoder | msg/s batched | msg/s one by one | share of the 6-layer shape | int8 file MB |")
    print("|---|---|---|---|---|")
    for name, batched, single, size in rows:
        print(f"| {name} | {batched:.0f} | {single:.0f} | {batched / same_shape:.2f} | {size or '-'} |")


if __name__ == "__main__":
    main()
