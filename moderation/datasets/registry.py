"""Where each public labelled dataset lives upstream, what it is, and how to check a copy.

Every file is pinned to a commit and a SHA-256, so a download, a local copy in
``../shared/datasets`` and a rebuilt default model can all be checked against the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from moderation.errors import UsageError

RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass(frozen=True)
class DatasetFile:
    """One file of a dataset: its name in a local copy, where it comes from, and its checksum."""

    name: str  # path inside the dataset's folder, e.g. "olid/labels-levela.csv"
    repo: str
    commit: str
    path: str  # path inside the upstream repository
    sha256: str
    size: int
    derived: bool = False  # made from upstream files; only a local copy can be used

    @property
    def url(self) -> str:
        return RAW.format(repo=self.repo, commit=self.commit, path=quote(self.path))


@dataclass(frozen=True)
class Dataset:
    name: str
    role: str  # "training" (the default recipe) or "probe" (out-of-domain checks)
    description: str
    licence: str
    citation: str
    files: tuple[DatasetFile, ...] = field(default_factory=tuple)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def downloadable(self) -> bool:
        return not any(f.derived for f in self.files)


_DAVIDSON = (
    "t-davidson/hate-speech-and-offensive-language",
    "cb50f7e9eb855a99abc51423bf40df0e26d6fe30",
)
_OLID = "idontflow/OLID", "66fa62b22d57965986884d6b1491da2aed452f07"
_RUDDIT_TEXT = "RajkumarGalaxy/ruddit-comments", "a71b03a85b142ad56bdca91b116a5c87f9250d6b"
_RUDDIT = "hadarishav/Ruddit", "0188be3f861e0995d7c07a10877104c44c267445"
_PSYCOMARK = "Arenaa/PsyCoMark", "c65db82ee03932e87773cb0a7ea396bc05dc3075"
_STORMFRONT = "Vicomtech/hate-speech-dataset", "b802137e8314c38a8d4faa965f9908d6c8e7a84d"
_CONVABUSE = "amandacurry/convabuse", "c0a9469f48956e868276c605d499010ea3c7c0d0"
_MEDIAEVAL = "DataLab12/fakenews", "8673d56d707d4fe44c8fa4563fc360fbbd45edd3"
_COVID = "AminHasibul/ConspiracyAgaintstCovidVaccines", "6a4674d2af7cc61054b4e06b2faeb3ab41326d8f"


def _file(
    name: str, upstream: tuple[str, str], path: str, sha256: str, size: int, derived: bool = False
) -> DatasetFile:
    return DatasetFile(name, upstream[0], upstream[1], path, sha256, size, derived)


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "davidson",
            "training",
            "24,783 tweets sampled with a slur lexicon: hate / offensive / neither",
            "MIT",
            "Davidson, Warmsley, Macy and Weber, ICWSM 2017 (hate speech and offensive language "
            "tweets).",
            (
                _file(
                    "davidson/labeled_data.csv",
                    _DAVIDSON,
                    "data/labeled_data.csv",
                    "fcb8bc7c68120ae4af04a5b9acd58585513ede11e1548ebf36a5c2040b6f6281",
                    2546446,
                ),
            ),
        ),
        Dataset(
            "olid",
            "training",
            "OLID: 13,240 training and 860 test tweets, offensive (targeted or not) / not",
            "research data, no licence stated",
            "Zampieri et al., NAACL 2019 (OLID, the OffensEval 2019 data).",
            (
                _file(
                    "olid/olid-training-v1.0.tsv",
                    _OLID,
                    "olid-training-v1.0.tsv",
                    "907e186e75876f1a77aeff72c97c988bdcd533493926567f7206da6f82f45ae9",
                    1961915,
                ),
                _file(
                    "olid/testset-levela.tsv",
                    _OLID,
                    "testset-levela.tsv",
                    "6ba3269424e3373fc8bb9fc05c884a4545c7699c8a1386bbf5b282478af238a9",
                    133512,
                ),
                _file(
                    "olid/labels-levela.csv",
                    _OLID,
                    "labels-levela.csv",
                    "81e61a1d5eff67b048d8ae3fd8b5a6bcc7259c7e05a2ddfd1ca62d77f3e48626",
                    8600,
                ),
            ),
        ),
        Dataset(
            "ruddit",
            "training",
            "Ruddit: 5,838 Reddit comments with an offensiveness score in [-1, 1]",
            "MIT (ids and scores); comment text under Reddit's terms",
            "Hada, Sudhir, Mishra, Yannakoudakis, Mohammad and Shutova, ACL 2021 (Ruddit).",
            (
                _file(
                    "ruddit/ruddit_with_text.csv",
                    _RUDDIT_TEXT,
                    "Dataset/ruddit_with_text.csv",
                    "d8a45cf08ea8e5e49a6202af4f2697e27e817cd5e86d1fec7d5e276d2ed6fae5",
                    1835021,
                ),
                _file(
                    "ruddit/Ruddit.csv",
                    _RUDDIT,
                    "Dataset/Ruddit.csv",
                    "e3152f5c7d66f753ed48fcce39c9f4a60ba8721b68c7dccc344e4e828bf0246c",
                    128343,
                ),
            ),
        ),
        Dataset(
            "psycomark",
            "training",
            "PsyCoMark: Reddit posts describing linked articles and videos, conspiracy Yes / No / "
            "Can't tell",
            "CC-BY (labels); text under Reddit's terms",
            "PsyCoMark: psycholinguistic markers of conspiracy theories (Arenaa/PsyCoMark).",
            (
                _file(
                    "psycomark/train_rehydrated.jsonl",
                    _PSYCOMARK,
                    "data/train_rehydrated.jsonl",
                    "da00f2736cff608d13102fa78a67a480a94ad27428df19bd034bf1c36d2b6ecb",
                    4006642,
                ),
            ),
        ),
        Dataset(
            "stormfront",
            "probe",
            "Sentences from a white-supremacist forum, hate / noHate (pre-tokenised)",
            "CC BY-SA 3.0",
            "de Gibert, Perez, Garcia-Pablos and Cuadros, ALW2 2018 (Stormfront sentences).",
            (
                _file(
                    "probes/stormfront/stormfront_sentences.tsv",
                    _STORMFRONT,
                    "annotations_metadata.csv + all_files/*.txt",
                    "06bb21f4503ca335b0157cbb25b9ab55dfeda5d53b33f9679f2026b0b82cd609",
                    1351859,
                    derived=True,
                ),
            ),
        ),
        Dataset(
            "convabuse",
            "probe",
            "ConvAbuse: users' messages to chatbots with per-annotator abuse ratings",
            "CC BY 4.0",
            "Cercas Curry, Abercrombie and Rieser, EMNLP 2021 (ConvAbuse).",
            tuple(
                _file(
                    f"probes/convabuse/ConvAbuseEMNLP{split}.csv",
                    _CONVABUSE,
                    f"2_splits/ConvAbuseEMNLP{split}.csv",
                    sha,
                    size,
                )
                for split, sha, size in (
                    (
                        "train",
                        "23abab3eff791d0e8cac681cec15a5ef299ed052699e4fca762d1d4640c36936",
                        878309,
                    ),
                    (
                        "valid",
                        "a28bc3083fe3ea305b8c417539a20fda7e68057dc06365507b85c46b60e65443",
                        293536,
                    ),
                    (
                        "test",
                        "8387d70332cd2245a095240534629152dd5729e8e9556e91b6b20dabdc0bb9d0",
                        302095,
                    ),
                )
            ),
        ),
        Dataset(
            "mediaeval_conspiracy",
            "probe",
            "MediaEval 2020 5G/COVID conspiracy tweets (positives only)",
            "tweets under X's terms",
            "MediaEval 2020 FakeNews task data (DataLab12/fakenews).",
            (
                _file(
                    "probes/mediaeval_conspiracy/conspiracy_tweets_text_only.tsv",
                    _MEDIAEVAL,
                    "lexical/data/{5g_corona,other}_conspiracy.json",
                    "02d96dcb7dd3571c911f94b9153f256e68e5176c7045e1fa3b605e2fa45d3ce8",
                    478714,
                    derived=True,
                ),
            ),
        ),
        Dataset(
            "covid_vaccine_comments",
            "probe",
            "609 comments on COVID vaccines, conspiracy 1 / 0 (noisy, duplicated, cp1252)",
            "MIT",
            "AminHasibul/ConspiracyAgaintstCovidVaccines.",
            (
                _file(
                    "probes/covid_vaccine_comments/comments.csv",
                    _COVID,
                    "finaldataset y.csv",
                    "ebe4eaf152f9165b66378db9f22bdcfecfbdc29cb72c099a57fc10114d453039",
                    64534,
                ),
            ),
        ),
    )
}

TRAINING_SOURCES = tuple(name for name, d in DATASETS.items() if d.role == "training")
PROBES = tuple(name for name, d in DATASETS.items() if d.role == "probe")


def dataset_table(root: Path) -> list[dict[str, object]]:
    """``moderation datasets list``: every dataset with its role, size, licence, files and
    whether a local copy is in ``root``."""
    return [
        {
            "name": d.name,
            "role": d.role,
            "bytes": d.size,
            "licence": d.licence,
            "downloadable": d.downloadable,
            "local": all((root / f.name).is_file() for f in d.files),
            "description": d.description,
            "files": [
                {
                    "name": f.name,
                    "url": f.url,
                    "sha256": f.sha256,
                    "bytes": f.size,
                    "derived": f.derived,
                }
                for f in d.files
            ],
        }
        for d in DATASETS.values()
    ]


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
