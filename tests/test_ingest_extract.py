"""Extraction behaviour, one phrasing per case: exact facts, exact evidence, and traps that must stay silent."""

from __future__ import annotations

from typing import Any

import pytest

from kg.ingest.document import ArticleDoc, Fact
from kg.ingest.pipeline import Pipeline

# (case id, text, fact kind, expected links/values — or None when the text must give no fact of that kind)
CASES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    # supplier switches
    (
        "switch-move-away",
        "Tencent is moving away from Nvidia's accelerators to Huawei's Ascend processors.",
        "SupplierSwitch",
        {"switcher": "firm/tencent", "fromSupplier": "firm/nvidia", "toSupplier": "firm/huawei"},
    ),
    (
        "switch-replaced-with",
        "Kuaishou replaced Nvidia GPUs with Cambricon accelerators in its new cluster.",
        "SupplierSwitch",
        {"switcher": "firm/kuaishou", "fromSupplier": "firm/nvidia", "toSupplier": "firm/cambricon"},
    ),
    (
        "switch-chip-as-supplier",
        "Baidu dropped the H20 in favour of its own Kunlun chips.",
        "SupplierSwitch",
        {"switcher": "firm/baidu", "fromSupplier": "firm/nvidia"},
    ),
    (
        "switch-shifted-orders",
        "ByteDance shifted orders from AMD to Hygon this quarter.",
        "SupplierSwitch",
        {"switcher": "firm/bytedance", "fromSupplier": "firm/amd", "toSupplier": "firm/hygon"},
    ),
    (
        "switch-back-is-away-from-other",
        "After months of crashes on Huawei hardware, Xiaomi returned to Nvidia for model training.",
        "SupplierSwitch",
        {"switcher": "firm/xiaomi", "fromSupplier": "firm/huawei", "toSupplier": "firm/nvidia"},
    ),
    ("switch-urged-only", "Regulators urged Alibaba to stop buying Nvidia chips.", "SupplierSwitch", None),
    ("switch-considering", "Alibaba is considering a move away from Nvidia chips.", "SupplierSwitch", None),
    ("switch-no-plans", "Tencent has no plans to replace Nvidia in its data centres.", "SupplierSwitch", None),
    ("switch-negated", "ByteDance did not switch from Nvidia to Huawei this year.", "SupplierSwitch", None),
    ("switch-question", "Will Baidu ditch Nvidia for its own chips?", "SupplierSwitch", None),
    # procurement
    (
        "procure-quantity-value",
        "China Mobile ordered 5,000 Ascend 910C chips from Huawei for $400 million.",
        "Procurement",
        {
            "buyer": "firm/china-mobile",
            "item": "chip/ascend-910c",
            "seller": "firm/huawei",
            "quantity": 5000,
            "value": 400000000,
            "currency": "USD",
        },
    ),
    (
        "procure-yuan-seller-from-chip",
        "Tencent bought H20 chips worth 3 billion yuan last year.",
        "Procurement",
        {"buyer": "firm/tencent", "item": "chip/h20", "seller": "firm/nvidia", "value": 3000000000, "currency": "CNY"},
    ),
    ("procure-noun-order", "Cambricon shares jumped on news of the order.", "Procurement", None),
    ("procure-not-cancelled", "Alibaba has not placed orders for the H20 since April.", "Procurement", None),
    # chip development
    (
        "develop-unveiled",
        "Moore Threads unveiled the MTT S4000 accelerator on Monday.",
        "ChipDevelopment",
        {"designer": "firm/moore-threads", "product": "chip/mtt-s4000"},
    ),
    (
        "develop-possessive",
        "Analysts expect Cambricon's Siyuan 590 to sell well.",
        "ChipDevelopment",
        {"designer": "firm/cambricon", "product": "chip/mlu590"},
    ),
    (
        "develop-unknown-startup",
        "Shanghai startup Lumora Compute launched its LX-900 chip.",
        "ChipDevelopment",
        {"designer": "firm/lumora-compute", "product": "chip/lx-900"},
    ),
    (
        "develop-gazetteer-disagrees",
        "Nvidia unveiled its answer to the Ascend 910C last week.",
        "ChipDevelopment",
        None,
    ),
    # manufacturing
    (
        "manufacture-made-by",
        "The Ascend 910B is made by SMIC on its 7nm process.",
        "Manufacturing",
        {"manufacturer": "firm/smic", "product": "chip/ascend-910b"},
    ),
    # investments
    (
        "invest-raised-from",
        "Qianxing Micro raised 1.5 billion yuan from Pujiang Capital to expand production.",
        "Investment",
        {
            "investor": "firm/pujiang-capital",
            "investee": "firm/qianxing-micro",
            "amount": 1500000000,
            "currency": "CNY",
        },
    ),
    (
        "invest-backed-by",
        "SiCarrier, a toolmaker financially backed by the Shenzhen government, is growing fast.",
        "Investment",
        {"investor": "body/shenzhen-government", "investee": "firm/sicarrier"},
    ),
    # statements
    (
        "statement-appositive",
        '"Supply is the only thing that matters," said Lin Haoran, an economist at Yuanhe Securities.',
        "Statement",
        {"speaker": "person/lin-haoran", "role": "economist", "affiliation": "firm/yuanhe-securities"},
    ),
    # market moves
    (
        "market-fell-after",
        "Nvidia shares fell 3% after reports of new Chinese guidance.",
        "MarketMove",
        {"subject": "firm/nvidia", "direction": "down"},
    ),
    (
        "market-rose",
        "Cambricon stock surged 10% on Tuesday.",
        "MarketMove",
        {"subject": "firm/cambricon", "direction": "up"},
    ),
    # policies
    (
        "policy-entity-list",
        "The Commerce Department added Biren Technology to the Entity List in October 2023.",
        "PolicyAction",
        {"target": "firm/biren", "issuer": "body/us-department-of-commerce", "date": "2023-10"},
    ),
    (
        "policy-export-controls-on-country",
        "Washington tightened export controls on China in December 2024.",
        "PolicyAction",
        {"target": "country/cn", "issuer": "body/us-government", "date": "2024-12"},
    ),
    (
        "policy-chip-ban-modifier",
        "The H20 chip ban hit Nvidia's China sales.",
        "PolicyAction",
        {"target": "chip/h20"},
    ),
    # causal claims
    (
        "causal-forward-asserted",
        "The export controls accelerated China's chip development.",
        "CausalClaim",
        {"causeText": "The export controls", "polarity": "increases", "hedged": False, "negated": False},
    ),
    (
        "causal-hedged",
        "The new rules could weaken Nvidia's position in China.",
        "CausalClaim",
        {"polarity": "decreases", "hedged": True, "negated": False},
    ),
    (
        "causal-negated",
        "The licence requirement did not slow Huawei's chip programme.",
        "CausalClaim",
        {"polarity": "decreases", "negated": True},
    ),
    (
        "causal-backward",
        "Chinese buyers turned to Huawei because of the US restrictions.",
        "CausalClaim",
        {"causeText": "US restrictions", "effectText": "Chinese buyers turned to Huawei", "polarity": "increases"},
    ),
    (
        "causal-purpose-hedged",
        "The rules, intended to curb China's AI progress, have instead spurred domestic investment.",
        "CausalClaim",
        {"polarity": "decreases", "hedged": True, "effectText": "China's AI progress"},
    ),
    (
        "causal-attributed",
        "Some analysts argue that the sanctions may boost Huawei's market share.",
        "CausalClaim",
        {"attributionText": "Some analysts", "hedged": True},
    ),
]


def _facts(doc: ArticleDoc, kind: str) -> list[Fact]:
    return [f for f in doc.facts if f.kind == kind]


def _matches(fact: Fact, expected: dict[str, Any]) -> bool:
    for key, value in expected.items():
        got = fact.links.get(key, fact.values.get(key))
        if isinstance(value, int | float) and not isinstance(value, bool):
            got = float(got) if got is not None else None
            value = float(value)
        if got != value:
            return False
    return True


@pytest.mark.parametrize(("case", "text", "kind", "expected"), CASES, ids=[c[0] for c in CASES])
def test_ingest_extract_case(case: str, text: str, kind: str, expected: dict[str, Any] | None) -> None:
    doc = Pipeline.default().extract_text(text)
    facts = _facts(doc, kind)
    if expected is None:
        assert facts == [], f"{case}: expected no {kind}, got {[(f.rule, f.links, f.values) for f in facts]}"
        return
    assert any(_matches(f, expected) for f in facts), f"{case}: {[(f.rule, f.links, f.values) for f in facts]}"


@pytest.mark.parametrize(
    ("case", "text", "kind", "expected"), [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]]
)
def test_ingest_extract_evidence_is_exact_sentence(case: str, text: str, kind: str, expected: dict[str, Any]) -> None:
    doc = Pipeline.default().extract_text(text)
    for fact in _facts(doc, kind):
        s = fact.sentence
        assert doc.text[s.start : s.end] == s.text
        assert fact.rule and fact.rule_version and 0 < fact.confidence <= 1


def test_ingest_extract_two_sentences_offsets() -> None:
    text = "Markets were calm.\nLater, Tencent replaced Nvidia GPUs with Huawei chips."
    doc = Pipeline.default().extract_text(text)
    (fact,) = _facts(doc, "SupplierSwitch")
    assert (fact.sentence.start, fact.sentence.end) == (19, len(text))
    assert fact.sentence.text == "Later, Tencent replaced Nvidia GPUs with Huawei chips."


def test_ingest_extract_coreference_resolves_the_company() -> None:
    text = "Zhipu AI trains large models. The company replaced Nvidia GPUs with Huawei accelerators."
    doc = Pipeline.default().extract_text(text)
    (fact,) = _facts(doc, "SupplierSwitch")
    assert fact.links["switcher"] == "firm/zhipu-ai"


def test_ingest_extract_unknown_firm_is_unlinked() -> None:
    doc = Pipeline.default().extract_text("Chengdu-based startup Hexin Compute bought Huawei's Ascend 910B chips.")
    ent = doc.entities["firm/hexin-compute"]
    assert (ent.label, ent.type, ent.linked) == ("Hexin Compute", "Firm", False)


def test_ingest_extract_person_surname_refers_back() -> None:
    text = "Gao Ming, head of procurement at Jiuzhou Compute, spoke on Monday. Gao said supply was tight."
    doc = Pipeline.default().extract_text(text)
    speakers = [(f.links["speaker"], f.sentence.index) for f in _facts(doc, "Statement")]
    assert ("person/gao-ming", 1) in speakers
