"""`nlen review`: the page is self-contained and holds every bead (the browser
tests are in test_review_browser.py)."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.corpus.read import read_corpus
from pipeline.corpus.review import build_page, page_data
from pipeline.types import AlignedRow


@pytest.fixture(scope="module")
def rows(news_corpus) -> list[AlignedRow]:
    return list(read_corpus([news_corpus]))


def test_page_is_self_contained_and_complete(rows):
    tricky = AlignedRow('Hij schreef "</script><script>alert(1)</script>" & <b>.', "He wrote </script> & <b>.",
                        "doc <x>", 0, (0,), (0,), 0.25, flags=("numbers",))
    page = build_page(rows + [tricky], "t <title>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "<link" not in page and "@import" not in page
    assert page.count("</script>") == 2  # the data and the code; the text's </script> is escaped
    blob = page.split('<script id="corpus" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(blob)
    assert data == page_data(rows + [tricky], "t <title>")
    assert len(data["rows"]) == len(rows) + 1 and data["rows"][-1][0] == tricky.nl
