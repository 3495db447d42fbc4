"""The Corridors page's role, filter control ids and the words of its controls."""

from __future__ import annotations

from dashboard import i18n, ids

#: The lowest role that may open this page.
ROLE = "analyst"
#: Filter control id per state attribute.
FILTER_IDS: dict[str, str] = {
    "exploitation": ids.CORRIDORS_EXPLOITATION,
    "sector": ids.CORRIDORS_SECTOR,
    "sex": ids.CORRIDORS_SEX,
    "age_group": ids.CORRIDORS_AGE,
    "mode": ids.CORRIDORS_MODE,
    "origin": ids.CORRIDORS_ORIGIN,
    "destination": ids.CORRIDORS_DESTINATION,
}


def filter_labels(t: i18n.Translator) -> dict[str, str]:
    """Return the label of each filter control, in the language of ``t``."""
    return {
        "exploitation": t("Form of exploitation"),
        "sector": t("Sector"),
        "sex": t("Sex"),
        "age_group": t("Age group"),
        "mode": t("Transport mode"),
        "origin": t("Origin country"),
        "destination": t("Destination country"),
    }


def method_labels(t: i18n.Translator) -> dict[str, str]:
    """Return the label of each route model, in the language of ``t``."""
    return {
        "shortest": t("Fastest route"),
        "k_shortest": t("Alternatives (k shortest)"),
        "logit": t("Logit split"),
    }


def reason_label(reason: object, t: i18n.Translator) -> str:
    """Return why flows went unrouted, in words (an unknown code is shown as it is)."""
    words = {
        "unknown_place": t("place not in the places layer"),
        "unattached_place": t("place too far from any road"),
        "no_path": t("no road connects the two ends"),
        "closed": t("every route uses a closed crossing or road"),
    }
    return words.get(str(reason), str(reason).replace("_", " "))
