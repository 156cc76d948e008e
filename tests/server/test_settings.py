"""Settings: the secret key, placeholders refused, limits validated."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from server.settings import Settings


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path)
    second = Settings(data_dir=tmp_path)
    key = first.secret_key.get_secret_value()
    assert len(key) >= 32
    assert second.secret_key.get_secret_value() == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert key not in repr(first)


@pytest.mark.parametrize("value", ["changeme", "secret", "short-key"])
def test_placeholder_secret_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(data_dir=tmp_path, secret_key=SecretStr(value))


def test_environment_configures_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETNOI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETNOI_TRUSTED_HOSTS", "hoinghi.example.vn, 127.0.0.1")
    monkeypatch.setenv("KETNOI_PUBLIC_BASE_URL", "https://hoinghi.example.vn/")
    monkeypatch.setenv("KETNOI_LOGIN_FAILURES_PER_WINDOW", "3")
    settings = Settings()
    assert settings.trusted_hosts == ["hoinghi.example.vn", "127.0.0.1"]
    assert settings.public_base_url == "https://hoinghi.example.vn"
    assert settings.login_failures_per_window == 3
    assert settings.database_url == f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}"


def test_bad_limits_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, max_body_bytes=10)
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, default_locale="fr")
