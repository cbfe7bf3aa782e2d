"""The server's secret and the per-person tokens signed with it."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest

from backend.lib.signing import is_person_token, person_token, server_secret
from backend.settings import Settings


def test_the_secret_is_made_once_in_its_file_readable_by_the_server_only(tmp_path: Path) -> None:
    file = tmp_path / "affaires.secret"

    first = server_secret("", file)
    again = server_secret("", file)

    assert first == again
    assert len(first) >= 40
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_a_secret_given_in_the_settings_wins(tmp_path: Path) -> None:
    assert server_secret("given", tmp_path / "unused") == b"given"
    assert not (tmp_path / "unused").exists()


def test_a_token_is_for_one_person_one_purpose_one_secret() -> None:
    person, other = uuid.uuid4(), uuid.uuid4()
    token = person_token(b"one", "calendar-feed", person)

    assert is_person_token(b"one", "calendar-feed", person, token)
    assert not is_person_token(b"one", "calendar-feed", other, token)
    assert not is_person_token(b"one", "other-purpose", person, token)
    assert not is_person_token(b"two", "calendar-feed", person, token)
    assert not is_person_token(b"one", "calendar-feed", person, token[:-1] + "é")
    assert len(token) == 32


def test_the_secret_comes_from_the_environment_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AFFAIRES_SECRET_KEY", "from the environment")
    monkeypatch.setenv("AFFAIRES_SECRET_FILE", "/somewhere/affaires.secret")

    settings = Settings.from_env()

    assert settings.secret_key == "from the environment"
    assert settings.secret_file == Path("/somewhere/affaires.secret")
    assert "from the environment" not in repr(settings)
