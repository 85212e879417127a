"""Vietnamese text helpers: diacritic-free search keys and name parts."""

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, diacritics removed, spaces collapsed: "Nguyễn  Văn Ánh" -> "nguyen van anh"."""
    text = (text or "").translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese full name written family-first."""
    parts = " ".join((full_name or "").split()).split(" ")
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then tones (none, grave, hook, tilde, acute, dot below) as the last level.
_BASE_ORDER = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPES = {"\u0306": "ă", "\u0302": "^", "\u031b": "ơ"}


def _letter_key(ch: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base, tone = decomposed[0], 0
    for mark in decomposed[1:]:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark == "\u0306":
            base = "ă"
        elif mark == "\u0302":
            base = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
        elif mark == "\u031b":
            base = {"o": "ơ", "u": "ư"}.get(base, base)
    if ch.lower() == "đ":
        base = "đ"
    pos = _BASE_ORDER.find(base)
    return (chr(0x100 + pos) if pos >= 0 else base), tone


def sort_key(full_name: str) -> str:
    """A byte-comparable key: given name, then middle names, then family name, Vietnamese order."""
    family, middle, given = split_name(full_name)
    words = [given, middle, family]
    letters, tones = [], []
    for word in words:
        for ch in word:
            if ch == " ":
                letters.append("\u0020")
                continue
            letter, tone = _letter_key(ch)
            letters.append(letter)
            tones.append(str(tone))
        letters.append("\u0001")
    key = "".join(letters) + "\u0002" + "".join(tones)
    # Encode as hex of UTF-8 so every database compares it byte-wise (collation-independent).
    return key.encode("utf-8").hex()[:400]
