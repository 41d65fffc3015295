"""The default runtime: the shipped model in ONNX Runtime, fused and int8, one message per call.

Why: ``primum bench`` must reach 300 msg/s on two cores. ONNX Runtime with the BERT fusions
(one Attention, SkipLayerNorm and BiasGelu kernel per layer instead of dozens of small ops) and
dynamic int8 with per-channel weights runs one message in ~5 ms on one core, about 2x torch's int8.

Why one message per call: dynamic int8 picks one activation scale per call, so a padded batch would
let a message's score move with its batch-mates (issue 16). Each row runs alone on its own real
tokens, so a score is the same in any batch; throughput comes from running rows on ``threads``
cores at once instead (ONNX Runtime releases the GIL).

The int8 file (~23 MB) is not shipped: it is built once from the base encoder + shipped weights into
a cache folder keyed by the model version and :data:`RECIPE`, so the repo stays small and the build
is reproducible. When the build cannot run (onnx or onnxruntime missing, a read-only cache), the
loader falls back to the torch runtime with a warning (see ``transformer.default_loader``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from primum.inference.engine import MODEL_DIR, SEGMENT_CHARS, Engine, card_emoji_names, read_card
from primum.inference.lexical import load_lexical

log = logging.getLogger(__name__)

#: Bump when the export, fusion or quantisation changes: it names the cached file.
RECIPE = "eager-fused-int8-v2"
#: MiniLM-L6's attention geometry, which the BERT fusion needs to be told.
NUM_HEADS = 12
HIDDEN = 384


def available() -> bool:
    """Whether onnxruntime and onnx are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def default_cache_dir() -> Path:
    """``$PRIMUM_CACHE`` or ``~/.cache/primum``."""
    return Path(os.environ.get("PRIMUM_CACHE", Path.home() / ".cache" / "primum"))


def model_paths(model_dir: Path = MODEL_DIR, cache_dir: Path | None = None) -> tuple[Path, Path]:
    """Where the int8 and fp32 files of this model version live in the cache."""
    card = read_card(model_dir)
    folder = (cache_dir or default_cache_dir()) / str(card["version"])
    return folder / f"model.{RECIPE}.onnx", folder / "model.fp32-eager.onnx"


def build_int8(model_dir: Path = MODEL_DIR, cache_dir: Path | None = None) -> Path:
    """Build the shipped model's int8 file (and its fused fp32 twin) in the cache once; return its path."""
    int8, fp32 = model_paths(model_dir, cache_dir)
    if int8.exists() and fp32.exists():
        return int8
    from primum.inference.net import build_inference_net

    tokenizer, net, _ = build_inference_net(model_dir)
    export_int8(net, tokenizer, int8, fp32)
    log.info("built the int8 ONNX model in the cache folder %s", int8.parent)
    return int8


def export_int8(net: Any, tokenizer: Any, int8: Path, fp32: Path, *, num_heads: int = NUM_HEADS,
                hidden: int = HIDDEN) -> None:
    """Export a network to ONNX, fuse it and quantise it to per-channel int8 at ``int8`` (fused fp32 at ``fp32``).

    The export uses eager attention because the fusion recognises that pattern (not the SDPA op).
    Every file is written under a temporary name and renamed, so an interrupted build leaves no
    half-written model behind. ``benchmarks/encoder_shapes.py`` runs larger encoders through the same steps.
    """
    int8.parent.mkdir(parents=True, exist_ok=True)
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    net.encoder.set_attn_implementation("eager")
    sample = tokenizer(["a short example message", "x"], padding=True, return_tensors="pt")
    suffix = f".{os.getpid()}.tmp"
    raw = int8.with_name("model.raw.onnx" + suffix)
    fused = int8.with_name("model.fused.onnx" + suffix)
    try:
        # the exporter's tracer warnings are about shapes this fixed graph never meets: noise in an owner's log
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                net,
                (sample["input_ids"], sample["attention_mask"]),
                str(raw),
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                              "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        optimized = optimize_model(str(raw), model_type="bert", num_heads=num_heads, hidden_size=hidden)
        optimized.save_model_to_file(str(fused))
        int8_tmp = int8.with_name(int8.name + suffix)
        quantize_dynamic(str(fused), str(int8_tmp), per_channel=True, weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        fused.replace(fp32)
        int8_tmp.replace(int8)
    finally:
        for leftover in (raw, fused, int8.with_name(int8.name + suffix)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


class RowRunner:
    """Runs each row of a padded batch alone, on its real tokens, ``threads`` rows at a time."""

    def __init__(self, session: Any, threads: int) -> None:
        self._session = session
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="primum-onnx")

    def _one(self, ids: Any, mask: Any) -> Any:
        (logits,) = self._session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
        return logits[0]

    def __call__(self, ids: Any, mask: Any) -> Any:
        """Logits for every row of (ids, mask), as a torch tensor (what ``Engine`` expects)."""
        import numpy as np
        import torch

        ids_np = ids.numpy().astype(np.int64)
        mask_np = mask.numpy().astype(np.int64)
        lengths = mask_np.sum(axis=1)
        rows = [(ids_np[b : b + 1, : max(1, int(n))], mask_np[b : b + 1, : max(1, int(n))])
                for b, n in enumerate(lengths)]
        # a single row runs here: handing it to the pool would only add a thread switch
        out = [self._one(*rows[0])] if len(rows) == 1 else list(self._pool.map(lambda row: self._one(*row), rows))
        return torch.from_numpy(np.stack(out))


def load_onnx_engine(
    model_dir: Path = MODEL_DIR, threads: int = 1, cache_dir: Path | None = None, quantized: bool = True
) -> tuple[Engine, dict[str, Any]]:
    """An ``Engine`` whose forward pass runs in ONNX Runtime (``quantized=False``: the fused fp32 file)."""
    card = read_card(model_dir)
    path = build_int8(model_dir, cache_dir)
    if not quantized:
        path = model_paths(model_dir, cache_dir)[1]
    return engine_for_file(path, card, model_dir, threads), card


def engine_for_file(path: Path, card: dict[str, Any], model_dir: Path = MODEL_DIR, threads: int = 1) -> Engine:
    """An ``Engine`` over one ONNX file, with the scoring settings and n-gram model of ``card``."""
    import onnxruntime as ort

    from primum.inference.engine import set_threads
    from primum.inference.net import load_tokenizer

    set_threads(1)  # torch only does the small post-processing here
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # parallel rows, not parallel kernels: one short row is too small to split
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return Engine(
        load_tokenizer(), RowRunner(session, threads), card["labels"], max_length=int(card.get("max_length", 128)),
        stride=int(card.get("stride", 32)), long_penalty=float(card.get("long_penalty", 0.0)),
        segment_chars=int(card.get("segment_chars", SEGMENT_CHARS)), lexical=load_lexical(model_dir, card),
        emoji_names=card_emoji_names(card),
    )
