"""``primum train``: the shipped model's recipe unless an option says otherwise."""

from primum.cli import build_parser
from primum.cli.train import train_config
from primum.training.train import TrainConfig


def test_primum_train_uses_the_shipped_recipe_unless_told_otherwise() -> None:
    parser = build_parser()
    assert train_config(parser.parse_args(["train"])) == TrainConfig()
    cfg = train_config(parser.parse_args(["train", "--steps", "10", "--out", "/tmp/m"]))
    assert (cfg.steps, cfg.out_dir, cfg.seed, cfg.bucket) == (10, "/tmp/m", TrainConfig().seed, TrainConfig().bucket)
