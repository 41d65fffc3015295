"""A word and character n-gram model (TF-IDF, logistic regression) blended into the overall score.

Why: the fine-tuned encoder and a bag of n-grams make different mistakes. The encoder reads
context but misses many plain insults a word list would not ("you absolute clown"). The n-gram
model has no sense of context but is steady on the words themselves, including spelled-out slurs
the normaliser restores. Their logits, averaged with a weight chosen on the calib rows, ranked real
toxic text better than either alone on every real source. At thresholds held to the same false-alarm
ceilings, our own dev recall rose in every category (about 2 points on average) and real rows never
used before were flagged less when benign and caught more when unkind (model card). Only the
overall "unkind" score is blended; the per-category scores stay the encoder's.

The model is stored as plain data (the two vocabularies in JSON, idf and weights in safetensors), so
nothing is unpickled; at load time scikit-learn's own analyzers cut text into n-grams exactly as in
training.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How each vectoriser cuts text; fixed, so a shipped vocabulary means the same n-grams at load time.
WORD_OPTIONS: dict[str, Any] = {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "lowercase": True}
CHAR_OPTIONS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "lowercase": True}
VOCAB_FILE = "lexical.json"
WEIGHTS_FILE = "lexical.safetensors"


class LexicalModel:
    """Two n-gram vocabularies (word, character) with idf, and one logistic-regression layer over both.

    ``weight`` is the encoder's share of the blended logit (1.0 = encoder alone).

    Why scoring does not call ``TfidfVectorizer.transform``: its input checks and sparse matrices
    cost about 1 ms per call, more than the encoder on a short message. The same n-grams
    (scikit-learn's own analyzers, the character ones cached per word), counted against a table of
    (idf squared, idf x weight) per n-gram, give the same log-odds (a test checks it) in a tenth of
    that, and hold no fitted vectoriser in memory.
    """

    def __init__(self, terms: tuple[list[str], list[str]], idf: tuple[Any, Any], coef: Any, intercept: float,
                 weight: float = 1.0) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.terms = terms
        self.idf = idf
        self.coef = coef  # numpy float32 vector, word features then char features
        self.intercept = intercept
        self.weight = weight
        offset = len(terms[0])
        word_lookup = _table(terms[0], idf[0], coef[:offset])
        char_lookup = _table(terms[1], idf[1], coef[offset:])
        word_analyzer = TfidfVectorizer(**WORD_OPTIONS).build_analyzer()
        char_analyzer = TfidfVectorizer(**CHAR_OPTIONS).build_analyzer()

        @functools.lru_cache(maxsize=65_536)
        def char_grams(token: str) -> tuple[str, ...]:
            return tuple(gram for gram in char_analyzer(token) if gram in char_lookup)

        def word_grams(text: str) -> list[str]:
            return [gram for gram in word_analyzer(text) if gram in word_lookup]

        def text_char_grams(text: str) -> list[str]:
            # character n-grams never cross a space, so a text's are its words' (cached: chat repeats words)
            return [gram for token in text.split() for gram in char_grams(token)]

        self._tables: list[tuple[Callable[[str], Sequence[str]], dict[str, tuple[float, float]]]] = [
            (word_grams, word_lookup), (text_char_grams, char_lookup)]

    def logit(self, text: str) -> float:
        """The n-gram model's log-odds of "unkind" for one (already normalised) text."""
        total = self.intercept
        for grams, lookup in self._tables:
            dot = norm = 0.0
            for gram, n in Counter(grams(text)).items():
                idf2, weighted = lookup[gram]
                if n == 1:
                    dot += weighted
                    norm += idf2
                else:
                    tf = 1.0 + math.log(n)  # sublinear term frequency, as fitted
                    dot += tf * weighted
                    norm += tf * tf * idf2
            if norm:
                total += dot / math.sqrt(norm)  # each vectoriser's rows are L2-normalised
        return total

    def logits(self, texts: Sequence[str]) -> Any:
        """:meth:`logit` for each text, as a float32 array."""
        import numpy as np

        return np.array([self.logit(t) for t in texts], dtype=np.float32)

    def blend(self, encoder_logits: Any, lexical_logits: Any) -> Any:
        """The blended log-odds: ``weight`` x encoder + (1 - ``weight``) x n-grams."""
        return self.weight * encoder_logits + (1.0 - self.weight) * lexical_logits

    def save(self, out: Path) -> dict[str, Any]:
        """Write the vocabularies and weights into ``out``; return the card's ``lexical`` entry."""
        import numpy as np
        from safetensors.numpy import save_file

        vocab = {"word": self.terms[0], "char": self.terms[1]}
        (out / VOCAB_FILE).write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
        save_file({"word_idf": np.asarray(self.idf[0], dtype=np.float32),
                   "char_idf": np.asarray(self.idf[1], dtype=np.float32),
                   "coef": np.asarray(self.coef, dtype=np.float32),
                   "intercept": np.array([self.intercept], dtype=np.float32)}, str(out / WEIGHTS_FILE))
        return {"vocab": VOCAB_FILE, "weights": WEIGHTS_FILE, "weight": self.weight,
                "features": {"word": len(vocab["word"]), "char": len(vocab["char"])}}


def _table(terms: list[str], idf: Any, coef: Any) -> dict[str, tuple[float, float]]:
    """Per n-gram: (idf squared, idf x regression weight)."""
    return {gram: (i * i, i * w) for gram, i, w in zip(terms, idf.tolist(), coef.tolist(), strict=True)}


def load_lexical(model_dir: Path, card: dict[str, Any]) -> LexicalModel | None:
    """The card's n-gram model, or None when the card has none or gives it no share (encoder alone)."""
    entry = card.get("lexical")
    if not entry or float(entry.get("weight", 1.0)) >= 1.0:
        return None  # a share of 0 would change no score and still cost every message a lookup
    return read_lexical(model_dir, entry)


def read_lexical(model_dir: Path, entry: dict[str, Any]) -> LexicalModel:
    """The n-gram model a card's ``lexical`` entry names, whatever its share (for choosing the share)."""
    from safetensors.numpy import load_file

    vocab = json.loads((model_dir / entry.get("vocab", VOCAB_FILE)).read_text(encoding="utf-8"))
    state = load_file(str(model_dir / entry.get("weights", WEIGHTS_FILE)))
    return LexicalModel((vocab["word"], vocab["char"]), (state["word_idf"], state["char_idf"]), state["coef"],
                        float(state["intercept"][0]), float(entry.get("weight", 1.0)))


@dataclass(frozen=True)
class LexicalConfig:
    """Everything that determines the fitted n-gram model."""

    word_features: int = 50_000
    char_features: int = 100_000
    c: float = 4.0


def fit_lexical(texts: Sequence[str], labels: Sequence[int], weights: Sequence[float],
                cfg: LexicalConfig = LexicalConfig()) -> LexicalModel:
    """Fit both vectorisers and the logistic regression on normalised training texts (deterministic)."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    word = TfidfVectorizer(min_df=2, max_features=cfg.word_features, dtype=np.float32, **WORD_OPTIONS)
    char = TfidfVectorizer(min_df=3, max_features=cfg.char_features, dtype=np.float32, **CHAR_OPTIONS)
    features = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    regression = LogisticRegression(C=cfg.c, max_iter=2000, solver="liblinear", random_state=0)
    regression.fit(features, np.asarray(labels), sample_weight=np.asarray(weights, dtype=np.float64))
    coef = regression.coef_.reshape(-1).astype(np.float32)

    def terms(vectorizer: Any) -> list[str]:
        return [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])]

    return LexicalModel((terms(word), terms(char)), (word.idf_.astype(np.float32), char.idf_.astype(np.float32)),
                        coef, float(regression.intercept_[0]))


#: Encoder shares tried when choosing the blend (1.0 keeps the encoder alone).
BLEND_GRID = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


def choose_weight(
    groups: Mapping[str, tuple[Sequence[int], Sequence[float], Sequence[float]]],
    grid: Sequence[float] = BLEND_GRID,
) -> tuple[float, dict[float, float]]:
    """The encoder share with the best mean AUC over ``groups`` (label, encoder logit, n-gram logit).

    The groups are the real sources' calib rows: chosen there, the blend never sees dev. Ties keep
    the larger encoder share.
    """
    import numpy as np

    from primum.training.metrics import roc_auc

    means: dict[float, float] = {}
    for weight in grid:
        aucs = [roc_auc(list(y), list(weight * np.asarray(e) + (1 - weight) * np.asarray(lx)))
                for y, e, lx in groups.values() if 0 < sum(y) < len(y)]
        means[weight] = float(np.mean(aucs)) if aucs else 0.0
    best = max(grid, key=lambda w: (round(means[w], 4), w))
    return best, means
