"""``import_file`` refuses dangerous or malformed RDF with a clear error and loads nothing of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.store.imports import MAX_JSONLD_DEPTH, RDFImportError, import_file, read_rdf
from kg.store.local import LocalStore

GOOD_TTL = "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\nex:b ex:p ex:c .\n"
RDF_XML_HEAD = '<?xml version="1.0"?>\n'
RDF_XML_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
    '<rdf:Description rdf:about="http://example.org/s"><ex:p>{text}</ex:p></rdf:Description></rdf:RDF>'
)
LAUGHS = (
    '<!DOCTYPE rdf:RDF [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)
XXE = '<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    """A store holding two triples already."""
    s = LocalStore.in_memory()
    s.raw.extend(read_rdf(_write_to(tmp_path, "seed.ttl", GOOD_TTL)))
    return s


def _write_to(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write(name, text)`` -> a file in a tmp folder."""
    return lambda name, text: _write_to(tmp_path, name, text)


def _refused(store: LocalStore, path: Path, store_hash: Callable[[LocalStore], str], **kw: object) -> RDFImportError:
    before = store_hash(store)
    with pytest.raises(RDFImportError) as info:
        import_file(store, path, **kw)  # type: ignore[arg-type]
    assert store_hash(store) == before
    assert str(path) in str(info.value)
    return info.value


def test_import_turtle_error_at_the_end_loads_nothing(store: LocalStore, write, store_hash) -> None:
    """A Turtle file with 1,000 good triples and a bad last line adds none of them."""
    good = "".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(1000))
    err = _refused(store, write("big.ttl", good + "<http://example.org/s> <http://example.org/p> .\n"), store_hash)
    assert err.reason.startswith("syntax error")
    assert "line 1001" in err.reason


def test_import_trig_unclosed_graph_loads_nothing(store: LocalStore, write, store_hash) -> None:
    """A TriG file whose graph block is never closed adds nothing."""
    bad = "<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 .\n"
    assert _refused(store, write("bad.trig", bad), store_hash).reason.startswith("syntax error")


def test_import_good_turtle_loads_all(store: LocalStore, write) -> None:
    """The positive control: a good file adds all its triples and returns the count."""
    text = "".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(10))
    assert import_file(store, write("ok.ttl", text)) == 10
    assert len(store) == 12


def test_import_relative_iri_without_base_is_refused(store: LocalStore, write, store_hash) -> None:
    """A relative IRI is an error unless a base IRI is given (no silent file: IRIs)."""
    path = write("rel.ttl", '<s> <http://example.org/p> "o" .')
    assert "IRI" in _refused(store, path, store_hash).reason
    assert import_file(store, path, base_iri="http://example.org/") == 1


@pytest.mark.parametrize("head", [LAUGHS, XXE, "<!doctype rdf:RDF>\n"], ids=["billion-laughs", "xxe", "doctype"])
def test_import_rdfxml_with_doctype_is_refused(store: LocalStore, write, store_hash, head: str) -> None:
    """RDF/XML declaring a DOCTYPE or ENTITY is refused before parsing."""
    path = write("x.rdf", RDF_XML_HEAD + head + RDF_XML_BODY.format(text="&lol3;"))
    assert "DOCTYPE or ENTITY" in _refused(store, path, store_hash).reason


def test_import_rdfxml_in_utf16_is_refused(store: LocalStore, write, store_hash) -> None:
    """RDF/XML that is not UTF-8 is refused (a DOCTYPE could hide in another encoding)."""
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + LAUGHS + RDF_XML_BODY.format(text="&lol3;")
    assert "UTF-8" in _refused(store, write("w.rdf", text.encode("utf-16")), store_hash).reason


def test_import_rdfxml_without_doctype_loads(store: LocalStore, write) -> None:
    """The positive control: plain RDF/XML loads."""
    assert import_file(store, write("ok.rdf", RDF_XML_HEAD + RDF_XML_BODY.format(text="hello"))) == 1


REMOTE_CONTEXTS = {
    "iri": {"@context": "https://schema.org/", "@id": "http://example.org/s", "name": "x"},
    "list": {"@context": [{"ex": "http://example.org/"}, "https://schema.org/"], "@id": "http://example.org/s"},
    "scoped": {
        "@context": {"knows": {"@id": "http://example.org/knows", "@context": "https://example.org/ctx.jsonld"}},
        "@id": "http://example.org/s",
    },
    "nested-node": {"@id": "http://example.org/s", "http://example.org/p": {"@context": "file:///etc/passwd"}},
    "import": {"@context": {"@import": "https://example.org/ctx.jsonld"}, "@id": "http://example.org/s"},
}


@pytest.mark.parametrize("doc", REMOTE_CONTEXTS.values(), ids=REMOTE_CONTEXTS.keys())
def test_import_jsonld_remote_context_is_refused(store: LocalStore, write, store_hash, audit, doc: object) -> None:
    """A JSON-LD context given by IRI (anywhere in the document) is refused; no socket is used."""
    err = _refused(store, write("r.jsonld", json.dumps(doc)), store_hash)
    assert "nothing is fetched" in err.reason
    assert audit.network == []


def test_import_jsonld_inline_context_loads(store: LocalStore, write) -> None:
    """The positive control: an inline context is read."""
    doc = {"@context": {"@vocab": "http://example.org/"}, "@id": "http://example.org/s", "name": "x"}
    assert import_file(store, write("ok.jsonld", json.dumps(doc))) == 1


def test_import_jsonld_too_deep_is_refused(store: LocalStore, write, store_hash) -> None:
    """JSON-LD nested 10,000 deep is refused before Oxigraph sees it (it would crash the process)."""
    deep = '{"@id": "http://example.org/s", "http://example.org/p": ' + "[" * 10_000 + "1" + "]" * 10_000 + "}"
    err = _refused(store, write("deep.jsonld", deep), store_hash)
    assert err.reason == f"JSON-LD nested 10001 deep (limit {MAX_JSONLD_DEPTH})"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"@id": "http://example.org/s", "@id": "http://example.org/t"}', "duplicate key '@id'"),
        ('{"@id": "http://example.org/s", "http://example.org/p": NaN}', "NaN is not valid JSON"),
    ],
    ids=["duplicate-key", "nan"],
)
def test_import_jsonld_not_strict_json_is_refused(store: LocalStore, write, store_hash, text: str, reason: str) -> None:
    """JSON-LD with duplicate keys or NaN is refused (the check and the parser must see the same document)."""
    assert reason in _refused(store, write("d.jsonld", text), store_hash).reason


def test_import_over_size_cap_is_refused(store: LocalStore, write, store_hash) -> None:
    """A file over ``max_bytes`` is refused before it is read."""
    err = _refused(store, write("big.ttl", GOOD_TTL), store_hash, max_bytes=10)
    assert err.reason == f"{len(GOOD_TTL.encode())} bytes is over the 10-byte limit"


def test_import_unknown_suffix_is_refused(store: LocalStore, write, store_hash) -> None:
    """A file whose suffix names no RDF format (here N3, which has rules) is refused."""
    assert "unknown RDF suffix '.n3'" in _refused(store, write("x.n3", GOOD_TTL), store_hash).reason


def test_import_missing_file_is_refused(store: LocalStore, tmp_path: Path, store_hash) -> None:
    """A path that does not exist is named in the error."""
    assert _refused(store, tmp_path / "nope.ttl", store_hash).reason == "no such file"


def test_import_triples_into_named_graph(store: LocalStore, write) -> None:
    """``graph=`` puts a triples file's triples into that graph."""
    import_file(store, write("g.ttl", GOOD_TTL), graph="http://example.org/graph")
    assert len(list(store.quads("http://example.org/graph"))) == 2


def test_import_named_graphs_with_graph_option_is_refused(store: LocalStore, write, store_hash) -> None:
    """``graph=`` with a dataset file that names its own graphs is refused (it would merge them)."""
    path = write("q.nq", '<http://example.org/s> <http://example.org/p> "1" <http://example.org/g1> .\n')
    err = _refused(store, path, store_hash, graph="http://example.org/g")
    assert err.reason.startswith("the file names its own graphs")


def test_import_bad_graph_iri_is_refused(store: LocalStore, write, store_hash) -> None:
    """``graph=`` must be an absolute IRI."""
    assert "not an absolute IRI" in _refused(store, write("g.ttl", GOOD_TTL), store_hash, graph="not an iri").reason


def test_import_into_read_only_store_is_refused(tmp_path: Path, write) -> None:
    """A store opened read-only is never written."""
    LocalStore.open(tmp_path / "s").flush()
    ro = LocalStore.open(tmp_path / "s", read_only=True)
    with pytest.raises(RDFImportError, match="read-only"):
        import_file(ro, write("g.ttl", GOOD_TTL))


def test_import_blank_nodes_are_renamed_apart(store: LocalStore, write) -> None:
    """The same blank node label in two imports names two different nodes."""
    path = write("b.ttl", '_:x <http://example.org/p> "1" .')
    import_file(store, path)
    import_file(store, path)
    rows = store.select('SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b <http://example.org/p> "1" }')
    assert rows == [{"n": 2}]
