"""`quaykit config docs [--readme README.md [--check]]`: the configuration reference from the schema."""
import sys
from pathlib import Path
from typing import Optional

from ..config_reference import reference, replace_section


def docs(*, readme: Optional[Path], check_only: bool) -> int:
    generated = reference()
    if readme is None:
        sys.stdout.write(generated)
        return 0
    current = readme.read_text(encoding="utf-8")
    wanted = replace_section(current, generated)
    if wanted == current:
        print(f"{readme}: configuration reference is current")
        return 0
    if check_only:
        print(f"{readme}: configuration reference is stale; run: quaykit config docs --readme {readme}",
              file=sys.stderr)
        return 1
    readme.write_text(wanted, encoding="utf-8")
    print(f"{readme}: configuration reference updated")
    return 0
