"""The converters of the datasets in other languages, on invented rows laid out like the real
files (only the columns each converter reads)."""

from __future__ import annotations

from moderation.datasets.convert import examples
from moderation.datasets.other_languages import training_split
from moderation.datasets.recipes import HELD_OUT_SPLITS, recipe


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_germeval_maps_offence_and_leaves_profanity_out(tmp_path):
    _write(
        tmp_path / "de_germeval2018/germeval2018.training.txt",
        "Schöner Tag heute am See\tOTHER\tOTHER\n"
        "Du bist ein Trottel|LBR|echt\tOFFENSE\tINSULT\n"
        "Verdammt, schon wieder Regen\tOFFENSE\tPROFANITY\n",
    )
    rows = list(examples("germeval2018", tmp_path, verify=False))
    assert [r["label"] for r in rows] == ["civil", "abusive", None]
    assert rows[1]["text"] == "Du bist ein Trottel\necht"
    assert [r["split"] for r in rows] == [training_split(r["text"]) for r in rows]


def test_toldbr_keeps_clear_cases_only(tmp_path):
    # the columns the converter reads, in an order of our own; votes as integers and decimals
    header = "insult,racism,text,obscene,misogyny,homophobia,xenophobia\n"
    rows = (
        "0,0,a tarde ficou bonita na praça,0,0.0,0,0\n"
        "2,0,você é um palhaço sem graça,0,0,0.0,0\n"
        "0,0.0,que droga de ônibus atrasado,3,0,0,0\n"
        "1,0,não concordo com o colunista,0,0,0,0.0\n"
    )
    _write(tmp_path / "pt_toldbr/ToLD-BR_train.csv", header + rows)
    found = list(examples("toldbr", tmp_path, verify=False))
    assert [r["label"] for r in found] == ["civil", "abusive", None, None]
    assert found[1]["source_label"] == "insult:2"


def test_mlma_and_pan_mappings(tmp_path):
    _write(
        tmp_path / "fr_mlma/fr_dataset_train.csv",
        "sentiment,tweet,HITId\nnormal,merci pour le partage,1\noffensive,quel abruti,2\n",
    )
    assert [r["label"] for r in examples("mlma_fr", tmp_path, verify=False)] == ["civil", "abusive"]
    folder = tmp_path / "es_pan2024_oppositional"
    _write(folder / "es_all_text.txt", "Nos ocultan el plan secreto\nEl gobierno miente mal\n")
    _write(folder / "es_all_labels.txt", "1\n0\n")
    found = list(examples("pan2024_es", tmp_path, verify=False))
    assert [(r["label"], r["source_label"]) for r in found] == [
        ("conspiracy", "conspiracy"),
        ("civil", "critical"),
    ]


def test_a_fifth_is_held_out_by_text_and_never_trained_on():
    texts = [f"Kommentar Nummer {n}" for n in range(2000)]
    held = [training_split(t) for t in texts]
    assert 0.15 < held.count("heldout") / len(held) < 0.25
    assert training_split("Ein Satz") == training_split("  ein   SATZ ")
    for name in ("default-de", "default-pt", "default-fr", "default-es"):
        chosen = recipe(name)
        assert chosen.settings["language"] == chosen.language
        assert all(HELD_OUT_SPLITS[source] == "heldout" for source in chosen.sources)
