"""``primum bench``: throughput, burst latency and memory of the shipped model on this machine.

Measures the path the bot uses (normalise + tokenize + forward), then, in the same run, a randomly
initialised BERT-base-sized classifier with the same tokenizer as the reference (no download).
Peak RSS is read before the reference model is built, so it is the bot's footprint.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

#: ~20-token messages typical of a physicians' chat (benign and unkind alike).
SAMPLE_MESSAGES = (
    "Anyone have a good protocol for titrating insulin drips in DKA patients overnight?",
    "Did they skip pharmacology at your school, or did you just sleep through it?",
    "The wound dehisced on day five, so we took her back to the OR for washout.",
    "Honestly I think the new scope-of-practice bill is a mistake, and here's why.",
    "You're a clown and nobody on this server respects your opinion.",
    "Our ED boarded 40 patients last night and admin sent a pizza party email.",
    "Great catch on that subtle STEMI, the cath lab confirmed a proximal LAD occlusion.",
    "I disagree: the evidence for early antibiotics in that population is weak.",
    "Sweetie, maybe leave the ventilator settings to the grown-ups.",
    "Overdose patients deserve the same respect as anyone else who comes through the door.",
    "Can someone share the latest guidelines on anticoagulation bridging before surgery?",
    "If you post that again I will make sure your program director hears about it.",
    "Damn, third code of the shift and it's not even midnight.",
    "People like you shouldn't be allowed to practice medicine in this country.",
    "Thanks everyone for the support after my rough call night, it means a lot.",
    "Kill the infection first, then worry about the skin graft timing.",
)


def _messages(n: int) -> list[str]:
    return [f"{SAMPLE_MESSAGES[i % len(SAMPLE_MESSAGES)]} ({i})" for i in range(n)]


def _throughput(predict: Any, batch: int, seconds: float = 4.0, min_msgs: int = 64) -> float:
    texts = _messages(max(min_msgs, batch))
    predict(texts[:batch])  # warm-up
    done = 0
    start = time.perf_counter()
    while True:
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            predict(chunk)
            done += len(chunk)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and done >= min_msgs:
            return done / elapsed


async def _burst(scorer: Any, rate: float, seconds: float) -> list[float]:
    """Messages arrive one by one at ``rate`` per second; return each one's latency in ms."""
    latencies: list[float] = []
    texts = _messages(int(rate * seconds))
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(i: int, text: str) -> None:
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        sent = time.perf_counter()
        await scorer.score([text])
        latencies.append(1000 * (time.perf_counter() - sent))

    await asyncio.gather(*(one(i, t) for i, t in enumerate(texts)))
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(
    *,
    threads: int = 1,
    burst_seconds: float = 10.0,
    rate: float = 20.0,
    reference: bool = True,
    model_dir: Path | None = None,
    runtime: str = "torch",
) -> dict[str, Any]:
    """Run every measurement and return one flat dict (the ``--json`` object)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from primum.inference.engine import MODEL_DIR
    from primum.inference.runtimes import open_engine
    from primum.inference.transformer import TransformerScorer, default_loader

    engine, card = open_engine(model_dir or MODEL_DIR, threads=threads, runtime=runtime)
    result: dict[str, Any] = {
        "model_version": card["version"], "runtime": runtime, "threads": threads, "cpu_count": os.cpu_count(),
    }
    result["msgs_per_s_batch1"] = round(_throughput(engine.predict, 1), 1)
    result["msgs_per_s_batched"] = round(_throughput(engine.predict, 32), 1)

    async def burst() -> list[float]:
        scorer = TransformerScorer(default_loader(model_dir, threads, runtime))
        await scorer.start()
        try:
            await scorer.score(["warm up"])
            return await _burst(scorer, rate, burst_seconds)
        finally:
            await scorer.close()

    latencies = asyncio.run(burst())
    result["burst_rate_msgs_per_s"] = rate
    result["burst_messages"] = len(latencies)
    result["p50_ms"] = round(statistics.median(latencies), 2)
    result["p99_ms"] = round(_percentile(latencies, 0.99), 2)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    if reference:
        result.update(_reference(engine.tokenizer, result["msgs_per_s_batched"], threads))
    return result


def _reference(tokenizer: Any, ours: float, threads: int) -> dict[str, Any]:
    """A BERT-base-sized classifier (768 hidden, 12 layers), random weights, same tokenizer.

    It gets the same cores as our model (the ONNX runtime leaves torch at one thread otherwise,
    which would flatter the speed-up).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from primum.inference.engine import Engine

    torch.set_num_threads(max(1, threads))

    config = BertConfig(  # type: ignore[call-arg]
        vocab_size=tokenizer.vocab_size, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
        intermediate_size=3072, num_labels=6,
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    model.eval()  # type: ignore[no-untyped-call]
    labels = ["unkind", "insult", "belittling", "identity_attack", "threat", "profanity"]
    ref = Engine(tokenizer, lambda ids, mask: model(input_ids=ids, attention_mask=mask).logits, labels)
    theirs = _throughput(ref.predict, 32)
    return {
        "reference": "BertForSequenceClassification 768x12 (random init)",
        "reference_msgs_per_s_batched": round(theirs, 1),
        "speedup_vs_reference": round(ours / theirs, 2),
    }
