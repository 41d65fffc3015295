"""Shared fixtures of the CLI tests: a small labelled CSV for score, evaluate and calibrate."""

import csv

import pytest


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "labelled.csv"
    rows = [
        ("The biopsy came back benign, great news for the patient.", 0, "none"),
        ("Please review the sepsis bundle before Monday's M&M.", 0, "none"),
        ("We had to cut the necrotic tissue out and irrigate the wound.", 0, "none"),
        ("I disagree with the new on-call policy, it is unfair to residents.", 0, "none"),
        ("You are a pathetic idiot.", 1, "insult"),
        ("Did they even teach you anatomy, or did you buy your degree?", 1, "belittling"),
        ("I will make sure you never work in this state again.", 1, "threat"),
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category"])
        writer.writerows(rows)
    return path

