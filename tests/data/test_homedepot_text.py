import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from simpipe.data.homedepot_text import augment, augment_all, clean, tag_value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Cellwood 14 in. x 14 in. White Square Gable Vent",
            "cellwood 14in. x 14in. white squar gabl vent brand_cellwood color_whit",
        ),
        ("18 x 14 gable vent", "18x 14gabl vent brand_18"),
        (
            "The Hillman Group 1/4 in. x 2-1/2 in. Toggle Straps with Screws (6-Pack)",
            "hillman group 14 in. x 212 in. toggl strap with screw 6pack brand_th",
        ),
        ("kohler highline touch biscuit", "kohler highlin touch biscuit brand_kohl"),
    ],
)
def test_issue_examples(raw, expected):
    assert augment(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24,000 BTU", "24000 btu"),
        ("6 Year", "6year"),
        ("2-Light", "2light"),
        ("208-230V", "208230v"),
        ("Zinc-Plated", "zinc-plat"),
        ("Mount -DISCONTINUED", "mount -discontinu"),
        ("3.4 in. x 9 in.", "3.4in. x 9in."),
        ("#14 x 3/4 in.", "14x 34 in."),
    ],
)
def test_cleaning_rules(raw, expected):
    assert augment(raw).rsplit(" brand_", 1)[0] == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("KOHLER", "kohl"), ("The", "th"), ("BLACK+DECKER", "black+deck"), ("Westinghouse", "westinghous"),
     ("GREE", "gre"), ("Singer", "sing"), ("white", "whit"), ("Cellwood", "cellwood"), ("18", "18")],
)  # fmt: skip
def test_brand_and_color_values(word, expected):
    assert tag_value(word) == expected


def test_nltk_porter_default_mode():
    # other Porter implementations give "bai" and "ag"
    assert augment("bay aged").split()[:2] == ["bay", "age"]


def test_colors_distinct_in_order_of_appearance_and_before_stemming():
    out = augment("Orange and White Blade with White Trim, Gray")
    assert out.endswith("brand_orang color_orang color_whit color_gray")


def test_brand_argument_overrides_first_word():
    assert augment("Highline Toilet", brand="KOHLER").endswith("brand_kohl")
    assert augment("Highline Toilet", brand="Simpson Strong-Tie").endswith("brand_simpson")
    assert augment("Highline Toilet", brand="  ").endswith("brand_highlin")


def test_edge_cases():
    assert augment("") == ""
    assert augment("   ") == ""
    assert augment("()#+,/") == "brand_()#+,/"  # nothing survives cleaning; the raw first token is the brand
    assert augment("Café Crème Brûlée") == "café crème brûlée brand_café"
    long = "White Gable Vent " * 5000
    out = augment(long)
    assert out.startswith("white gabl vent") and out.endswith("brand_whit color_whit")
    assert len(out.split()) == 3 * 5000 + 2


def test_clean_drops_only_the_and_only():
    assert clean("The only Thermostat other") == ["thermostat", "other"]


def seed_strings(card_file: Path) -> set[str]:
    card = card_file.read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n")[1])
    strings = {s for w in front["widget"] for s in (w["source_sentence"], *w["sentences"])}
    samples = card.split("* Samples:")[1].split("* Loss")[0]
    strings |= {s for s in re.findall(r"<code>([^<]*)</code>", samples) if not re.fullmatch(r"[\d.]+", s)}
    return strings


def test_every_processed_string_of_the_seed_card_comes_from_its_raw_row(shared):
    with zipfile.ZipFile(shared / "data" / "home-depot" / "train.csv.zip") as zf:
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("train.csv"), encoding="iso-8859-1")))
    produced = {augment(t) for r in rows for t in (r["search_term"], r["product_title"])}
    expected = seed_strings(shared / "seeds" / "003_45aad721b0a4e677.txt")
    assert len(expected) == 26
    assert sorted(expected - produced) == []


def test_augment_all_equals_augment_one_by_one(shared):
    with zipfile.ZipFile(shared / "data" / "home-depot" / "train.csv.zip") as zf:
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("train.csv"), encoding="iso-8859-1")))[:3000]
    odd = ["", "  ", "12 in.\n14 in. white", "line one\nThe 3 ft. Gray", "2-1/2 in.", "Σ ΑΣ ΒΣ", "()#+,/"]
    texts = [t for r in rows for t in (r["search_term"], r["product_title"])] + odd
    brands = [None, "KOHLER", "  ", None] * (len(texts) // 4) + [None] * (len(texts) % 4)
    assert augment_all(texts, brands) == [augment(t, b) for t, b in zip(texts, brands, strict=True)]
    assert augment_all(odd) == [augment(t) for t in odd]


def test_augment_all_needs_a_brand_per_text():
    with pytest.raises(ValueError, match="2 texts but 1 brands"):
        augment_all(["a", "b"], ["x"])
