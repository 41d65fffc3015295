"""The shipped model, loaded from the package once per session (marked ``model``; runs in CI)."""

import json

import pytest

from primum.inference.protocol import CATEGORIES, ScorerState
from primum.inference.transformer import load_scorer
from primum.settings import ModelSettings

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def engine():
    """The shipped model on the default runtime (fused int8 ONNX; built into the cache on first use)."""
    from primum.inference.runtimes import open_engine

    eng, card = open_engine(threads=2)
    return eng, card


def _scores(engine, texts) -> list[float]:
    eng, _ = engine
    return [s.score for s in eng.predict(texts)]


def test_card_and_artefact(engine) -> None:
    from primum.inference.engine import MODEL_DIR

    _, card = engine
    assert card["labels"] == ["unkind", *CATEGORIES]
    assert 0.0 < card["thresholds"]["nudge"] < card["thresholds"]["hide"] < 1.0
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 25 * 1024 * 1024
    assert (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# Model card")
    json.dumps(card)


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_int8_runtimes_keep_the_fp32_ranking(engine, runtime) -> None:
    """Both int8 runtimes quantize the encoder; on our dev rows their AUC stays within 0.005 of fp32."""
    from primum.inference.engine import Engine
    from primum.inference.runtimes import open_engine
    from primum.training.data import load_own
    from primum.training.metrics import roc_auc

    first_set = {"kindness_benign", "kindness_unkind"}
    rows = [r for r in load_own() if r.split == "dev" and r.origin in first_set]
    texts, labels = [r.text for r in rows], [int(r.unkind or 0) for r in rows]
    int8, _ = engine if runtime == "onnx" else open_engine(threads=2, runtime=runtime)
    fp32, _ = Engine.from_model_dir(threads=2, quantize=False)
    quantized = [s.score for s in int8.predict_many(texts)]
    full = [s.score for s in fp32.predict_many(texts)]
    assert len(rows) > 300 and quantized != full
    assert abs(roc_auc(labels, quantized) - roc_auc(labels, full)) <= 0.005


def test_obvious_cases(engine) -> None:
    _, card = engine
    nudge = card["thresholds"]["nudge"]
    benign = [
        "The patient presented with a stab wound to the left flank and was taken to the OR.",
        "We need to kill the infection before the graft; start vancomycin.",
        "I respectfully disagree; the trial was underpowered for that endpoint.",
        "Ugh, the EHR crashed again, what a shitty day.",
    ]
    unkind = [
        "You are a complete idiot and a disgrace to this profession.",
        "Did they skip pharmacology at your school, or were you just asleep?",
    ]
    b, u = _scores(engine, benign), _scores(engine, unkind)
    assert max(b) < nudge, b  # no false action on plain clinical talk, disagreement or venting
    assert u[0] >= nudge, u  # an explicit insult is nudged
    # Belittling asked as a question is ranked above every benign row, but the threshold (chosen so
    # real heated-but-kind comments stay quiet) may leave it un-nudged: the model card says so.
    assert u[1] > max(b) + 0.3, (u, b)


def test_evasion_and_quotes(engine) -> None:
    _, card = engine
    nudge = card["thresholds"]["nudge"]
    plain, leet, spaced, quoted, empty = _scores(
        engine,
        [
            "you are a complete idiot",
            "you are a complete 1d10t",
            "you are a complete i d i o t",
            "> you are a complete idiot\nQuoting this only to say it's unacceptable here.",
            "",
        ],
    )
    assert plain >= nudge
    assert leet >= nudge and spaced >= nudge
    assert quoted < plain
    assert empty == 0.0


def test_a_score_does_not_depend_on_its_batch_mates(engine) -> None:
    """The default int8 runtime quantises each message alone: the same text scores the same in any batch."""
    eng, _ = engine
    texts = ["😂😂😂", "did they skip pharmacology at your school?", "GSW to the chest, needled him"]
    alone = [eng.predict([t])[0].score for t in texts]
    mates = [
        ["hi"],
        ["You are a worthless idiot and everyone on this server knows it. " * 6],
        ["ok"] * 20,
        ["The discharge summary lists the medications and follow-up appointments. " * 30],
    ]
    for extra in mates:
        together = [s.score for s in eng.predict([*texts, *extra])][: len(texts)]
        assert max(abs(a - b) for a, b in zip(alone, together, strict=True)) <= 0.005


def test_long_message_scored_whole(engine) -> None:
    _, card = engine
    filler = "The discharge summary lists the medications and follow-up appointments. " * 40
    long_text = (filler + "You are a worthless idiot and should quit medicine.")[:4000]
    (score,) = _scores(engine, [long_text])
    assert len(long_text) > 2000
    assert score >= card["thresholds"]["nudge"]


def test_each_runtime_has_thresholds_chosen_on_its_own_scores(engine) -> None:
    from primum.inference.engine import card_thresholds

    _, card = engine
    for runtime in ("onnx", "torch"):
        chosen = card["runtime_thresholds"][runtime]
        assert card_thresholds(card, runtime).nudge == chosen["nudge"]
    assert card["thresholds"] == card["runtime_thresholds"]["onnx"]  # the default runtime's are the card's


async def test_a_failed_onnx_build_falls_back_to_torch_with_its_thresholds(tmp_path, monkeypatch, caplog) -> None:
    """A cache that cannot be written (here: a file where the folder should be) must not leave the bot blind."""
    from primum.inference.engine import card_thresholds, read_card
    from primum.inference.transformer import default_loader

    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PRIMUM_CACHE", str(blocker))
    predict, version, thresholds = default_loader(threads=1, runtime="onnx")()
    card = read_card()
    assert version == f"{card['version']}+torch-int8"
    assert thresholds == card_thresholds(card, "torch")
    assert "using the torch runtime" in caplog.text
    kind, rude = predict(["thanks for covering my shift", "you are a moron"])
    assert kind.score < rude.score


async def test_default_scorer_end_to_end() -> None:
    scorer = load_scorer(ModelSettings(backend="default", threads=1))
    await scorer.start()
    try:
        assert scorer.state is ScorerState.READY
        scores = await scorer.score(["thanks for the help!", "you are a moron"])
        assert scores[0].score < scores[1].score
        assert set(scores[0].categories) == set(CATEGORIES)
        assert scores[1].model_version == scorer.version
    finally:
        await scorer.close()


def test_the_bot_policy_nudges_what_the_card_threshold_flags(engine) -> None:
    """The policy judges the overall score (what the card calibrates), not the rougher categories."""
    from datetime import UTC, datetime, timedelta

    from primum.domain.policy import ACTIONABLE, Action, CategoryThresholds, decide

    eng, card = engine
    cut = CategoryThresholds(card["thresholds"]["nudge"], None)
    thresholds = dict.fromkeys(ACTIONABLE, cut)
    texts = [
        "<@1574938141821763602> honestly, you're an idiot if you believe that.",
        "did they skip pharmacology at your school?",
        "I disagree; the trial was underpowered for that endpoint.",
    ]
    actions = []
    for raw in eng.predict(texts):
        decision = decide(raw.score, raw.categories, thresholds, recent_nudges=[],
                          now=datetime.now(UTC), nudge_window=timedelta(minutes=10))
        actions.append(decision.action)
        assert (decision.action is Action.NUDGE) == (raw.score >= cut.nudge)
    assert actions == [Action.NUDGE, Action.NUDGE, Action.NONE]


def test_the_demo_scenarios_lines_read_as_the_demo_says(engine) -> None:
    """`primum demo` runs with the shipped model: its civil lines pass and its sharp lines are nudged."""
    from primum.demo import scenario_deescalation as scenario

    _, card = engine
    nudge = card["thresholds"]["nudge"]
    civil = [text for _, text in scenario.CIVIL]
    sharp = [scenario.ONE_SHARP_LINE[1][1], *(text.format(alice="<@1>", bob="<@2>") for _, text in scenario.HEATED)]
    assert max(_scores(engine, civil)) < nudge
    assert min(_scores(engine, sharp)) >= nudge


def test_documented_antisemitic_codes_are_nudged_not_hidden_and_their_rejection_is_not(engine) -> None:
    """The encoder reads these codes as neutral talk about a group; the coded-hate layer lifts their
    use to just over the nudge cut-off (never to hiding), and leaves a rejection of them alone."""
    _, card = engine
    nudge, hide = card["thresholds"]["nudge"], card["thresholds"]["hide"]
    used = _scores(engine, ["(((they))) don't want you to know", "the goyim know", "zionists control congress"])
    assert all(nudge <= s < hide for s in used), used
    eng, _ = engine
    lifted = eng.predict(["zionists control congress"])[0]
    assert lifted.unlifted is not None and lifted.unlifted.score < lifted.score  # the model's own, for hiding
    rejected = _scores(engine, ['"zionists control congress" is an antisemitic trope, please stop',
                                "many of my colleagues are jewish"])
    assert max(rejected) < nudge, rejected
