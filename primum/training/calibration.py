"""Thresholds and the report for a trained model folder: chosen on calib rows, reported on dev.

``primum train`` ends here, and ``primum evaluate --report --recalibrate`` runs it again on a shipped
folder. The nudge threshold is the lowest that keeps every benign group under its target; dev only
reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from primum.inference.engine import Engine, write_card
from primum.training.data import load_all
from primum.training.rows import DATA_DIR, DEFAULT_PUBLIC_DIR, Example

#: Runtimes whose thresholds the card carries; the first is the default and gives the card's numbers.
CALIBRATED_RUNTIMES = ("onnx", "torch")


def calibrate_and_report(
    out: Path, dev_rows: list[Example], card: dict[str, Any], runtimes: tuple[str, ...] = CALIBRATED_RUNTIMES
) -> dict[str, Any]:
    """Reload the saved artefact exactly as the bot does, pick thresholds on dev, write the card.

    Each runtime in ``runtimes`` gets thresholds chosen on its own scores (``runtime_thresholds``);
    the first one's thresholds and report are the card's.
    """
    from primum.inference.lexical import load_lexical
    from primum.inference.lists import lifted, list_floor
    from primum.inference.runtimes import open_engine
    from primum.replay.corpus import civil_texts, load_split
    from primum.training.card import write_model_card
    from primum.training.metrics import flag_rate, roc_auc
    from primum.training.report import dev_report, format_report

    threads = int(card.get("training", {}).get("threads", 2))
    conversation = civil_texts(load_split("calibration"))
    rows = [r for r in dev_rows if r.unkind is not None]
    dev = [r for r in rows if r.split == "dev"]
    chosen: dict[str, dict[str, Any]] = {}
    report: dict[str, Any] = {}
    for runtime in runtimes:
        engine, _ = open_engine(out, threads=threads, runtime=runtime)
        engine.lift_floor = None  # the blend and the thresholds are chosen on the model's own scores ...
        if runtime == runtimes[0] and card.get("lexical"):
            # the blend is chosen once, on the default runtime; the card on disk then carries it
            card["lexical"].update(choose_blend(engine, out, rows, card))
            write_card(out, card)
            engine.lexical = load_lexical(out, card)

        def predict(texts: Any, engine: Engine = engine) -> list[float]:
            return [s.score for s in engine.predict_many(list(texts), progress=len(texts) > 2000)]

        all_scores = predict([r.text for r in rows])
        civil_chat = predict(conversation) if conversation else []
        thresholds = _choose_on(rows, all_scores, civil_chat)
        # ... and reported as the bot scores: documented hate codes lifted to just over the nudge cut-off
        engine.lift_floor = list_floor(thresholds["nudge"], thresholds["hide"])
        all_scores = [lifted(s, engine.clean(r.text), engine.lift_floor)
                      for r, s in zip(rows, all_scores, strict=True)]
        chosen[runtime] = thresholds
        scores = [s for r, s in zip(rows, all_scores, strict=True) if r.split == "dev"]
        if runtime == runtimes[0]:
            report = dev_report(dev, predict, thresholds["nudge"], thresholds["hide"], scores=scores)
            chat = [lifted(s, engine.clean(t), engine.lift_floor)
                    for t, s in zip(conversation, civil_chat, strict=True)]
            report["fpr"][CONVERSATIONS_CIVIL] = {"fpr": flag_rate(chat, thresholds["nudge"]), "n": len(chat)}
        else:
            report[f"auc_all_dev_{runtime}"] = roc_auc([int(r.unkind or 0) for r in dev], scores)
    card["thresholds"] = chosen[runtimes[0]]
    card["runtime_thresholds"] = chosen
    fp32, _ = Engine.from_model_dir(out, threads=threads, quantize=False)
    report["auc_all_dev_fp32"] = roc_auc(
        [int(r.unkind or 0) for r in dev], [s.score for s in fp32.predict_many([r.text for r in dev])]
    )
    card["runtime"] = RUNTIME_DESCRIPTIONS.get(runtimes[0], runtimes[0])
    card["metrics"] = report
    write_card(out, card)
    write_model_card(out, card)
    print(format_report(report))
    return card


def choose_blend(engine: Engine, out: Path, rows: list[Example], card: dict[str, Any]) -> dict[str, Any]:
    """The encoder's share of the blended score, chosen on the real sources' calib rows only.

    Scores each calib row once with ``engine``'s encoder alone (its n-gram model is set aside) and
    once with the n-gram model, then keeps the share with the best mean AUC over the sources
    (``lexical.choose_weight``). Dev is never seen.
    """
    import math

    from primum.inference.lexical import choose_weight, read_lexical
    from primum.training.real_data import REAL_SOURCE_NAMES

    # the engine's own n-gram model when it loaded one (its share does not change its logits)
    lexical = engine.lexical or read_lexical(out, card["lexical"])
    engine.lexical = None
    calib = [r for r in rows if r.split == "calib" and r.source in REAL_SOURCE_NAMES]
    encoder = [min(max(s.score, 1e-7), 1 - 1e-7) for s in engine.predict_many([r.text for r in calib])]
    ngram = lexical.logits([engine.clean(r.text) for r in calib]).tolist()
    groups: dict[str, tuple[list[int], list[float], list[float]]] = {}
    for row, p, lx in zip(calib, encoder, ngram, strict=True):
        y, e, n = groups.setdefault(row.source, ([], [], []))
        y.append(int(row.unkind or 0))
        e.append(math.log(p / (1 - p)))
        n.append(lx)
    weight, means = choose_weight(groups)
    print("blend (encoder share: mean calib AUC): " + ", ".join(f"{w}: {m:.4f}" for w, m in means.items()))
    return {"weight": weight, "calib_mean_auc": {str(w): round(m, 4) for w, m in means.items()}}


RUNTIME_DESCRIPTIONS = {
    "onnx": "ONNX Runtime, encoder fused (Attention, SkipLayerNorm, BiasGelu) and in dynamic int8 "
            "(per-channel weights), one message per call; head fp32",
    "torch": "torch, encoder linear layers in dynamic int8 (per channel); head fp32",
}


#: All real sources' benign calib rows together (~6,000), held to the strictest real target.
REAL_POOLED = "real_calib:all_sources"


#: The civil messages of the calibration conversations, held to the civil target like a dev group.
CONVERSATIONS_CIVIL = "conversations:calibration_civil"


def _choose_on(rows: list[Example], all_scores: list[float], civil_chat: Sequence[float] = ()) -> dict[str, Any]:
    """Thresholds from one runtime's scores: own dev benign groups, the real sources' calib rows and
    the civil messages of the calibration conversations (``civil_chat``).

    Why the pooled group: one source's calib rows are a few hundred to a thousand, so its noise alone
    can set a threshold that flags more real text overall than any per-source target means to allow
    (prefer a missed nudge). Held to the strictest per-source ceiling, the pooled rows steady it.
    """
    from primum.training.real_data import REAL_SOURCE_NAMES
    from primum.training.real_report import REAL_FPR_TARGETS
    from primum.training.report import FPR_TARGETS, benign_groups, choose_thresholds

    own_dev = [(r, s) for r, s in zip(rows, all_scores, strict=True)
               if r.split == "dev" and r.source not in REAL_SOURCE_NAMES]
    groups = benign_groups([r for r, _ in own_dev], [s for _, s in own_dev])
    # the real sources' thresholds come from their calib rows; their dev rows are only reported
    for r, s in zip(rows, all_scores, strict=True):
        if r.split == "calib" and r.unkind == 0.0:
            groups.setdefault(f"real_calib:{r.source}", []).append(s)
            groups.setdefault(REAL_POOLED, []).append(s)
    ceilings = {f"real_calib:{src}": t for src, t in REAL_FPR_TARGETS.items()}
    ceilings[REAL_POOLED] = min(REAL_FPR_TARGETS.values())
    if civil_chat:
        # chat in threads is harder than our written civil rows (about 3% of it was nudged when only the
        # rows set the threshold, against 0.2% of the rows): hold it to the same civil target
        groups[CONVERSATIONS_CIVIL] = list(civil_chat)
        ceilings[CONVERSATIONS_CIVIL] = FPR_TARGETS["civil"]
    return choose_thresholds(groups, extra_targets=ceilings)


def dev_rows_for_eval(
    public_dir: Path = DEFAULT_PUBLIC_DIR, data_dir: Path = DATA_DIR, seed: int = 13, *, calib: bool = False
) -> list[Example]:
    """The dev split exactly as training held it out (for ``primum evaluate --report``).

    ``calib``: also the real sources' calib rows, where ``--recalibrate`` checks the nudge threshold.
    """
    splits = {"dev", "calib"} if calib else {"dev"}
    rows = [r for r in load_all(public_dir, data_dir, seed=seed) if r.split in splits]
    return [r for r in rows if r.text]
