"""Catalogue rules: certification labels and OCOP stars."""

from __future__ import annotations

import pytest

from booths.catalogue.rules import check_ocop_stars, normalise_certifications


def test_certifications_are_spelled_one_way() -> None:
    assert normalise_certifications(" vietgap, GLOBALGAP ,ocop, VietGAP") == [
        "VietGAP",
        "GlobalGAP",
        "OCOP",
    ]
    assert normalise_certifications("iso 22000") == ["ISO 22000"]
    assert normalise_certifications("") == []


def test_unknown_certification_is_named() -> None:
    with pytest.raises(ValueError, match="Halal-ish"):
        normalise_certifications("VietGAP, Halal-ish")


@pytest.mark.parametrize("stars", [2, 6, 0])
def test_ocop_stars_out_of_range(stars: int) -> None:
    with pytest.raises(ValueError, match="OCOP"):
        check_ocop_stars(stars)


def test_ocop_stars_in_range() -> None:
    assert [check_ocop_stars(s) for s in (3, 4, 5, None)] == [3, 4, 5, None]
