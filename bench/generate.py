"""Deterministic synthetic benchmark data: news-like articles, and N-Quads graphs of any size.

Articles are written from the sentence templates of ``bench/templates.yaml`` filled with
entities of the project's gazetteer (``kg/data/gazetteer``) and with names invented per article,
so that every extraction stage has real work: gazetteer and cue-based entities, supplier
switches, procurements with quantities and money, chip development, manufacturing, policies with
dates, investments, statements with roles, market moves, causal claims with the lexicon's cue
words, hedges and negations, plus distractor sentences and page furniture. Article ``i`` depends
only on ``(seed, i)``: the 100-article corpus is the first 100 files of the 1,000-article one.

Usage::

    python bench/generate.py articles --count 1000 --out bench/out/corpus-1000
    python bench/generate.py graph --triples 1000000 --out bench/out/graph-1m.nq
    python bench/generate.py check --count 50        # extraction yield per category
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kg.resources import gazetteer_dir, lexicon_path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates.yaml"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
CITIES = ["BEIJING", "SHANGHAI", "SHENZHEN", "HANGZHOU", "WASHINGTON", "SANTA CLARA", "TAIPEI", "HONG KONG"]
FIRST_DAY = date(2019, 1, 1)
DAYS = (date(2026, 10, 31) - FIRST_DAY).days
_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry as the generator uses it."""

    id: str
    type: str
    label: str
    forms: tuple[str, ...]
    data: dict[str, Any] = field(hash=False, compare=False)


class Pool:
    """Weighted choice over entries: ``popular`` ids first, then a Zipf-like tail."""

    def __init__(self, entries: list[Entry], popular: list[str]) -> None:
        if not entries:
            raise ValueError("empty pool")
        rank = {eid: i for i, eid in enumerate(popular)}
        self.entries = sorted(entries, key=lambda e: (rank.get(e.id, len(rank)), e.id))
        weights = [1.0 / (i + 1) ** 0.9 for i in range(len(self.entries))]
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def pick(self, rng: random.Random) -> Entry:
        """One entry."""
        return rng.choices(self.entries, cum_weights=self.cum)[0]


@dataclass
class Gaz:
    """The gazetteer, grouped into the pools the templates name."""

    by_id: dict[str, Entry]
    pools: dict[str, Pool]
    chips_of: dict[str, list[Entry]]

    @classmethod
    def load(cls, popular: list[str]) -> Gaz:
        """Read ``kg/data/gazetteer/*.jsonl``."""
        by_id: dict[str, Entry] = {}
        for path in sorted(gazetteer_dir().glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    by_id[rec["id"]] = Entry(rec["id"], rec["type"], rec["label"], _forms(rec), rec)
        chips_of: dict[str, list[Entry]] = {}
        for e in by_id.values():
            if e.type == "Chip" and e.data.get("designer") in by_id:
                chips_of.setdefault(e.data["designer"], []).append(e)

        # Bodies named after a gazetteer person ("Biden administration") make the linker add that
        # person; kg 0.1.0 then fails the article when the person's organisation is not named
        # (see templates.yaml), so the corpus leaves those bodies out.
        surnames = {e.label.split()[-1] for e in by_id.values() if e.type == "Person"}

        def named_after_person(e: Entry) -> bool:
            return any(w in surnames for f in e.forms for w in f.split())

        def sel(pred: Any) -> Pool:
            return Pool([e for e in by_id.values() if pred(e)], popular)

        def firm(e: Entry, country: str) -> bool:
            return e.type == "Firm" and e.data.get("country") == country

        def body(e: Entry, country: str) -> bool:
            return e.type == "GovernmentBody" and e.data.get("country") == country

        pools = {
            "cn_firm": sel(lambda e: firm(e, "CN") and e.id not in chips_of),
            "us_designer": sel(lambda e: firm(e, "US") and e.id in chips_of),
            "cn_designer": sel(lambda e: firm(e, "CN") and e.id in chips_of),
            "designer": sel(lambda e: e.id in chips_of),
            "foundry": sel(lambda e: e.type == "Firm" and "foundry" in e.data.get("roles", [])),
            "body": sel(lambda e: e.type == "GovernmentBody" and not named_after_person(e)),
            "us_body": sel(lambda e: body(e, "US") and not named_after_person(e)),
            "cn_body": sel(lambda e: body(e, "CN") and not named_after_person(e)),
            "policy": sel(lambda e: e.type == "Policy" and bool(e.forms)),
            "person": sel(lambda e: e.type == "Person" and e.data.get("affiliation") in by_id),
            "country": sel(lambda e: e.type == "Country"),
        }
        return cls(by_id, pools, chips_of)


def _forms(rec: dict[str, Any]) -> tuple[str, ...]:
    """Surface forms usable in running English text (label first)."""
    out = []
    for f in [rec["label"], *rec.get("aliases", [])]:
        if f.isascii() and "(" not in f and not f.startswith("the ") and f not in out:
            out.append(f)
    return tuple(out)


@lru_cache(maxsize=4)
def load_templates(path: str = str(TEMPLATES)) -> dict[str, Any]:
    """The template file, checked against ``kg/data/lexicons/causal.yaml``.

    A causal cue form that no longer matches its lexicon cue (the lexicon changed) is dropped
    with a warning on stderr, so the corpus keeps exercising real cues; a cue group left empty
    is an error.
    """
    data: dict[str, Any] = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    lexicon = yaml.safe_load(lexicon_path("causal.yaml").read_text(encoding="utf-8"))
    patterns = {c["id"]: re.compile(rf"(?:{c['pattern']})", re.I) for c in lexicon["cues"]}

    def keep(cue: str, forms: list[str]) -> list[str]:
        ok = [f for f in forms if cue in patterns and patterns[cue].fullmatch(f)]
        for f in forms:
            if f not in ok:
                print(f"templates.yaml: dropping cue form {f!r}: no match for lexicon cue {cue!r}", file=sys.stderr)
        return ok

    cues = data["cues"]
    for group in ("increases", "decreases"):
        for cue in list(cues[group]):
            forms = {k: keep(cue, cues[group][cue][k]) for k in ("past", "base")}
            if forms["past"] and forms["base"]:
                cues[group][cue] = forms
            else:
                del cues[group][cue]
    for cue in list(cues["backward"]):
        cues["backward"][cue] = keep(cue, cues["backward"][cue])
        if not cues["backward"][cue]:
            del cues["backward"][cue]
    for group in ("increases", "decreases", "backward"):
        if not cues[group]:
            raise ValueError(f"templates.yaml: no {group} cue form matches kg/data/lexicons/causal.yaml")
    return data


def corpus_digest(folder: Path) -> str:
    """SHA-256 (12 hex) of the names and bytes of a corpus's files."""
    h = hashlib.sha256()
    for p in sorted(folder.glob("*.txt")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


class Slots(dict[str, str]):
    """Slot values for one sentence, computed on first use (paired slots are bound together)."""

    def __init__(self, gen: ArticleWriter) -> None:
        super().__init__()
        self.gen = gen

    def __missing__(self, key: str) -> str:
        self.gen.fill(self, key)
        return self[key]


class ArticleWriter:
    """Writes article ``i`` of a corpus from ``(seed, i)``."""

    def __init__(self, seed: int = 7, templates: str = str(TEMPLATES)) -> None:
        self.seed = seed
        self.t = load_templates(templates)
        self.gaz = Gaz.load(list(self.t.get("popular", [])))
        cats = self.t["categories"]
        self.categories = list(cats)
        self.cat_cum: list[float] = []
        total = 0.0
        for c in self.categories:
            total += float(cats[c]["weight"])
            self.cat_cum.append(total)
        self.rng = random.Random()
        self.cast: dict[str, str] = {}
        self.introduced: set[str] = set()

    # -- one article -------------------------------------------------------------------------
    def article(self, i: int) -> tuple[str, str]:
        """``(file name, text)`` of article ``i``: a Title/Date/URL header, then the body."""
        rng = self.rng = random.Random(f"{self.seed}:{i}")
        self._new_cast()
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        target = rng.randint(300, 900)
        title = self.render(rng.choice(self.t["titles"]))
        paras: list[str] = []
        words = 0
        lede = self.render(self._template("switch" if rng.random() < 0.5 else "policy"))
        dateline = f"{rng.choice(CITIES)}, {MONTHS[day.month - 1][:3]} {day.day} - "
        paras.append(dateline + lede)
        words += len(paras[0].split())
        while words < target:
            para = " ".join(self.render(self._template(self._category())) for _ in range(rng.randint(2, 4)))
            paras.append(para)
            words += len(para.split())
        if rng.random() < 0.3:
            paras.append("\n".join(self.render(x) for x in rng.choice(self.t["furniture"])))
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        head = [
            f"Title: {title}",
            f"Date: {day.isoformat()}",
            f"URL: https://bench.example/{day.year}/{day.month:02d}/{i:06d}-{slug}",
            f"Source: {rng.choice(self.t['publishers'])}",
            f"Author: {rng.choice(self.t['authors'])}",
        ]
        return f"{i:06d}.txt", "\n".join(head) + "\n\n" + "\n\n".join(paras) + "\n"

    def _category(self) -> str:
        return str(self.rng.choices(self.categories, cum_weights=self.cat_cum)[0])

    def _template(self, category: str) -> str:
        return str(self.rng.choice(self.t["categories"][category]["templates"]))

    def render(self, template: str) -> str:
        """Fill a template (slots may hold templates themselves) and capitalise its start."""
        slots = Slots(self)
        text = template.format_map(slots)
        first = text.split(" ", 1)[0]
        if first.isalpha() and first.islower():  # "the ...", "startup ...", but not "iFlytek"
            text = text[0].upper() + text[1:]
        return text

    def _new_cast(self) -> None:
        c, rng = self.t["cast"], self.rng
        self.introduced = set()
        self.cast = {
            "new_firm": f"{rng.choice(c['firm_stems'])} {rng.choice(c['firm_suffixes'])}",
            "new_firm_cue": rng.choice(c["firm_cues"]),
            "new_chip": f"{rng.choice(c['chip_prefixes'])}-{rng.randint(2, 99)}",
            "analyst": f"{rng.choice(c['first_names'])} {rng.choice(c['last_names'])}",
            "analyst_firm": f"{rng.choice(c['analyst_firm_stems'])} {rng.choice(c['analyst_firm_suffixes'])}",
        }

    # -- slots -------------------------------------------------------------------------------
    def fill(self, s: Slots, key: str) -> None:
        """Compute slot ``key`` (and any slot bound to it) into ``s``."""
        rng, gaz, t = self.rng, self.gaz, self.t
        if key in self.cast:
            s[key] = self._cast(key)
        elif key in ("us_designer", "us_chip", "cn_designer", "cn_chip", "designer", "own_chip"):
            side = {"us": "us_designer", "cn": "cn_designer"}.get(key[:2], "designer")
            chip_key = {"us_designer": "us_chip", "cn_designer": "cn_chip", "designer": "own_chip"}[side]
            firm = gaz.pools[side].pick(rng)
            s[side] = self._form(firm)
            s[chip_key] = self._form(rng.choice(gaz.chips_of[firm.id]))
        elif key in ("cn_firm", "cn_firm2"):
            taken = {s.get("cn_firm"), s.get("cn_firm2")}
            for _ in range(10):
                s[key] = self._form(gaz.pools["cn_firm"].pick(rng))
                if s[key] not in taken:
                    break
        elif key in ("foundry", "country"):
            s[key] = self._form(gaz.pools[key].pick(rng))
        elif key in ("body", "us_body", "cn_body"):
            form = self._form(gaz.pools[key].pick(rng))
            s[key] = f"the {form}" if " " in form else form  # "the US Department of Commerce", "MOFCOM"
        elif key in ("policy", "policy_date"):
            pol = gaz.pools["policy"].pick(rng)
            s["policy"] = self._form(pol)
            s["policy_date"] = _when(pol.data.get("announced"), rng)
        elif key in ("person", "person_role", "person_org"):
            p = gaz.pools["person"].pick(rng)
            s["person"] = self._form(p)
            s["person_role"] = re.sub(r"\s*\(.*?\)", "", str(p.data.get("role", "spokesperson")))
            org = gaz.by_id[p.data["affiliation"]]
            form = self._form(org)
            s["person_org"] = f"the {form}" if org.type == "GovernmentBody" and " " in form else form
        elif key == "a_analyst_role":
            role = rng.choice(t["cast"]["analyst_roles"])
            s[key] = ("an " if role[0] in "aeiou" else "a ") + role
        elif key == "node":
            s[key] = rng.choice(t["values"]["nodes"])
        elif key == "quantity":
            s[key] = rng.choice(t["values"]["quantities"])
        elif key == "money":
            s[key] = rng.choice(t["values"]["money_usd"])
        elif key == "money_cny":
            s[key] = rng.choice(t["values"]["money_cny"])
        elif key == "pct":
            s[key] = f"{rng.randint(1, 15)}.{rng.randint(0, 9)}%"
        elif key in ("date_long", "month_year", "year", "weekday"):
            d = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            s["date_long"] = f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
            s["month_year"] = f"{MONTHS[d.month - 1]} {d.year}"
            s["year"] = str(d.year)
            s["weekday"] = rng.choice(WEEKDAYS)
        elif key in ("inc", "inc_base", "dec", "dec_base"):
            group = "increases" if key.startswith("inc") else "decreases"
            forms = t["cues"][group][rng.choice(sorted(t["cues"][group]))]
            s[key] = rng.choice(forms["base" if key.endswith("_base") else "past"])
        elif key == "back":
            s[key] = rng.choice(t["cues"]["backward"][rng.choice(sorted(t["cues"]["backward"]))])
        elif key == "hedge":
            s[key] = rng.choice(t["values"]["hedges"])
        elif key in ("cause_np", "effect_np", "topic"):
            s[key] = rng.choice(t[key + "s"]).format_map(s)
        else:
            raise KeyError(f"templates.yaml uses unknown slot {{{key}}}")

    def _cast(self, key: str) -> str:
        value = self.cast[key]
        if key == "new_firm" and key not in self.introduced:
            self.introduced.add(key)
            return f"{self.cast['new_firm_cue']} {value}"
        return value

    def _form(self, e: Entry) -> str:
        """Mostly the label; sometimes an alias."""
        if len(e.forms) > 1 and self.rng.random() < 0.2:
            return self.rng.choice(e.forms[1:])
        return e.forms[0] if e.forms else e.label


def _when(announced: str | None, rng: random.Random) -> str:
    """'on March 3, 2025' / 'in March 2025' / 'in 2025' from a gazetteer date."""
    if not announced:
        return f"in {rng.randint(2019, 2025)}"
    parts = [int(x) for x in announced.split("-")]
    if len(parts) == 3:
        return f"on {MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    return f"in {MONTHS[parts[1] - 1]} {parts[0]}"


def iter_articles(count: int, seed: int = 7) -> Iterator[tuple[str, str]]:
    """``(file name, text)`` for articles ``0 .. count-1``."""
    w = ArticleWriter(seed)
    for i in range(count):
        yield w.article(i)


def source_digest() -> str:
    """SHA-256 (12 hex) of everything generated data depends on: bench generators and templates,
    and kg's code, data and ontology (graph templates come from kg's own pipeline)."""
    h = hashlib.sha256()
    root = HERE.parent
    files = [HERE / "generate.py", HERE / "graphgen.py", TEMPLATES]
    for sub in ("kg", "ontology"):
        files += sorted(p for p in (root / sub).rglob("*") if p.suffix in {".py", ".yaml", ".jsonl", ".ttl"})
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def write_corpus(out: Path, count: int, seed: int = 7) -> Path:
    """Write ``count`` articles as ``out/NNNNNN.txt`` (skipped when already written from the same sources)."""
    out.mkdir(parents=True, exist_ok=True)
    marker = out / ".complete"
    stamp = f"{count}:{seed}:{source_digest()}"
    if marker.exists() and marker.read_text() == stamp:
        return out
    for old in out.glob("*.txt"):
        old.unlink()
    for name, text in iter_articles(count, seed):
        (out / name).write_text(text, encoding="utf-8")
    marker.write_text(stamp)
    return out


def _check(count: int, seed: int) -> None:
    """Run the extraction pipeline over a few articles and print what it found."""
    from collections import Counter

    from kg.errors import StageError
    from kg.ingest.pipeline import Pipeline
    from kg.ingest.reader import parse_text

    pipe = Pipeline.default()
    facts: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    words = 0
    failed: list[str] = []
    for name, text in iter_articles(count, seed):
        try:
            doc = pipe.process(parse_text(text, name))
        except StageError as e:
            failed.append(f"{name}: {e}")
            continue
        words += len(doc.article.text.split())
        facts.update(f.kind for f in doc.facts)
        rules.update(f.rule for f in doc.facts)
    print(f"{count} articles, {words / count:.0f} words each on average")
    for k, v in facts.most_common():
        print(f"  {k:18s} {v / count:6.2f} per article")
    print("rules:", ", ".join(f"{k} {v}" for k, v in rules.most_common()))
    print(f"{len(failed)} article(s) failed extraction", *failed[:5], sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``articles``, ``graph`` or ``check``."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("articles", help="write a corpus of .txt articles")
    a.add_argument("--count", type=int, required=True)
    a.add_argument("--out", type=Path, required=True)
    a.add_argument("--seed", type=int, default=7)
    g = sub.add_parser("graph", help="write an N-Quads file shaped like ingested articles")
    g.add_argument("--triples", type=int, required=True)
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--seed", type=int, default=7)
    c = sub.add_parser("check", help="print the extraction yield of a few articles")
    c.add_argument("--count", type=int, default=50)
    c.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.cmd == "articles":
        write_corpus(args.out, args.count, args.seed)
        print(f"wrote {args.count} articles to {args.out}")
    elif args.cmd == "graph":
        sys.path.insert(0, str(HERE))
        from graphgen import write_nquads

        stats = write_nquads(args.out, args.triples, seed=args.seed)
        print(f"wrote {stats.triples} quads ({stats.articles} article graphs) to {args.out}")
    else:
        _check(args.count, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
