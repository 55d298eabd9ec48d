"""One name, one role in a keys file (red team finding 8): ``K1 ana moderator`` beside ``K2
ana platform`` let the platform key's decisions supersede ana's labels (her label became a
weak one), so such a file is refused before the server listens."""

from __future__ import annotations

import pytest

from moderation.errors import InputError
from moderation.serving.keys import Key, Keys


def test_a_name_with_two_roles_is_refused_naming_file_and_line(tmp_path, runner):
    from moderation.cli import app

    path = tmp_path / "keys.txt"
    path.write_text(
        "# key name role\nana-key-7Qx2Lm9Tv4Rb8Nw1 ana\ncoral-key-3Hd8Kp1Zs6Wq0Yu coral platform\n"
        "ana-platform-key-5Gt2Jc9Fe4Xv ana platform\n"
    )
    with pytest.raises(InputError, match=r"keys.txt:4: 'ana' is a platform here and a moderator"):
        Keys(path)
    result = runner.invoke(app, ["serve", "--keys", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "keys.txt:4: 'ana' is a platform here and a moderator on line 2" in result.output


def test_one_name_may_have_several_keys_in_one_role(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("ana-laptop-key-8Pr3Mz6Bq1Ls ana\nana-phone-key-2Vw7Nk4Dy9Hf ana moderator\n")
    keys = Keys(path)
    assert keys.who("ana-laptop-key-8Pr3Mz6Bq1Ls") == keys.who("ana-phone-key-2Vw7Nk4Dy9Hf")
    assert keys.who("ana-phone-key-2Vw7Nk4Dy9Hf") == Key("ana", "moderator")
