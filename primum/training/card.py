"""Write ``MODEL_CARD.md`` from ``card.json`` so the prose never drifts from the shipped numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from primum.inference.protocol import ACTIONABLE_CATEGORIES
from primum.training.data_sources import DATA_TABLE, REAL_DATA_NOTE
from primum.training.report import RECALL_TARGET


def _pct(value: Any) -> str:
    try:
        return f"{100 * float(value):.1f}%"
    except (TypeError, ValueError):
        return "n/a"


def _finetune_text(card: dict[str, Any]) -> str:
    """How the encoder was adapted (v7 and later: a full fine-tune; before: LoRA)."""
    if "lora" in card:
        lora = card["lora"]
        return (
            f"LoRA rank {lora['rank']} (alpha {lora['alpha']}) on every attention and feed-forward projection, "
            "plus biases, LayerNorms and a linear multi-label head on mean-pooled tokens. At load time the LoRA "
            "update is merged into the base weights, so inference costs what the base encoder costs."
        )
    return (
        "every encoder weight except the word embeddings, plus a linear multi-label head on mean-pooled "
        f"tokens. The shipped file `{card['weights']}` holds the trained weights in fp16 (the word embeddings "
        "come from the base package). v6's LoRA at a high learning rate learned the style of our rows; a full "
        "fine-tune at a low learning rate with real text in the mix does not."
        + (
            " Trained in two stages (from v8): the v7.1 recipe, then a short second stage at half its learning "
            "rate on the same rows plus 5,200 written later (v8: violence against a group, mockery and "
            "pile-ons, kind banter; v9 added insults as chat, veiled threats, group stereotypes and kind "
            "messages from heated threads, and reads emoji as their names). A full retrain with the violence "
            "rows (v14) had lost chat recall; continuing from the first stage's weights kept it."
            if card.get("training", {}).get("first_stage")
            else ""
        )
    )


def _stages_text(tr: dict[str, Any]) -> str:
    """How many rows and steps trained the encoder, stage by stage."""
    first = tr.get("first_stage")
    rows = (
        f"Train rows: {tr.get('train_rows')} (including one programmatic evasion variant per own row).\n"
        f"Dev rows (never trained on): {tr.get('dev_rows')}. "
    )
    if not first:
        return rows + (
            f"Seed {tr.get('seed')}, {tr.get('steps')} steps of\nbatch {tr.get('batch_size')}, "
            f"{tr.get('train_seconds')} s on the training host."
        )
    files = ", ".join(f"`{name}`" for name in tr.get("extra_files", ()))
    return rows + (
        f"Seed {tr.get('seed')}, batch {tr.get('batch_size')}, two stages on the training host:\n"
        f"- first stage: {first.get('train_rows')} train rows, {first.get('steps')} steps at learning rate "
        f"{first.get('lr')} (head {first.get('head_lr')}), {first.get('train_seconds')} s;\n"
        f"- second stage, from the first stage's weights: the same rows plus {files}, each of their rows "
        f"drawn {tr.get('extra_repeat')} times per epoch, {tr.get('steps')} steps at learning rate {tr.get('lr')} "
        f"(head {tr.get('head_lr')}), {tr.get('train_seconds')} s."
    )


def _lexical_text(card: dict[str, Any]) -> str:
    """How the n-gram model is blended in (from v8: ``card["lexical"]``), or that there is none."""
    lexical = card.get("lexical")
    if not lexical:
        return "none: the overall score is the encoder's alone."
    fit = lexical.get("fit", {})
    means = lexical.get("calib_mean_auc", {})
    tried = ", ".join(f"{w}: {m}" for w, m in means.items())
    features = lexical.get("features", {})
    return (
        f"a TF-IDF logistic regression over {features.get('word', '?')} word 1-2-grams and "
        f"{features.get('char', '?')} character 2-5-grams (within words) of the normalised text, fitted on the "
        f"same train rows (C = {fit.get('c', '?')}). The overall score is the sigmoid of "
        f"{lexical.get('weight')} x the encoder's `unkind` logit + {1 - float(lexical.get('weight', 1.0)):.1f} x the "
        "n-gram logit, per window and sentence group; the categories stay the encoder's. The encoder's share "
        f"was chosen on the real sources' calib rows only, by mean AUC ({tried}). Stored as plain data "
        f"(`{lexical.get('vocab')}`, `{lexical.get('weights')}`); at load time scikit-learn's own analyzers cut "
        "the text into the same n-grams (nothing is unpickled)."
    )


def write_model_card(out: Path, card: dict[str, Any]) -> Path:
    """Render the human model card next to ``card.json``."""
    m = card.get("metrics", {})
    th = card["thresholds"]
    tr = card.get("training", {})
    fpr_rows = "\n".join(
        f"| {name} | {_pct(v['fpr'])} | {v['n']} |" for name, v in m.get("fpr", {}).items()
    )
    recall_rows = "\n".join(
        f"| {name} | {_pct(v['recall'])} | {v['n']} |" for name, v in m.get("recall", {}).items()
    )
    evasion_rows = "\n".join(
        f"| {name} | {v:.1f} pts |" if name.endswith("points") else f"| {name} | {_pct(v)} |"
        for name, v in m.get("evasion", {}).items()
    )
    public_rows = "\n".join(
        f"| {src} | {m[f'{src}_dev']['auc']:.3f} | {_pct(m[f'{src}_dev']['recall'])} | {_pct(m[f'{src}_dev']['fpr'])} "
        f"| {m[f'{src}_dev']['n']} |"
        for src in ("convabuse", "toxigen", "madlibs", "davidson")
        if f"{src}_dev" in m
    )
    by_file_rows = "\n".join(
        f"| `{origin}` | {'-' if math.isnan(v['auc']) else format(v['auc'], '.3f')} | "
        + " | ".join(
            f"{_pct(v[key]['value'])} ({v[key]['n']})" if key in v else "-"
            for key in ("recall_insult", "recall_belittling", "recall_identity_attack", "recall_threat",
                        "fpr_civil", "fpr_clinical")
        )
        + " |"
        for origin, v in m.get("by_file", {}).items()
    )
    real = m.get("real", {})
    real_rows = "\n".join(
        ["| source | benign flagged | target | n benign | AUC | recall | n unkind |", "|---|---|---|---|---|---|---|"]
        + [
            f"| {src} | {_pct(v['fpr'])} | {'-' if math.isnan(v['target_fpr']) else _pct(v['target_fpr'])} "
            f"| {v['n_benign']} | {'-' if math.isnan(v['auc']) else format(v['auc'], '.3f')} "
            f"| {'-' if math.isnan(v['recall']) else _pct(v['recall'])} | {v['n_unkind']} |"
            for src, v in real.get("sources", {}).items()
        ]
    )
    length_rows = "\n".join(
        f"| {name} | {_pct(v['fpr'])} | {v['n']} |" for name, v in real.get("benign_by_length", {}).items()
    )
    bench = card.get("bench", {})
    bench_lines = [
        "| runtime | msgs/s batch 1 | msgs/s batched | p50 ms | p99 ms (20 msg/s) | peak RSS MB "
        "| BERT-base msgs/s | speedup |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for runtime, r in bench.items():
        bench_lines.append(
            f"| {runtime} | {r.get('msgs_per_s_batch1')} | {r.get('msgs_per_s_batched')} | {r.get('p50_ms')} "
            f"| {r.get('p99_ms')} | {r.get('peak_rss_mb')} | {r.get('reference_msgs_per_s_batched', 'n/a')} "
            f"| {r.get('speedup_vs_reference', 'n/a')}x |"
        )
    bench_text = "\n".join(bench_lines) if bench else "Run `primum bench --update-card` on the target host."
    below = [
        name for name, v in m.get("recall", {}).items()
        if name in ACTIONABLE_CATEGORIES and float(v["recall"]) < RECALL_TARGET
    ]
    recall_limit = (
        f"- Recall is below the {100 * RECALL_TARGET:.0f}% target for {', '.join(below)} at the shipped threshold"
        " (see the table);"
        " sarcasm and stereotypes phrased as observations are the usual misses."
        if below
        else "- Sarcasm and stereotypes phrased as observations are the hardest cases; recall on them comes from"
        " a few thousand hand-written rows, not from public data."
    )
    public_fpr = {name: m[f"{key}_dev"]["fpr"] for key, name in (("toxigen", "ToxiGen"), ("davidson", "Davidson"))
                  if f"{key}_dev" in m}
    public_limit = (
        "\n- The threshold is tuned on physicians' talk. Far from it, more benign text is flagged: "
        + ", ".join(f"{100 * v:.0f}% of {k}'s benign dev rows" for k, v in public_fpr.items())
        + ". A community whose talk looks different should re-check the threshold with `primum calibrate`."
        if any(v > 0.05 for v in public_fpr.values())
        else ""
    )
    fp32_auc = m.get("auc_all_dev_fp32")
    torch_auc = m.get("auc_all_dev_torch")
    runtime_text = (
        f"Dev ROC AUC: ONNX int8 {m.get('auc_all_dev', float('nan')):.4f}, torch fp32 {fp32_auc:.4f}"
        + (f", torch int8 {torch_auc:.4f}" if torch_auc is not None else "")
        + "; the thresholds and every metric below are measured on the default runtime."
        if fp32_auc is not None
        else "The thresholds and metrics below are measured on the runtime the bot uses."
    )
    by_runtime = card.get("runtime_thresholds", {})
    runtime_th = "; ".join(f"{name}: nudge {v['nudge']}, hide {v['hide']}" for name, v in by_runtime.items())
    segment = card.get("segment_chars", 160)
    text = f"""# Model card: {card['name']} ({card['version']})

Primum's embedded be-kind model. It scores how unkind a Discord message between physicians looks,
so the bot can send the author a **private nudge** before a conversation turns sour.

## Intended use
- **Nudges, not sanctions.** A score at or above the nudge threshold ({th['nudge']}) triggers a
  private, polite reminder to the author. A score at or above the hide threshold ({th['hide']},
  off by default in config) may hide a message pending human review. Neither score is evidence of
  misconduct and must never be used alone to mute, ban, report or discipline anyone; moderators
  decide.
- English text in a professional medical community. Clinical language (wounds, overdoses,
  anatomy, sexual history, death) is in scope and must not be flagged.
- Not intended for: judging clinical correctness, detecting misinformation, non-English text,
  or any decision about a person's employment, licence or membership.

## Model
- Base: {card['base_model']} (Apache-2.0 weights), loaded offline from the pip package.
- Fine-tune: {_finetune_text(card)}
- Blended n-gram model: {_lexical_text(card)}
- Outputs (sigmoid, independent): {', '.join(card['labels'])}. The overall score is the `unkind`
  output; `profanity` is informational and never triggers a nudge on its own (venting with swear
  words is labelled kind in training).
- Text is normalised first (`primum/inference/textnorm.py`): NFKC, invisible characters, combining
  marks (zalgo), Cyrillic/Greek homoglyphs, leetspeak, spaced/dotted letters, stretched letters,
  masked words ("st*pid", "bullsh*t"), words run together around an insult ("youareanidiot"), text
  upside down, backwards or in flag letters, words joined by underscores or dots, one letter per line,
  every letter typed twice, a slip of the keys in a listed insult ("idoit", "id iot"), Discord markup (a leading
  mention is an address, not content); lines quoted with `>` are dropped (not the author's words)
  unless the message is nothing but a quote, and code blocks are read only when they hold prose.
  Messages up to 4,000 characters
  are scored whole: overlapping 128-token windows
  plus, for messages over {segment} characters, sentence groups of about {segment} characters (mean
  pooling would otherwise dilute one unkind sentence in a long kind message; a short sentence beside
  long ones is a piece of its own, a capitalised opener after a lower-case word starts one even
  without a full stop, and abbreviations such as "Dr." or "p.o." end no sentence). The
  overall score is the larger of the first window's score and the best other piece's score with its
  odds divided by n ** penalty, n the number of other pieces
  (penalty {card.get('long_penalty', 0.0)}; 0 = plain maximum), so a long benign message is no
  likelier to trip than a short one while one clearly unkind sentence still shows.
- Four literal lists beside the model (`primum/inference/lists.py`), for what the encoder reads as
  neutral talk about a group, or does not read at all:
  - documented antisemitic codes (`coded_hate.py`): "(((they)))", "the goyim know", "zionists
    control congress", the dual-loyalty canard; lifted as an identity attack;
  - calls for, threats of and wishes for violence against a group (`group_violence.py`): "all
    immigrants should be shot" (0.86 alone), "those people deserve to be lynched" (0.35), "I will
    hurt every immigrant I come across" (0.64), "hope they all drown"; lifted as a threat, so the
    moderators are alerted too;
  - telling a member to kill themselves or wishing them dead (`told_to_die.py`): "kys" (0.68
    alone), "go kill yourself!!!" (0.74), "go overdose on your own insulin" (0.52), "nobody would
    miss you if you died" (0.77); lifted as a threat, like the violence list. Hyperbole ("you'll
    kill yourself with these hours"), the speaker's own venting, a patient's words and suicide-risk
    questions ("thoughts of wanting to end your life?") do not match. On a held-out blind set
    (`benchmarks/blind/told_to_die.csv`, written after the list was frozen) it lifted the share
    nudged from 37.5% to 52.5% of 120 unkind rows and matched none of 120 kind look-alikes;
    euphemisms made up to dodge filters are the usual miss;
  - slurs for people (`slurs.py`), in any frame: "the coon in radiology" (0.08 alone), "that paki
    pharmacist" (0.28); lifted as an identity attack. Only words whose ordinary use is the slur
    (not "chink" in the armour, a car's "tranny", "retardation"), never as the speaker's own
    identity ("I'm a proud dyke"), never reported ("he called me a spic") or named ("the word").
    "nigga" is left out: real posts use it in-group far more often than as an attack. On the real
    calib rows it lifted HateXplain's recall from 33.5% to 51.0% and its contested benign rows
    from 2.4% to 6.9% (target <= 10%), Stormfront's recall from 12.4% to 17.3% (benign
    unchanged), Gab's from 23.9% to 26.5% (benign 2.3% to 3.0%); no replay message and no
    functional-test row matches. On a blind set written for it (`benchmarks/blind/slurs.csv`,
    measured once) it lifted the share of slur messages nudged from 22.5% to 49.2% and matched 3
    of 120 kind rows (a British dish, a place, a march), which it has told apart since.
  When the normalised text *uses* one (not inside quotation marks, not negated, not reported as
  someone else's view, and with no word that names it for what it is: a trope, vile, incitement, a
  report), the score is lifted to a third of the way from the nudge to the hide threshold: a private
  nudge, never a hide on this evidence alone (hiding is judged on the model's own score). Thresholds
  are chosen on the model's own scores first. Owners can turn the codes list off (`/kind-settings
  codes off`); the violence lists stay. On 197,339 labelled rows of every real and own source the
  violence list matches 3 rows labelled benign (each a call or a headline naming one) and 20 labelled
  unkind: real text rarely says it, which is why the encoder never learned it. The told-to-die list
  matches 6 rows labelled benign there (each an order to die aimed at someone: "To McCain: GO DIE
  ALREADY!!!!") and 62 labelled unkind.
- Runtime (default `model.runtime = "onnx"`): the merged network is exported to ONNX once, fused
  (one Attention, SkipLayerNorm and BiasGelu kernel per layer) and quantised to dynamic int8 with
  per-channel weights, then cached under `~/.cache/primum/<version>/` (about 30 s on first use).
  Each message (and each piece of a long one) runs alone on its own tokens, so its score does not
  depend on what else is in the batch; messages run on `model.threads` cores at once. When the build
  cannot run, the bot falls back to `model.runtime = "torch"` (linear layers in dynamic int8), which
  has its own thresholds ({runtime_th or 'see card.json'}). {runtime_text}
  `model.runtime = "torch-fp32"` keeps full precision.

## Training data and licences
{DATA_TABLE}

{REAL_DATA_NOTE}

{_stages_text(tr)}
Reproduce with `primum train` (see `primum train --help`).

## Thresholds
Chosen for a **target false-positive rate on benign text**, not for F1: the nudge threshold is the
lowest that keeps benign clinical text, civil disagreement and identity statements (our dev rows)
and every real source's benign `calib` rows under three quarters of their target false-positive
rates (2% for everyday text, 5% for Gab and Stormfront, 10% for implicit hate and HateXplain), the
civil messages of the calibration conversations (`primum/replay/conversations/calibration`, chat as
it is typed in threads) under three quarters of the 3% civil target, and all our benign dev rows
together under 2%. The dev conversations are never used. The hide threshold is much higher (about 0.1% FPR over
all benign text). Guild owners can override both.

## Real human-written text (dev split of each source: never trained or tuned on)
{real_rows}

Benign real text flagged at the nudge threshold, by length:

| length | flagged | n |
|---|---|---|
{length_rows}

## Metrics (dev split, nudge threshold {th['nudge']})
ROC AUC: all dev {m.get('auc_all_dev', float('nan')):.4f}; our own dev rows {m.get('auc_own_dev', float('nan')):.4f}.

False-positive rate on benign groups:

| group | FPR | n |
|---|---|---|
{fpr_rows}

Recall on our dev unkind rows:

| category | recall | n |
|---|---|---|
{recall_rows}

By dev file (rate at the nudge threshold, n in brackets). `kindness_dev3` was written after the
session-2 training files by someone shown no dev row and no model output; `kindness_dev4` was
written blind alongside the session-3 training files: they are the fairest single checks.

| file | AUC | insult | belittling | identity attack | threat | civil FPR | clinical FPR |
|---|---|---|---|---|---|---|---|
{by_file_rows}

Evasion (each dev unkind row disguised programmatically; recall at the nudge threshold):

| variant | recall |
|---|---|
{evasion_rows}

Held-out public data:

| source | AUC | recall | FPR | n |
|---|---|---|---|---|
{public_rows}

Caveat: the thresholds were chosen on the same dev split these FPRs are measured on, so the benign
FPRs are met by construction and are optimistic; recall, evasion and the public-data numbers are
not tuned on. The real sources are different: each source's own calib rows hold it under 0.75x its
target, all real calib rows together (about 6,000) under 0.75x the strictest target (2%), and the
real-text table reports their dev rows, which nothing was chosen on. The dev groups are a few
hundred rows each, so each rate has an interval of several points. Dev rows that were quoted to
the writers of later training files, or read by the maintainer while briefing them, are withheld
from training and dev alike (`primum/training/data/dev_withheld.txt`; see the data folder's README).

## Speed (`primum bench`)
Measured on the training host (2 CPU cores); `threads` is how many messages are scored at once, one
core each (`primum bench` uses every core; the bot uses `model.threads`, default 1, so the event loop
keeps a core). `onnx` is the default runtime, `torch` the int8 fallback. The reference is a
randomly initialised BERT-base-sized classifier (768 hidden, 12 layers) in torch fp32 with the same
tokenizer, measured in the same run. Each row is one run: on a shared 2-core virtual machine,
repeated runs of the same model vary widely (the default runtime's batched rate ranged from 231
to 381 msg/s over runs on one day), so compare runtimes only within one run.

{bench_text}

## Known limitations
- English only; sarcasm, in-jokes and context across messages are invisible to it (it scores one
  message at a time).
- Trained on about 21,800 examples written for the project (5,200 of them only in the second stage;
  the rest of our 25,000 are dev rows),
  6,000 real Reddit comments we labelled, and public data from Reddit, Gab, Twitter, a
  white-supremacist forum and chatbot logs. None of it is physicians' chat; dialects and reclaimed
  slurs (e.g. AAVE on Twitter) may be scored unfairly.{public_limit}
- Real toxic text is ranked far less well than our own rows (see the real-text table): implicit
  stereotypes, dog whistles, doxxing without violent words, sarcasm and character swaps are the usual
  misses. The threshold was chosen to keep real benign text quiet, so recall on real toxic text is low:
  Primum prefers a missed nudge to a wrong one.
- Speed depends on the runtime and the host, and this shared 2-core VM drifts widely: over runs on
  one day the default ONNX runtime with the n-gram blend scored 231-381 msg/s batched, so the
  project's 300 msg/s target is met in some runs and not in others. In back-to-back runs the blend
  cost up to about 10% against the encoder alone; the torch fallback manages about 120 msg/s. Both
  are ample for a server at its real pace (p99 under 20 ms at 20 msg/s with ONNX). The n-gram tables
  add about 80 MB per loaded model. The first start builds the ONNX file (about 30 s, once).
- A larger encoder does not fit the speed target on two cores. `benchmarks/encoder_shapes.py` runs
  each shape (random weights; speed does not depend on their values) through the same int8 export
  and scoring path as the shipped model: a 12-layer MiniLM ran at 0.52-0.63 and an mpnet-base-sized
  encoder at 0.17-0.22 of the 6-layer shape's rate (2 runs, 2 threads), so about 150-240 and 50-80
  msg/s where this model does 290-380. Recall has to come from data and recipe, not size, unless the
  300 msg/s target is relaxed or the host has more cores.
- More runs of the same recipe do not rank better. A uniform model soup of the first stage's weights
  with two more runs of its recipe (seeds 7 and 21: no cost at inference) ranked exactly as well
  (AUC on all dev rows 0.9373 against 0.9373; mean of Gab, Stormfront and our labelled rows 0.880
  against 0.880, both recalibrated in the same environment) and, at the cut-off the same rules chose
  for it, caught less (own dev 67.5% against 71.8%, dev conversations 57.6% against 68.8%). What
  limits recall is the encoder and the data, not the draw of the seed; the second stage adds data.
- What v9 changed against v8 (the same first stage; a second stage with 2,400 more rows, 1,500
  steps instead of 1,200, and emoji read as their names): recall on our dev rows 74.5% -> 77.7%
  (insult 68.8% -> 80.1%, belittling 73.2% -> 72.5%); real benign text flagged a little more often
  (Gab 1.5% -> 2.3%, our labelled Reddit rows 1.1% -> 1.6%, Ruddit 0% -> 1.1%, Stormfront 1.0% ->
  1.6%, all within target) and ranked about as well (AUC mean of Gab, Stormfront and labelled rows
  0.879 -> 0.877). In replays of 168 dev conversations (with the notice policy of the same session)
  uncivil messages nudged 62.0% -> 64.3%, escalations de-escalated in time 22 -> 26 of 68, civil
  messages nudged 2.4% -> 1.7%, civil conversations with a notice 6 -> 3 of 100. The rule it was
  judged by was written before the run (`primum/training/data/candidates/README.md`); the emoji names alone
  (v8's rows) changed nothing measurable on the calibration conversations.
- What v8's second stage cost, against the first stage alone at its own cut-off: insult recall on
  our dev rows fell (72.9% -> 68.8%) while belittling, identity attacks and threats rose; kind
  look-alikes beside violence and antisemitism are flagged a little more often (see below); on the
  dev conversations one more civil thread got a calm notice (5 of 44). Its keep-or-reject rule,
  written before the runs, also asked for 5 more points on the blind mockery set; it gained 2.6
  (44.7% -> 47.3%) and was shipped anyway, for what it gained everywhere else (see
  `primum/training/data/README.md`). A second draw of the second stage (seed 7, run afterwards as
  a check) gained as much (blind violence 65.0%, dev conversations 70.8% of uncivil messages
  nudged): the gain is the stage's, not one seed's.
- Antisemitism is under-caught. On a blind set of 240 messages (`benchmarks/blind/antisemitism.csv`,
  written by someone who never saw the code list or the model) the shipped model with the code list
  nudges 50.9% of the antisemitic ones and 0.8% of the kind look-alikes (v8: 41.8% and 2.3%; the
  first stage alone: 31.8% and 1.5%); the slur list (session 20) lifts that to 52.7%, the kind rows
  unchanged. Dual-loyalty insinuation (25%), Holocaust denial or mockery
  (33%) and collective blame (43%) are the usual misses; quoting it to reject or report it is the
  only kind look-alike flagged (1 of 20).
- Violence against a group is a weak spot. On a held-out blind set
  (`benchmarks/blind/group_violence.csv`, written after the violence list was frozen) the shipped
  model with both lists nudges 68.0% of 200 such messages (v8: 65.0%; the first stage: 31.5%) and
  2.0% of 200 kind look-alikes (v8 3.0%, first stage 1.5%): calls 72%, dehumanising metaphors joined
  to violence 90%, threats by the speaker 58% (weapons brought where a group gathers, "they won't
  see it coming"), wishes or celebration 52% ("another boat of migrants sank, good riddance"). v8's
  1,200 violence rows did most of this; negation and defence ("nobody should hurt them") is the
  look-alike most often flagged (4 of 40).
- Negated hate is sometimes flagged: on a blind functional set (`benchmarks/blind/`, written by
  someone shown no model output) 2 of 18 statements like "I don't think immigrants are criminals"
  were nudged (v8: 1), against 0 of 36 for counter-speech that quotes or refers to hate. Slurs used
  against a group are caught only about half the time (10 of 18): the model's rows have no slurs,
  and the public sets teach them unevenly.
- The n-gram half knows words, not context: it cannot tell a quoted slur from a used one, so quoting
  abuse to condemn it (counter-speech) relies on the encoder and the `>` quote rule.
- Counter-speech that quotes abuse without using `>` quotes can be flagged.
- Belittling phrased as a mild question is among the usual misses: the threshold keeps real
  heated-but-kind comments quiet first. (The n-gram blend now catches the classic "Did they skip
  pharmacology at your school, or were you just asleep?", which the encoder alone scored about 0.89.)
- Punctuation sways it: an insult or threat that ends in "!" scores lower than the same words with
  a full stop. Our own training rows have "!" twice as often when kind (3.6%) as when unkind
  (1.8%). Rewriting a single "!" before scoring was measured on every dev and calib source and
  gained about as many false alarms as catches, so the fix is a retrain with punctuation varied
  across labels (tried once, v13: it cost recall in conversations). Runs of "!" are read as a full
  stop before scoring ("Nobody likes you!!!" scored 0.33, now as "Nobody likes you." 0.96): on the
  real calib rows and the replay conversations that changed no flag. Words run together are split
  when they hide a listed insult or are common words about a person ("nobodylikesyou"). Most
  emoji-only mockery is missed: the encoder's vocabulary has no emoji, so v9 reads each as its name
  ("skull", "clown face"), but few training rows carry them; `benchmarks/disguise_probes.py`
  prints each disguise.
- Leetspeak undoing can mangle rare alphanumeric tokens; dose and lab codes (5mg, B12, SpO2,
  COVID-19) are protected.
{recall_limit}
- Per-category scores are rough: public data labels insults about identity groups as both insult
  and identity attack, so a plain insult can show a high identity_attack score. Use the overall
  score for decisions and categories only to word the nudge.
- Training adds 450 templated benign rows (`primum/training/synthetic.py`: kind second-person
  messages, venting at systems, self-deprecation) to break the "you means unkind" shortcut.
- Sentence-group scoring of long messages raises false positives slightly on long public
  sentences about groups (ToxiGen neutral FPR 5.8% -> 8.7%).
- The score is not calibrated as a probability across communities: re-check thresholds with
  `primum calibrate` on your own labelled messages.
"""
    path = out / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path
