"""Start-up stays light: `nlen --help`, `nlen align` and `nlen eval --tsv` import
neither torch nor transformers (nor ctranslate2, ray, matplotlib or playwright), and
`nlen --help` not even numba (the aligner's kernels). The < 0.5 s answer of
`nlen --help` is measured by `make bench`, not timed here."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import ROOT

HEAVY = ("torch", "transformers", "ctranslate2", "ray", "numba", "matplotlib", "playwright")
# what a command that aligns must load: the aligner's compiled kernels
ALIGNS = {"numba"}


def heavy_modules_after(code: str, tmp_path=None) -> dict:
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print("@@" + json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))
    """)
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path or ROOT, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)})
    line = [x for x in res.stdout.splitlines() if x.startswith("@@")]
    assert line, res.stdout[-2000:] + res.stderr[-2000:]
    return json.loads(line[-1][2:])


def test_build_parser_and_help_import_nothing_heavy():
    loaded = heavy_modules_after("""
        import contextlib, io
        from pipeline.cli import build_parser, main
        build_parser()
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["--help"])
            except SystemExit:
                pass
            for cmd in ("translate", "merge", "align", "eval", "cache"):
                try:
                    main([cmd, "--help"])
                except SystemExit:
                    pass
    """)
    assert loaded == dict.fromkeys(HEAVY, False)


def test_align_command_imports_nothing_heavy(tmp_path):
    (tmp_path / "nl.txt").write_text("Dit is een zin.\nDit is er nog een.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("This is a sentence.\nThis is another one.\n", encoding="utf-8")
    loaded = heavy_modules_after("""
        import contextlib, io
        from pipeline.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            rc = main(["align", "nl.txt", "en.txt"])
        assert rc == 0, rc
    """, tmp_path)
    assert loaded == {m: m in ALIGNS for m in HEAVY}


def test_eval_tsv_imports_nothing_heavy(tmp_path):
    tsv = tmp_path / "c.tsv"
    tsv.write_text("nl\ten\tdoc\tparagraph\tnl_ids\ten_ids\tscore\n"
                   "Dit is een zin.\tThis is a sentence.\td\t0\t0\t0\t0.9\n", encoding="utf-8")
    loaded = heavy_modules_after(f"""
        import contextlib, io
        from pipeline.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                main(["eval", "--tsv", {str(tsv)!r}, "--report", {str(tmp_path / 'r.json')!r}, "--bootstrap", "10",
                      "--reports-dir", {str(tmp_path)!r}, "--no-progress"])
            except SystemExit:
                pass
    """, tmp_path)
    assert loaded == {m: m in ALIGNS for m in HEAVY}


def test_cache_and_batching_modules_are_light():
    loaded = heavy_modules_after("""
        import pipeline.translate.cache, pipeline.translate.batching, pipeline.commands.cache
        import pipeline.translate.ctranslate2_backend  # module level imports no framework
    """)
    assert loaded == dict.fromkeys(HEAVY, False)
