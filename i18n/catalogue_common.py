"""Words shared by every surface: yes/no, units."""
WORDS: dict[str, tuple[str, str]] = {
    "common.yes": ("是", "yes"),
    "common.no": ("否", "no"),
    "common.yuan": ("元", "yuan"),
}
