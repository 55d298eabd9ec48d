"""Where each public labelled dataset lives upstream, what it is, and how to check a copy.

Every file is pinned to a commit and a SHA-256, so a download, a local copy in
``../shared/datasets`` and a rebuilt default model can all be checked against the same record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
    language: str = "en"  # ISO 639-1; other languages live in ../shared/datasets-ml

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
_TOXIGEN = "microsoft/TOXIGEN", "01517e814639e0334c920a3c502036c8158aac87"
_HATEMOJI = "HannahKirk/Hatemoji", "a626f63216158748d072e581efc00267031f4404"
_FOX = "sjtuprog/fox-news-comments", "914b6bcdff380b16b6a11818e4760529fe23f2f3"
_TOXIC_SPANS = "ipavlopoulos/toxic_spans", "beaf170538df8275c3447b2e26070f2f82e55272"
# a plain-text export of PAN 2024's official English training file (its licence file:
# dkorenci/pan-clef-2024-oppositional @ 90b4f2caee8de6d4ed36227300ce5b08cb16240e, LICENSE-DATA)
_PAN2024 = "Boffl/pan-clef-2024", "691490a06279846c45ce31d175324c8fc7918a59"
_TOXIGEN_PROMPTS = (  # (file, sha256, bytes) of prompts/*.txt
    (
        "hate_asian_1k.txt",
        "0504967034122b691c16dbef10db3acb16492808ecc66d8cd2b2ae87454fd655",
        499093,
    ),
    (
        "hate_bisexual_1k.txt",
        "09a5b6995d0cd0ba940ae9f9d67e8db1451352dcf99ee273315efc34915fc1e3",
        443794,
    ),
    (
        "hate_black_1k.txt",
        "29ef85c5610d77a3a4bb050826ffb6e124ee48e11f5b63d34b29d616ef2ee1c3",
        741295,
    ),
    (
        "hate_chinese_1k.txt",
        "7f99029bad4f71caff707787d6799d1d654fee140f22418691d1244e81ed2b21",
        380934,
    ),
    (
        "hate_immigrant_1k.txt",
        "bebb38d8786f498ca2153f965cdfba14e0490d5216781091106e5ac8ebbe0574",
        281309,
    ),
    (
        "hate_jewish_1k.txt",
        "f5bdf83ef8fd32435241cc5fcfc337c0a57bcf64eb7fb4aa3c8fe15eb86f1fd2",
        569538,
    ),
    (
        "hate_latino_1k.txt",
        "60988864d728cc7b1644a72419181efc1d82b2342f636a5e76f34805e4a88537",
        704000,
    ),
    (
        "hate_lgbtq_1k.txt",
        "7fb7da0d4ad1a485824111ab60f6030f01dd92dbc9342c76534c78faec061a16",
        573075,
    ),
    (
        "hate_mental_disability_1k.txt",
        "5a71f51bf998c5111b5dd6d0b7d7edbaa445f27defbc1fdb798dd920974ad3e2",
        476620,
    ),
    (
        "hate_mexican_1k.txt",
        "2fad743ced369e4a280165b7ea909f8cb30921840cbe5f9f454243cf9e4dcfd5",
        671444,
    ),
    (
        "hate_middle_east_1k.txt",
        "29ffcca6defd3e4f2edd2237417c7617a3c7380de8f9c6cf13d8c087fa595223",
        422551,
    ),
    (
        "hate_muslim_1k.txt",
        "aaa18a9bf72928f71cf3d0d8d4dfa298faeb015a8580f5c7e21ef7afaae3241a",
        421760,
    ),
    (
        "hate_native_american_1k.txt",
        "01c2077f1007268ca11588d08f909ed9c01178148205ae417618d276227b9bbc",
        476000,
    ),
    (
        "hate_physical_disability_1k.txt",
        "8cada46239a52a741faf47677d1ffbfa06dc31d3e480a03935a5aec89ea02dee",
        409643,
    ),
    (
        "hate_trans_1k.txt",
        "6188dfd52082e552230a1332e2bf83a23e8410c5f353d32dca79f259c8daf8b8",
        581554,
    ),
    (
        "hate_women_1k.txt",
        "eecdf3006847c267b9399045ce2fe002f884fe5b682dbef450f3477d7bb24497",
        385583,
    ),
    (
        "neutral_asian_1k.txt",
        "a5f0c58ae51dc8771d1779009ffc3017c5071c529b01f260600fa96c164ceb44",
        611895,
    ),
    (
        "neutral_bisexual_1k.txt",
        "8a3391bb9a178295f619c3e92ba9bc177225c392d90ac9f4ab5702c4140d6e51",
        911612,
    ),
    (
        "neutral_black_1k.txt",
        "8e1da39bf32818c14156f4de32ef6a35f701e1737540dafb02bdf8eb03206a6b",
        853769,
    ),
    (
        "neutral_chinese_1k.txt",
        "aad50dde2f68d75804e44b939a700b8e37ef93a152cae1a045f8881f89c7e982",
        408062,
    ),
    (
        "neutral_immigrant_1k.txt",
        "1807799ed9e45c428792da879f83d874e3f589c63b6fd746716fafe2b117c3d4",
        338243,
    ),
    (
        "neutral_jewish_1k.txt",
        "c804dc98c4a7d90105a9848a66cde4eb05db9a63a8d2668387e46bba90c28380",
        645674,
    ),
    (
        "neutral_latino_1k.txt",
        "7fad9d0003e54e5f18c1dafb7e21b2295dae5bb7290e9c649eadb7a450b80957",
        466000,
    ),
    (
        "neutral_lgbtq_1k.txt",
        "7cefb606353cfff8c9ee4af9b2044f039e698dc8117b7c9414dd02dedca51ba9",
        910319,
    ),
    (
        "neutral_mental_disability_1k.txt",
        "8f513551d7c86c3fd6df5d0a4bb8fd831c45c24d917d69ab3a61f1a984edf3d0",
        552905,
    ),
    (
        "neutral_mexican_1k.txt",
        "e16aaa8a4606b3bf08139b9c91067cb63d620dd5a3a94e63b8ebc3f4198b1597",
        479603,
    ),
    (
        "neutral_middle_east_1k.txt",
        "a4f23dfbe5bd0dec6a2018b2fe1ca9805d2a7ca76791da5300c72e6bcdabcdf9",
        411319,
    ),
    (
        "neutral_muslim_1k.txt",
        "d378bc96f388cef1be42954246b67955dfe3d42cfcbf2ffc2924856c2fb933cd",
        487659,
    ),
    (
        "neutral_native_american_1k.txt",
        "8affc8490fb2fac8ad72041cce775fc9442ebea95a64a7a2274825e1231ef265",
        582993,
    ),
    (
        "neutral_physical_disability_1k.txt",
        "30ae4d6774054136a635cd9097dd4fe530ec2f407932f775e8093afa795cff8e",
        454497,
    ),
    (
        "neutral_women_1k.txt",
        "dfad74fee637cd35415fc9b3a0b8d27d799e5613da5d9be0fdf93774fe813208",
        390963,
    ),
)


def _file(
    name: str,
    upstream: tuple[str, str],
    path: str,
    sha256: str,
    size: int,
    derived: bool = False,
) -> DatasetFile:
    return DatasetFile(name, upstream[0], upstream[1], path, sha256, size, derived)


_OLID_FILES = (
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
)

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
            _OLID_FILES,
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
            "toxigen_prompts",
            "training",
            "ToxiGen's human-written prompts: hateful and neutral statements about 13 groups",
            "MIT (code), CDLA-Permissive-2.0 (data)",
            "Hartvigsen, Gabriel, Palangi, Sap, Ray and Kamar, ACL 2022 (ToxiGen).",
            tuple(
                _file(f"toxigen_prompts/prompts/{name}", _TOXIGEN, f"prompts/{name}", sha, size)
                for name, sha, size in _TOXIGEN_PROMPTS
            ),
        ),
        Dataset(
            "hatemoji_build",
            "training",
            "HatemojiBuild: adversarial hateful / not sentences, many with emoji, in matched pairs",
            "CC BY 4.0",
            "Kirk, Vidgen, Röttger, Thrush and Hale, NAACL 2022 (Hatemoji).",
            tuple(
                _file(
                    f"hatemoji_build/{split}.csv",
                    _HATEMOJI,
                    f"HatemojiBuild/{split}.csv",
                    sha,
                    size,
                )
                for split, sha, size in (
                    (
                        "train",
                        "2255818a5b10153876320068451be582ed876a2eefb22a250bd2f6478d1815e5",
                        692090,
                    ),
                    (
                        "validation",
                        "721094d44fceb923a0b3897935126a654bbb1f092b1fed6a74d80e4a845c6f43",
                        83297,
                    ),
                    (
                        "test",
                        "4b067b445c6445dbd4036d7c75dde21f72928bfd31db63d1c53d66226c53be99",
                        86451,
                    ),
                )
            ),
        ),
        Dataset(
            "fox_news",
            "training",
            "1,528 comments under Fox News articles, hateful / not, with their thread",
            "MIT",
            "Gao and Huang, RANLP 2017 (context-aware hate speech detection, Fox News comments).",
            (
                _file(
                    "fox_news/fox-news-comments.json",
                    _FOX,
                    "fox-news-comments.json",
                    "059152e61f632f1e6671a68214d5618a21e6cf78f2512773e0421b9568aab8cf",
                    1097571,
                ),
            ),
        ),
        Dataset(
            "toxic_spans",
            "training",
            "SemEval-2021 toxic spans: toxic news-site comments (Civil Comments) with the "
            "offsets of their toxic words; toxic only",
            "CC0 1.0",
            "Pavlopoulos, Sorensen, Laugier and Androutsopoulos, SemEval 2021 (toxic spans).",
            tuple(
                _file(
                    f"toxic_spans/tsd_{split}.csv",
                    _TOXIC_SPANS,
                    f"SemEval2021/data/tsd_{split}.csv",
                    sha,
                    size,
                )
                for split, sha, size in (
                    (
                        "train",
                        "b538ea2d64ed7c306ff8f010a25a5286bef6ce61d469042482ba64efc1ddd6cd",
                        2281497,
                    ),
                    (
                        "trial",
                        "6bb8e9a16470c0269ac8727fd8bb77df68d8fb27955d9f5ff29ad724505622e8",
                        185506,
                    ),
                    (
                        "test",
                        "74f4dd086667fdad6198539ff9201d1f25f3a94c5169da1e7643a949974bf6b8",
                        445951,
                    ),
                )
            ),
        ),
        Dataset(
            "pan2024_oppositional_en",
            "training",
            "PAN 2024 oppositional thinking, English: 4,000 COVID-era Telegram messages, "
            "conspiracy (1,379) / critical (2,621: anti-mainstream criticism, no hidden plot)",
            "CC BY-SA 4.0",
            "Korenčić, Chulvi, Bonet Bonet, Toloşi, Rosso and Ribeiro, PAN at CLEF 2024 "
            "(oppositional thinking analysis: conspiracy theories vs critical thinking).",
            (
                _file(
                    "pan2024_oppositional_en/en_all_text.txt",
                    _PAN2024,
                    "OpenAI/raw_data/en/all_text.txt",
                    "f7bfa9e32a4e85da34ff1aa4c36a571b6a9efd8c6efdeb3287f941f09cf71ae8",
                    2290670,
                ),
                _file(
                    "pan2024_oppositional_en/en_all_labels.txt",
                    _PAN2024,
                    "OpenAI/raw_data/en/all_labels.txt",
                    "ae79b1da64022451c6883af0c6c809c50b15ceb9166c94e1115a9fc364edcd1c",
                    8000,
                ),
            ),
        ),
        Dataset(
            "olid_test",
            "probe",
            "OLID's official test split, 860 tweets: OFF -> abusive, NOT -> civil (the "
            "in-domain test of issue 12; untargeted offence counts as abusive here)",
            "research data, no licence stated",
            "Zampieri et al., NAACL 2019 (OLID, the OffensEval 2019 data).",
            tuple(f for f in _OLID_FILES if "test" in f.name or "labels" in f.name),
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

# Other languages (local copies in ../shared/datasets-ml). Their official test splits are not
# freely available here and are not registered: each model is measured on a fifth of its
# training file held out by a hash of the text before any model was built
# (``moderation.datasets.other_languages``).
_GERMEVAL = "uds-lsv/GermEval-2018-Data", "9877472d39523effd54cd079b4c61157ed141508"
_TOLDBR = "JAugusto97/ToLD-Br", "7804082d06a42b791c456b37a8a80ed9b731198c"
_MLMA = "HKUST-KnowComp/MLMA_hate_speech", "479836984aebfbd8a0270ca92018980f745e4c44"
_PAN_ES = "Boffl/pan-clef-2024", "691490a06279846c45ce31d175324c8fc7918a59"
_GERMEVAL_CITATION = (
    "Wiegand, Siegel and Ruppenhofer, GermEval 2018 (identification of offensive language)."
)
_TOLDBR_CITATION = "Leite, Silva, Bontcheva and Scarton, AACL-IJCNLP 2020 (ToLD-Br)."
_MLMA_CITATION = "Ousidhoum, Lin, Zhang, Song and Yeung, EMNLP 2019 (MLMA hate speech)."
_PAN_CITATION = (
    "Korenčić et al., PAN at CLEF 2024 (oppositional thinking: conspiracy vs critical), "
    "XAI-DisInfodemics corpus."
)

DATASETS.update(
    (d.name, d)
    for d in (
        Dataset(
            "germeval2018",
            "training",
            "GermEval 2018 training split: 5,009 German tweets, offence (abuse, insult, "
            "profanity) / other",
            "CC BY 4.0",
            _GERMEVAL_CITATION,
            (
                _file(
                    "de_germeval2018/germeval2018.training.txt",
                    _GERMEVAL,
                    "germeval2018.training.txt",
                    "0f88c63a344e1ab69c5407aa539d1612cd82a96b51ebd6bd613dc70ff9fef03e",
                    795512,
                ),
            ),
            language="de",
        ),
        Dataset(
            "toldbr",
            "training",
            "ToLD-Br without its official test texts: 18,865 Brazilian Portuguese tweets with "
            "three annotators' votes per kind of toxicity",
            "CC BY-SA 4.0",
            _TOLDBR_CITATION,
            (
                _file(
                    "pt_toldbr/ToLD-BR_train.csv",
                    _TOLDBR,
                    "ToLD-BR.csv",
                    "6f9a595f140d1baa3e987cbc3e5a262233a55dd1c5d259c23f3edb9f20a35185",
                    2182789,
                    derived=True,
                ),
            ),
            language="pt",
        ),
        Dataset(
            "mlma_fr",
            "training",
            "MLMA French, training part: 3,210 tweets (lower-cased, accents stripped), hostile "
            "(offensive, abusive, hateful, ...) / normal",
            "MIT",
            _MLMA_CITATION,
            (
                _file(
                    "fr_mlma/fr_dataset_train.csv",
                    _MLMA,
                    "hate_speech_mlma.zip",
                    "3c196d32c7c6c7471e6115905b8ddad28855e36dcde9145fb14e14a2dd76757c",
                    456560,
                    derived=True,
                ),
            ),
            language="fr",
        ),
        Dataset(
            "pan2024_es",
            "training",
            "PAN 2024 Spanish training split: 4,000 Telegram messages, conspiracy / critical "
            "(critical is not civil: no abuse labels)",
            "CC BY-SA 4.0",
            _PAN_CITATION,
            tuple(
                _file(
                    f"es_pan2024_oppositional/{name}",
                    _PAN_ES,
                    f"OpenAI/raw_data/es/{name.removeprefix('es_')}",
                    sha,
                    size,
                )
                for name, sha, size in (
                    (
                        "es_all_text.txt",
                        "c09f18facda562de2ee3d6d89738677724a82a28efecff4994fd67c965affd94",
                        3312844,
                    ),
                    (
                        "es_all_labels.txt",
                        "2a34d54d37c9bd8d7f62ff4cc1acd7fa23891583c53109f3d81cc392f086cfeb",
                        8000,
                    ),
                )
            ),
            language="es",
        ),
    )
)

# the English default model's sources
TRAINING_SOURCES = tuple(
    name for name, d in DATASETS.items() if d.role == "training" and d.language == "en"
)


def dataset_table(root: Path | Callable[[str], Path]) -> list[dict[str, Any]]:
    """``moderation datasets list``: every dataset with its role, language, size, licence,
    files and whether a local copy is in ``root`` (a folder, or each dataset's folder by
    name)."""

    def folder(name: str) -> Path:
        return root(name) if callable(root) else root

    return [
        {
            "name": d.name,
            "role": d.role,
            "language": d.language,
            "bytes": d.size,
            "licence": d.licence,
            "downloadable": d.downloadable,
            "local": all((folder(d.name) / f.name).is_file() for f in d.files),
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
