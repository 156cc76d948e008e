"""Pure rules of the catalogue: certification labels and OCOP stars. No I/O."""

from __future__ import annotations

# The spellings buyers search for; input in any case maps onto these.
KNOWN_CERTIFICATIONS = ("VietGAP", "GlobalGAP", "OCOP", "Organic", "HACCP", "ISO 22000")
_CANONICAL = {label.casefold().replace(" ", ""): label for label in KNOWN_CERTIFICATIONS}


def normalise_certifications(raw: str) -> list[str]:
    """Known labels from comma-separated input, canonical spelling, each once, in input order."""
    labels: list[str] = []
    for part in raw.split(","):
        key = part.strip().casefold().replace(" ", "")
        if not key:
            continue
        label = _CANONICAL.get(key)
        if label is None:
            raise ValueError(f"unknown certification: {part.strip()}")
        if label not in labels:
            labels.append(label)
    return labels


def check_ocop_stars(stars: int | None) -> int | None:
    """OCOP ratings run from 3 to 5 stars; None when a product is not rated."""
    if stars is not None and not 3 <= stars <= 5:
        raise ValueError("OCOP stars must be 3, 4 or 5")
    return stars
