"""Long private answers are split into pages of whole lines, never cut mid-line at 2,000 characters."""

from cogs._pages import paginate


def test_pages_hold_whole_lines_within_the_limit() -> None:
    lines = [f"• case #{n}: a reason that takes some room on the line" for n in range(200)]
    pages = paginate(lines, limit=500)
    assert len(pages) > 1 and all(len(page) <= 500 for page in pages)
    assert "\n".join(pages).split("\n") == lines  # nothing lost, nothing split


def test_an_overlong_line_is_cut_with_an_ellipsis_and_short_answers_are_one_page() -> None:
    assert paginate(["x" * 30], limit=10) == ["x" * 9 + "…"]
    assert paginate(["one", "two"]) == ["one\ntwo"]
    assert paginate([]) == [""]
