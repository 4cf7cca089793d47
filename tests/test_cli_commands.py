"""The ``kg`` commands, run in-process through ``kg.cli.main`` (and once each through the two
console entry points), on two short articles written for these tests.

Exit codes (``kg.cli``): 0 ok, 3 unknown question / bad parameter, 4 store missing,
5 query refused, 6 other error. The refusals of unsafe SPARQL (exit 5) are tested in
``tests/test_security_sparql.py``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.resources import queries_dir
from kg.store.local import LocalStore

EXIT_OK, EXIT_QUESTION, EXIT_STORE, EXIT_ERROR = 0, 3, 4, 6
QUESTION_IDS = sorted(p.stem for p in queries_dir().glob("*.rq"))
SWITCH_KEYS = {"firm", "supplier", "alternative", "source", "evidence"}
ARTICLES = {
    "tencent-cloud.txt": (
        "Title: Tencent Cloud changes course on accelerators\n"
        "Date: 2025-03-03\n\n"
        "Tencent is shifting away from Nvidia accelerators towards Huawei's Ascend chips for its cloud. "
        "The company did not put a number on the change. "
        "Engineers began moving the first training jobs in February.\n"
    ),
    "bytedance-order.txt": (
        "Title: ByteDance books a large chip order\n"
        "Date: 2025-03-20\n\n"
        "ByteDance bought 5,000 Ascend 910B chips from Huawei for 300 million yuan. "
        "Delivery is due over the summer, two people briefed on the deal said.\n"
    ),
}
SELECT_SOURCES = (
    "PREFIX ck: <https://w3id.org/chipkg/ontology#> "
    "SELECT ?source WHERE { GRAPH ?g { ?a a ck:Article ; ck:source ?source } } ORDER BY ?source"
)


@dataclass(frozen=True)
class Ingested:
    """A store made by ``kg ingest`` of the two articles (read by the tests, never written)."""

    articles: Path
    store: Path


def write_articles(folder: Path) -> Path:
    """Write the test articles into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``kg ARGV`` in-process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """The two articles ingested once into a store on disk."""
    root = tmp_path_factory.mktemp("cli")
    articles = write_articles(root / "articles")
    store = root / "store"
    with contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(["ingest", str(articles), "--store", str(store), "--no-progress"])
    assert code == EXIT_OK, err.getvalue()
    return Ingested(articles, store)


# -- ingest and ask -----------------------------------------------------------------------------


def test_cli_commands_ingest_stores_both_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg ingest FOLDER`` stores both articles and says so on stderr."""
    articles = write_articles(tmp_path / "articles")
    code, out, err = run(capsys, "ingest", str(articles), "--store", str(tmp_path / "store"), "--no-progress")
    assert (code, out) == (EXIT_OK, "")
    assert err.startswith("stored 2 article(s), 0 unchanged, 0 quarantined, 0 unreadable, 0 failed\n")


def test_cli_commands_ask_json_lists_the_switch(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg ask switched-away-from --format json``: a list of objects with the switch columns."""
    code, out, _ = run(capsys, "ask", "switched-away-from", "--format", "json", "--store", str(ingested.store))
    assert code == EXIT_OK
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 1
    assert all(isinstance(r, dict) and set(r) >= SWITCH_KEYS for r in rows)
    row = rows[0]
    assert (row["firm"], row["supplier"], row["alternative"]) == ("Tencent", "Nvidia", "Huawei")
    assert row["source"] == str(ingested.articles / "tencent-cloud.txt")
    assert row["evidence"] == (
        "Tencent is shifting away from Nvidia accelerators towards Huawei's Ascend chips for its cloud."
    )


def test_cli_commands_ask_csv_has_a_header_row(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``--format csv``: a header row naming the columns, then one record per row."""
    code, out, _ = run(capsys, "ask", "switched-away-from", "--format", "csv", "--store", str(ingested.store))
    assert code == EXIT_OK
    records = list(csv.reader(io.StringIO(out)))
    assert records[0][:5] == ["firm", "supplier", "alternative", "source", "evidence"]
    assert len(records) == 2
    assert records[1][:3] == ["Tencent", "Nvidia", "Huawei"]


def test_cli_commands_ask_table_is_aligned(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``--format table`` (the default): header, rule, one line per row, then the row count."""
    code, out, _ = run(capsys, "ask", "switched-away-from", "--store", str(ingested.store))
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["firm", "supplier", "alternative", "source", "evidence"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split()[:3] == ["Tencent", "Nvidia", "Huawei"]
    assert lines[-1] == "(1 row)"
    assert len(lines) == 4


def test_cli_commands_questions_lists_all_fourteen(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg questions`` lists every question of the pack."""
    code, out, _ = run(capsys, "questions", "--format", "json")
    assert code == EXIT_OK
    assert len(QUESTION_IDS) == 14
    assert sorted(r["id"] for r in json.loads(out)) == QUESTION_IDS


def test_cli_commands_unknown_question_exits_3(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown question: exit 3, nothing on stdout, the known questions on stderr."""
    code, out, err = run(capsys, "ask", "who-switched", "--store", str(ingested.store))
    assert (code, out) == (EXIT_QUESTION, "")
    assert err.startswith("kg: unknown question 'who-switched'")
    assert all(qid in err for qid in QUESTION_IDS)


def test_cli_commands_param_without_equals_exits_3(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``--param supplier`` (no ``=``): exit 3 and a message showing NAME=VALUE."""
    code, out, err = run(capsys, "ask", "switched-away-from", "--param", "supplier", "--store", str(ingested.store))
    assert (code, out) == (EXIT_QUESTION, "")
    assert err == "kg: --param takes NAME=VALUE, got 'supplier'\n"


def test_cli_commands_ask_on_missing_store_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg ask`` on a folder with no store: exit 4, a hint to run ``kg ingest``, nothing created."""
    missing = tmp_path / "nowhere"
    code, out, err = run(capsys, "ask", "sources", "--store", str(missing))
    assert (code, out) == (EXIT_STORE, "")
    assert f"kg ingest ARTICLES --store {missing}" in err
    assert not missing.exists()


# -- sparql ----------------------------------------------------------------------------------


def test_cli_commands_sparql_select_is_answered(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg sparql "SELECT ..."`` answers from the store."""
    code, out, _ = run(capsys, "sparql", SELECT_SOURCES, "--format", "json", "--store", str(ingested.store))
    assert code == EXIT_OK
    assert json.loads(out) == [{"source": str(ingested.articles / name)} for name in sorted(ARTICLES)]


def test_cli_commands_sparql_reads_a_query_file(
    ingested: Ingested, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kg sparql FILE.rq`` runs the query held in the file."""
    path = tmp_path / "sources.rq"
    path.write_text("# the sources\n" + SELECT_SOURCES.replace(" SELECT", "\nSELECT") + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "sparql", str(path), "--format", "json", "--store", str(ingested.store))
    assert code == EXIT_OK
    assert json.loads(out) == [{"source": str(ingested.articles / name)} for name in sorted(ARTICLES)]


def test_cli_commands_sparql_file_not_utf8_exits_6(
    ingested: Ingested, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A query file that is not UTF-8: exit 6 with a one-line message, not a traceback."""
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT * WHERE { ?s ?p "café" }'.encode("latin-1"))
    code, out, err = run(capsys, "sparql", str(path), "--store", str(ingested.store))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.startswith("kg: ") and err.count("\n") == 1


# -- stats, validate, export, quarantine ---------------------------------------------------------


def test_cli_commands_stats_counts_the_articles(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg stats``: two articles, and the quad count of the store."""
    code, out, _ = run(capsys, "stats", "--format", "json", "--store", str(ingested.store))
    assert code == EXIT_OK
    counts = {r["what"]: r["count"] for r in json.loads(out)}
    assert counts["articles"] == 2
    assert counts["facts: SupplierSwitch"] == 1
    assert counts["facts: Procurement"] == 1
    assert counts["quads"] == len(LocalStore.open(ingested.store, read_only=True))


def test_cli_commands_validate_fresh_store_exits_0(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg validate`` on a freshly ingested store: exit 0, no graph fails."""
    code, out, err = run(capsys, "validate", "--store", str(ingested.store))
    assert (code, out) == (EXIT_OK, "")
    assert err == "checked the store: 0 article graph(s) do not conform\n"


def test_cli_commands_export_trig_writes_the_store(
    ingested: Ingested, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kg export --format trig --out FILE`` writes every quad of the store as TriG."""
    out_file = tmp_path / "dump.trig"
    code, out, _ = run(capsys, "export", "--format", "trig", "--out", str(out_file), "--store", str(ingested.store))
    assert (code, out) == (EXIT_OK, "")
    assert out_file.stat().st_size > 0
    quads = list(ox.parse(path=str(out_file), format=ox.RdfFormat.TRIG))
    assert len(quads) == len(LocalStore.open(ingested.store, read_only=True))


def test_cli_commands_export_to_missing_folder_exits_6(
    ingested: Ingested, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out`` inside a folder that does not exist: exit 6 with a one-line message, not a traceback."""
    target = tmp_path / "no-such-folder" / "dump.trig"
    code, out, err = run(capsys, "export", "--out", str(target), "--store", str(ingested.store))
    assert (code, out) == (EXIT_ERROR, "")
    assert err.startswith("kg: ") and str(target) in err and err.count("\n") == 1
    assert not target.parent.exists()


def test_cli_commands_quarantine_fresh_store_is_empty(ingested: Ingested, capsys: pytest.CaptureFixture[str]) -> None:
    """``kg quarantine`` on a store where every article conformed lists no rows."""
    code, out, _ = run(capsys, "quarantine", "--format", "json", "--store", str(ingested.store))
    assert code == EXIT_OK
    assert json.loads(out) == []


# -- default store ---------------------------------------------------------------------------


def test_cli_commands_kg_store_env_is_the_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``KG_STORE`` set, ``kg ingest`` and ``kg ask`` use it without ``--store``."""
    store = tmp_path / "env-store"
    monkeypatch.setenv("KG_STORE", str(store))
    monkeypatch.chdir(tmp_path)
    article = write_articles(tmp_path / "articles") / "bytedance-order.txt"
    code, _, err = run(capsys, "ingest", str(article), "--no-progress")
    assert code == EXIT_OK, err
    code, out, _ = run(capsys, "ask", "sources", "--format", "json")
    assert code == EXIT_OK
    assert [r["source"] for r in json.loads(out)] == [str(article)]
    assert (store / "oxigraph").is_dir()
    assert not (tmp_path / "kg-data").exists()


# -- console entry points ----------------------------------------------------------------------


def test_cli_commands_console_script_answers(
    ingested: Ingested, run_kg: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The installed ``kg`` script answers like ``kg.cli.main``."""
    done = run_kg("ask", "switched-away-from", "--format", "json", "--store", str(ingested.store))
    assert (done.returncode, done.stderr) == (EXIT_OK, "")
    _, expected, _ = run(capsys, "ask", "switched-away-from", "--format", "json", "--store", str(ingested.store))
    assert json.loads(done.stdout) == json.loads(expected)


def test_cli_commands_python_m_kg_lists_questions(repo_dir: Path) -> None:
    """``python -m kg questions`` runs the command line."""
    done = subprocess.run(
        [sys.executable, "-m", "kg", "questions", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo_dir,
    )
    assert (done.returncode, done.stderr) == (EXIT_OK, "")
    assert sorted(r["id"] for r in json.loads(done.stdout)) == QUESTION_IDS
