"""Synchronous scoring engine: normalise, chunk long messages, run the network, take max over chunks.

Blocking by design; the async runtime (``transformer.py``) calls it from a dedicated worker thread.
torch and transformers are imported only inside functions so importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from primum.inference.card_file import MODEL_DIR as MODEL_DIR
from primum.inference.card_file import read_card as read_card
from primum.inference.card_file import write_card as write_card
from primum.inference.lexical import LexicalModel, load_lexical
from primum.inference.lists import lift
from primum.inference.protocol import ACTIONABLE_CATEGORIES, CATEGORIES, Thresholds
from primum.inference.textnorm import normalize

log = logging.getLogger(__name__)

MAX_CHARS = 4000  # Discord's limit for boosted servers; longer input is cut, never skipped


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: A full stop that ends an abbreviation, not a sentence: titles ("Dr. Patel"), "vs.", "pt.", and any
#: single letter or dotted letters ("J.", "p.o.", "b.i.d.", "e.g.", "u.s."). Cut there, "Dr." stood alone
#: as a piece (and the network scores a bare "Dr." 0.95).
_ABBREVIATION = re.compile(
    r"(?:^|[^\w.])(?:dr|mrs?|ms|mx|prof|sr|jr|st|vs|approx|pts?|fig|cf|al|[^\W\d_](?:\.[^\W\d_])*)\.$", re.IGNORECASE
)
#: A sentence that starts without a full stop before it: a lower-case word, then one of the words
#: chat sentences open with, capitalised ("go kill yourself Great discussion today ..."). "I" is left
#: to ``_cut_before_i``: mid-sentence it is everywhere, and cutting at every one split "... because
#: I'm an idiot" off.
_UNPUNCTUATED_START = re.compile(
    r"(?<=[a-z]) (?=(?:Great|Thanks|Thank|The|This|That|We|You|He|She|They|It|My|Our|Your|What|How|Why|Please"
    r"|Also|But|Anyway|Honestly|Well|Ok|Okay|Yes|No|Hi|Hey|Good|Nice|Sorry|Glad|Let|Just|Maybe|Seriously"
    r"|Actually)\b)"
)
#: A capital "I" opening a clause mid-sentence ("... you stupid bitch I reviewed the CT ...").
_MID_I = re.compile(r"(?<=[a-z]) (?=I(?:'m|'ve|'ll|'d| )\S)")
#: Words after which "I" goes on the same sentence ("because I'm an idiot", "you know I think",
#: "and I"): conjunctions, question words, verbs that take a clause, fillers. Cut after any other
#: word, "I" opens a new sentence that was typed without its full stop.
_CLAUSE_GOES_ON = frozenset({
    "and", "but", "or", "nor", "yet", "so", "because", "cause", "cuz", "coz", "cos", "since", "as", "if", "when",
    "whenever", "while", "that", "than", "then", "what", "whatever", "which", "who", "whom", "whoever", "where",
    "wherever", "whereas", "why", "how", "until", "till", "til", "unless", "though", "although", "tho", "whether",
    "before", "after", "once", "know", "knew", "think", "thought", "guess", "hope", "said", "say", "says", "feel",
    "felt", "mean", "meant", "admit", "swear", "bet", "believe", "realize", "realise", "wish", "like", "yes", "no",
    "ok", "okay", "well", "lol", "lmao", "haha", "also", "maybe", "honestly", "plus", "sure", "now", "even",
    "just", "only", "did", "do", "does", "can", "could", "would", "should", "will", "might", "must",
})
SEGMENT_CHARS = 160  # about the length of a typical training message


def split_long(text: str, limit: int = SEGMENT_CHARS) -> list[str]:
    """Sentence groups of at most ~``limit`` characters, for texts longer than that (else nothing).

    Why: the network mean-pools its tokens, so one unkind sentence inside a long kind message is
    diluted; scoring message-length pieces as well (overall = max) keeps it visible. Sentences are
    packed in order while they fit, so a short sentence next to long ones stands alone: "Kill
    yourself." or "You idiot." after a long kind sentence is the whole point of the message, and
    joined to that sentence it was diluted past any threshold. Only a fragment without words ("(12)",
    "!!", an emoji) joins its neighbour: alone it says nothing, and each extra row costs a forward pass.
    """
    if len(text) <= limit:
        return []
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(text):
        if _has_words(current) and _has_words(sentence) and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        if pieces and not _has_words(current):
            pieces[-1] = f"{pieces[-1]} {current}"
        else:
            pieces.append(current)
    return pieces if len(pieces) > 1 else []


def _sentences(text: str) -> list[str]:
    """The text's lines cut at sentence ends (., !, ? and a space), never after an abbreviation, and
    where a sentence starts without one (``_UNPUNCTUATED_START``).

    Why not a sentence-splitting library: the ones on PyPI either need capital letters to see a sentence
    start (syntok; chat is often lower case) or took up to 0.6 s on a crafted 4,000-character message
    (pysbd), on the scoring thread. Chat needs only this much.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        pending = ""
        for part in _SENTENCE_END.split(line):
            pending = f"{pending} {part}".strip() if pending else part.strip()
            if pending and not _ABBREVIATION.search(pending):
                sentences.extend(_unpunctuated_sentences(pending))
                pending = ""
        if pending:
            sentences.extend(_unpunctuated_sentences(pending))
    return sentences


def _unpunctuated_sentences(text: str) -> list[str]:
    """``text`` (one sentence by its punctuation) cut where a sentence starts without a full stop."""
    return [piece for part in _UNPUNCTUATED_START.split(text) for piece in _cut_before_i(part)]


def _cut_before_i(sentence: str) -> list[str]:
    """``sentence`` cut where a capital "I" opens a clause after a word that ends one (not a comma,
    not a word of ``_CLAUSE_GOES_ON``): "go away you moron I reviewed the CT" is two sentences.

    Measured before it was kept (session 20): on 15,960 calib real rows, own dev rows and calibration
    conversation messages it changed the pieces of 35 long texts and the flag of none; an insult
    between two kind paragraphs was caught 9 of 10 times (3 before).
    """
    pieces: list[str] = []
    start = 0
    for match in _MID_I.finditer(sentence):
        before = sentence[start:match.start()]
        words = before.split()
        if words and not before.endswith(",") and words[-1].lower() not in _CLAUSE_GOES_ON:
            pieces.append(before.strip())
            start = match.end()
    pieces.append(sentence[start:].strip())
    return [piece for piece in pieces if piece]


def _has_words(text: str) -> bool:
    """Whether ``text`` has at least two letters (so "(12)", "!!" and emoji are fragments, "Wow." is not)."""
    return sum(ch.isalpha() for ch in text) >= 2


def long_text_scores(logits: Any, penalty: float) -> Any:
    """Per-label scores of a long message's extra rows (later windows and sentence groups).

    Why the penalty: each extra row is one more chance for a benign message to trip, so a plain
    maximum flags long benign messages more often than short ones (v6 flagged 42% of real benign
    posts over 60 words against 33% under 10). Dividing each row's odds by the number of rows
    (``penalty`` = 1; a Bonferroni correction in odds) keeps the chance of a false alarm about the
    same at every length, while one clearly unkind sentence (odds in the hundreds) still shows.
    """
    import math

    import torch

    n = logits.shape[0]
    shift = penalty * math.log(n) if n > 1 else 0.0
    return torch.sigmoid(logits - shift).max(dim=0).values


@dataclass(frozen=True)
class RawScore:
    """One text's scores before wrapping: overall plus per-category probabilities."""

    score: float
    categories: dict[str, float]
    #: The model's own scores when a list lifted these (None: nothing lifted).
    unlifted: RawScore | None = None
    #: Which list lifted them (``primum.inference.lists``: "code" or "violence"); None: nothing lifted.
    lifted_by: str | None = None


def card_thresholds(card: dict[str, Any], runtime: str | None = None) -> Thresholds:
    """Shipped nudge and hide thresholds from a card, for ``runtime`` when the card has its own.

    Why per runtime: int8 on ONNX Runtime and int8 on torch round differently, and the thresholds
    sit at the top of the score range where that shows; each is chosen on its own scores.
    """
    th = card.get("runtime_thresholds", {}).get(runtime) or card.get("thresholds", {})
    hide = th.get("hide")
    return Thresholds(nudge=float(th.get("nudge", 0.5)), hide=None if hide is None else float(hide))


def card_emoji_names(card: dict[str, Any]) -> bool:
    """Whether the card's model was trained on emoji read as names (recipes before that option: no)."""
    return bool(card.get("training", {}).get("emoji_names", False))


def set_threads(n: int) -> None:
    """Cap torch's intra-op threads so the event loop keeps a core."""
    import torch

    torch.set_num_threads(max(1, n))
    with contextlib.suppress(RuntimeError):  # already set once in this process
        torch.set_num_interop_threads(1)


def known_words(tokenizer: Any) -> frozenset[str]:
    """Whole words in the tokenizer's vocabulary (lower-case), to read leetspeak and stretched letters."""
    try:
        vocab = tokenizer.get_vocab()
    except (AttributeError, NotImplementedError):
        return frozenset()
    return frozenset(word.lower() for word in vocab if word.isalpha() and len(word) > 1)


class Engine:
    """Holds a tokenizer and a network that maps (ids, mask) to per-label logits."""

    def __init__(
        self,
        tokenizer: Any,
        forward: Callable[[Any, Any], Any],
        labels: Sequence[str],
        *,
        max_length: int = 128,
        stride: int = 32,
        overall: Callable[[dict[str, float]], float] | None = None,
        long_penalty: float = 1.0,
        segment_chars: int = SEGMENT_CHARS,
        lexical: LexicalModel | None = None,
        emoji_names: bool = False,
    ) -> None:
        self.tokenizer = tokenizer
        self.known_words = known_words(tokenizer)
        self._forward = forward
        self.labels = tuple(labels)
        self.max_length = max_length
        self.stride = stride
        self._overall = overall
        self.long_penalty = long_penalty
        self.segment_chars = segment_chars
        self.lexical = lexical
        #: Read emoji as their names, as the model's training recipe did (``card_emoji_names``).
        self.emoji_names = emoji_names
        #: Set by ``open_engine`` from the card's cut-offs: the score a message that matches a list
        #: (``primum.inference.lists``) is lifted to. None: off (while thresholds are chosen).
        self.lift_floor: float | None = None

    @classmethod
    def from_model_dir(
        cls, model_dir: Path = MODEL_DIR, threads: int = 1, *, quantize: bool = True
    ) -> tuple[Engine, dict[str, Any]]:
        """Load the shipped model (base encoder from the pip package + adapter).

        ``quantize`` (the "torch" runtime, the fallback) runs the encoder's linear layers in dynamic
        int8, with its own thresholds in the card (``runtime_thresholds``). ``False`` keeps fp32.
        """
        set_threads(threads)
        from primum.inference.net import build_inference_net

        tokenizer, net, card = build_inference_net(model_dir, quantize=quantize)
        window = int(card.get("max_length", 128))
        stride = int(card.get("stride", 32))
        penalty = float(card.get("long_penalty", 0.0))
        segment = int(card.get("segment_chars", SEGMENT_CHARS))
        engine = cls(tokenizer, net, card["labels"], max_length=window, stride=stride, long_penalty=penalty,
                     segment_chars=segment, lexical=load_lexical(model_dir, card),
                     emoji_names=card_emoji_names(card))
        return engine, card

    @classmethod
    def from_hf(cls, model_path: str, label_map: dict[str, str], threads: int = 1) -> Engine:
        """Any Hugging Face sequence-classification model; ``label_map`` maps its labels to ours.

        Labels mapped to ``unkind`` (or, when none is, the max over actionable categories) give the
        overall score. Multi-label models use sigmoid, single-label ones softmax.
        """
        set_threads(threads)
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(model_path)
        model = AutoModelForSequenceClassification.from_pretrained(model_path).eval()
        id2label = {int(k): str(v) for k, v in model.config.id2label.items()}
        multi = model.config.problem_type == "multi_label_classification"
        labels = [label_map.get(id2label[i], label_map.get(id2label[i].lower(), "")) for i in range(len(id2label))]

        def forward(ids: Any, mask: Any) -> Any:
            logits = model(input_ids=ids, attention_mask=mask).logits
            if multi:
                return logits
            probs = torch.softmax(logits, dim=-1).clamp(1e-6, 1 - 1e-6)
            return torch.log(probs) - torch.log1p(-probs)  # logit of each class probability

        return cls(tokenizer, forward, labels, max_length=min(512, int(getattr(tokenizer, "model_max_length", 512))))

    def clean(self, text: str) -> str:
        """The text the network and the n-gram model read: cut to ``MAX_CHARS``, then normalised."""
        return normalize(text[:MAX_CHARS], self.known_words, emoji_names=self.emoji_names)

    def predict(self, texts: Sequence[str]) -> list[RawScore]:
        """Score texts (one batch); messages longer than one window are chunked, overall = max."""
        import torch

        clean = [self.clean(t) for t in texts]
        results = [RawScore(0.0, dict.fromkeys(CATEGORIES, 0.0)) for _ in texts]
        # segments: the whole text (windowed by the tokenizer) plus, for long texts, sentence groups
        todo: list[int] = []
        segments: list[str] = []
        for i, text in enumerate(clean):
            for segment in ([text, *split_long(text, self.segment_chars)] if text else []):
                todo.append(i)
                segments.append(segment)
        if not todo:
            return results
        enc = self.tokenizer(
            segments,
            truncation=True,
            max_length=self.max_length,
            stride=self.stride,
            return_overflowing_tokens=True,
            padding=True,
            return_tensors="pt",
        )
        owner = enc.pop("overflow_to_sample_mapping").tolist()
        with torch.inference_mode():
            logits = self._forward(enc["input_ids"], enc["attention_mask"]).float()
        if self.lexical is not None and "unkind" in self.labels:
            logits = self._blend(logits, segments, owner)
        # per text: the first window of the whole text, and every other row (later windows, pieces)
        first: dict[int, int] = {}
        extra: dict[int, list[int]] = {}
        for row, segment in enumerate(owner):
            sample = todo[segment]
            if sample not in first:
                first[sample] = row
            else:
                extra.setdefault(sample, []).append(row)
        best: dict[int, Any] = {}
        for sample, row in first.items():
            values = torch.sigmoid(logits[row])
            rows = extra.get(sample, [])
            if rows:
                values = torch.maximum(values, long_text_scores(logits[rows], self.long_penalty))
            best[sample] = values.numpy()
        for sample, values in best.items():
            cats = dict.fromkeys(CATEGORIES, 0.0)
            unkind: float | None = None
            for label, value in zip(self.labels, values.tolist(), strict=True):
                if label == "unkind":
                    unkind = max(unkind or 0.0, value)
                elif label in cats:
                    cats[label] = max(cats[label], value)
            if self._overall is not None:
                overall = self._overall(cats)
            elif unkind is not None:
                overall = unkind
            else:
                overall = max(cats[c] for c in ACTIONABLE_CATEGORIES)
            results[sample] = self._lift(RawScore(float(overall), cats), clean[sample])
        return results

    def _lift(self, raw: RawScore, clean_text: str) -> RawScore:
        """``raw`` lifted to the lists' floor when the text matches a list (``primum.inference.lists``)
        and the model scored it lower; the model's own scores ride along for the hide decision."""
        up = lift(raw.score, raw.categories, clean_text, self.lift_floor)
        return raw if up is None else RawScore(up.score, up.categories, unlifted=raw, lifted_by=up.lifted_by)

    def _blend(self, logits: Any, segments: list[str], owner: list[int]) -> Any:
        """Each row's "unkind" logit blended with the n-gram model's logit for the segment it came from."""
        import torch

        assert self.lexical is not None
        lexical = torch.from_numpy(self.lexical.logits(segments))[owner]
        column = self.labels.index("unkind")
        logits = logits.clone()
        logits[:, column] = self.lexical.blend(logits[:, column], lexical)
        return logits

    def predict_many(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> list[RawScore]:
        """Score many texts efficiently (length-sorted batches), results in input order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[RawScore | None] = [None] * len(texts)
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="scoring", unit="batch")
        for start in starts:
            idx = order[start : start + batch_size]
            for i, score in zip(idx, self.predict([texts[i] for i in idx]), strict=True):
                out[i] = score
        return [s for s in out if s is not None]
