"""``primum train``: the shipped model's recipe unless an option says otherwise."""

from primum.cli import build_parser
from primum.cli.train import train_config
from primum.training.train import TrainConfig


def test_primum_train_uses_the_shipped_recipe_unless_told_otherwise() -> None:
    parser = build_parser()
    assert train_config(parser.parse_args(["train"])) == TrainConfig()
    cfg = train_config(parser.parse_args(["train", "--steps", "10", "--out", "/tmp/m"]))
    assert (cfg.steps, cfg.out_dir, cfg.seed, cfg.bucket) == (10, "/tmp/m", TrainConfig().seed, TrainConfig().bucket)


def test_the_shipped_card_records_the_two_stages_primum_train_runs() -> None:
    import json

    from primum.inference.engine import MODEL_DIR
    from primum.training.rows import DATA_DIR
    from primum.training.train import SECOND_STAGE

    training = json.loads((MODEL_DIR / "card.json").read_text(encoding="utf-8"))["training"]
    first, default = training["first_stage"], TrainConfig()
    assert {k: first[k] for k in ("seed", "steps", "batch_size", "lr", "head_lr", "warmup", "long_benign")} == {
        "seed": default.seed, "steps": default.steps, "batch_size": default.batch_size, "lr": default.lr,
        "head_lr": default.head_lr, "warmup": default.warmup, "long_benign": default.long_benign}
    second = {k: training[k] for k in SECOND_STAGE}
    assert {**second, "extra_files": tuple(second["extra_files"])} == SECOND_STAGE
    for name in SECOND_STAGE["extra_files"]:
        assert (DATA_DIR / name).is_file()
        assert (DATA_DIR / name).parent != DATA_DIR  # the first stage reads only DATA_DIR's own kindness_*.csv


def test_a_lexical_refit_reads_the_rows_of_both_stages() -> None:
    from primum.training.train import _recipe

    card = {"training": {"seed": 13, "steps": 1200, "extra_files": ["stage2/kindness_x.csv"], "first_stage": {}}}
    assert _recipe(card) == {"seed": 13, "extra_files": ("stage2/kindness_x.csv",)}
    assert _recipe({"training": {"seed": 7}}) == {"seed": 7}
