"""Money is an int number of fen. This is the one place it is shown as yuan."""
from __future__ import annotations


def yuan(fen: int) -> str:
    """``123456`` → ``"1,234.56"``, by integer arithmetic only."""
    if type(fen) is not int:
        raise TypeError(f"amount must be int fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def plain_yuan(fen: int, signed: bool = False) -> str:
    """``123456`` → ``"1234.56"`` (``"+1234.56"`` when ``signed``): yuan as a bank file writes
    them, without grouping, by integer arithmetic only."""
    if type(fen) is not int:
        raise TypeError(f"amount must be int fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ("+" if signed else "")
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
