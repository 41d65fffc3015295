"""Where the be-kind model's training rows come from, with licences: the model card's data table."""

from __future__ import annotations

DATA_ROWS: tuple[tuple[str, str, str], ...] = (
    (
        "Primum's own rows (`primum/training/data/kindness_*.csv`, about 19,500 with the dev files; see the "
        "README there)",
        "project licence (MIT)",
        "belittling, insults, identity attacks without slurs, threats, evasion, each with hard negatives: "
        "benign clinical language, civil and blunt disagreement, venting, teaching, counter-speech, identity "
        "statements, everyday friendly traffic. Weighted 2.5x (v6: 3x). Train rows that nearly copy a dev row are "
        "dropped. The second stage adds `data/stage2/`: 1,200 rows on violence against a group, 1,200 on mockery "
        "and pile-ons (half of them kind replies in the same register) and 400 of kind banter (v8); v9 adds about "
        "600 each of insults written as chat, veiled threats and group stereotypes (each half kind look-alikes; "
        "a quarter of the stereotypes antisemitic euphemism) and 600 kind messages from heated threads.",
    ),
    (
        "davidson (t-davidson/hate-speech-and-offensive-language, Davidson et al. 2017)",
        "MIT",
        '"hate" -> identity attack; "neither" -> kind; "offensive" is no longer trained on (v7: it taught tweet '
        'style rather than unkindness). 2,259 tweets (all 1,359 hate tweets outside dev, 900 neither), weight 0.4.',
    ),
    (
        "ConvAbuse (amandacurry/convabuse, Cercas Curry et al. 2021)",
        "CC-BY-4.0",
        "majority severity < 0 -> unkind; `_intellectual` -> belittling; racist/sexist/homophobic/transphobic/"
        "ableist -> identity attack; aimed at an individual -> insult. Train file trains; valid file is held out.",
    ),
    (
        "ToxiGen prompt sentences (microsoft/TOXIGEN)",
        "MIT code + CDLA-Permissive-2.0 data",
        "hateful -> identity attack; neutral group statements are negatives. Weight 2, 20% held out.",
    ),
    (
        "Jigsaw unintended-bias madlibs (conversationai/unintended-ml-bias-analysis)",
        "Apache-2.0",
        "NOT_BAD identity statements are strong negatives; BAD ones are identity attacks. 15% held out by hash.",
    ),
    (
        "GoEmotions (google-research, via monologg/GoEmotions-pytorch; Demszky et al. 2020)",
        "Apache-2.0",
        "real Reddit comments without anger/annoyance/disgust/disapproval -> kind (up to 9,000 train rows).",
    ),
    (
        "GoEmotions negative-emotion comments, **labelled by Primum** (`primum/training/data/"
        "real_goemotions_labelled.csv`, 6,000 rows)",
        "Apache-2.0 (text); our labels MIT",
        "angry, annoyed or disapproving real comments judged by the creed: blunt disagreement and venting -> kind; "
        "insults, belittling, identity attacks, threats -> unkind with that category; `unclear` rows left out.",
    ),
    (
        "The other 1,838 comments of that draw, **labelled blind by Primum after training** (`primum/training/"
        "data/heldout_goemotions_labelled.csv`)",
        "Apache-2.0 (text); our labels MIT",
        "never trained on: half calib (where the nudge threshold is checked), half dev (reported only).",
    ),
    (
        "Ruddit (hadarishav/Ruddit via FreddieHorn/politeness-determinator; Hada et al. 2021)",
        "MIT + Reddit terms",
        "offensiveness <= 0 -> kind; the positives track profanity, so they teach profanity only.",
    ),
    (
        "Gab Hate Corpus (Kennedy et al. 2022)",
        "CC-BY-4.0",
        "assault on dignity or call for violence -> unkind (violence -> threat); vulgar-only posts teach profanity "
        "only; the rest -> kind.",
    ),
    (
        "Implicit Hate corpus (ElSherief et al. 2021)",
        "CC-BY-4.0",
        "explicit or implicit hate -> identity attack; not_hate political tweets -> kind.",
    ),
    (
        "HateXplain (Mathew et al. 2021, via Media-Bias-Group/magpie-multi-task)",
        "MIT (+ Apache-2.0 repackaging)",
        "hate -> identity attack; offensive -> unkind (category unknown); normal -> kind.",
    ),
    (
        "Stormfront (de Gibert et al. 2018, Vicomtech/hate-speech-dataset)",
        "CC-BY-SA-3.0 (the model is trained on it; no derivative data file is shipped)",
        "hate -> identity attack; noHate forum sentences -> kind.",
    ),
    (
        "MeTooMA (Gautam et al. 2020, via magpie-multi-task)",
        "CC0 labels; tweet text under Twitter's terms",
        "directed or generalised hate -> unkind; the rest -> kind.",
    ),
)
REAL_DATA_NOTE = (
    "Each real source is split by a hash of the text: 85% train, 7.5% `calib` (where the nudge threshold is "
    "checked) and 7.5% `dev` (only ever reported). Train rows are capped per source and label, and weighted per "
    "source so every source's weighted share of unkind rows is about 30% (an up-weight is capped at 3x): no "
    "source's style predicts the label on its own. 1,500 long posts made of 3-7 benign train comments of one "
    "source teach that length is not unkindness."
)
DATA_TABLE = "\n".join(
    ["| source | licence | how it is used |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in DATA_ROWS)]
)
