"""The label taxonomy: which targets a document is classified on, and their labels.

It lives in a TOML file the organisation edits (``classifier/taxonomy.toml`` by default,
``DOCPIPE_CLASSIFIER_TAXONOMY`` to use another); a trained model keeps a copy of the
taxonomy it was trained with, so changing the file affects only models trained after.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from docpipe.errors import ConfigurationError
from docpipe.stages import TARGETS

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent / "taxonomy.toml"



@dataclass(frozen=True)
class Target:
    name: str
    labels: tuple[str, ...]
    description: str = ""
    fallback: str | None = None
    """Label for training examples whose label is not in ``labels`` (None: ignore those)."""

    def index(self, label: str) -> int:
        return self.labels.index(label)

    def normalise(self, label: str | None) -> str | None:
        """``label`` as a label of this target (matched case-insensitively), else the fallback.

        None when there is no label, or it is unknown and there is no fallback.
        """
        if label is None or not label.strip():
            return None
        wanted = label.strip().casefold()
        for known in self.labels:
            if known.casefold() == wanted:
                return known
        return self.fallback


@dataclass(frozen=True)
class Taxonomy:
    targets: tuple[Target, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(target.name for target in self.targets)

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)

    def to_dict(self) -> dict[str, dict]:
        return {
            target.name: {
                "description": target.description,
                "labels": list(target.labels),
                **({"fallback": target.fallback} if target.fallback else {}),
            }
            for target in self.targets
        }

    def fingerprint(self) -> str:
        """Short hash of the labels: two models with the same fingerprint predict the same label sets."""
        payload = json.dumps({t.name: list(t.labels) for t in self.targets}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @classmethod
    def from_dict(cls, data: dict, source: str = "taxonomy") -> Taxonomy:
        missing = [name for name in TARGETS if name not in data]
        extra = [name for name in data if name not in TARGETS]
        if missing or extra:
            raise ConfigurationError(
                f"{source}: the taxonomy must have exactly the targets {list(TARGETS)} "
                f"(missing {missing}, unknown {extra})"
            )
        targets = []
        for name in TARGETS:
            table = data[name]
            labels = table.get("labels")
            if (
                not isinstance(labels, list)
                or len(labels) < 2
                or not all(isinstance(label, str) and label.strip() for label in labels)
            ):
                raise ConfigurationError(f"{source}: [{name}] labels must be a list of at least 2 non-empty strings")
            if len({label.casefold() for label in labels}) != len(labels):
                raise ConfigurationError(f"{source}: [{name}] has duplicate labels")
            fallback = table.get("fallback")
            if fallback is not None and fallback not in labels:
                raise ConfigurationError(f"{source}: [{name}] fallback {fallback!r} is not one of its labels")
            targets.append(
                Target(
                    name=name,
                    labels=tuple(labels),
                    description=str(table.get("description", "")),
                    fallback=fallback,
                )
            )
        return cls(tuple(targets))

    @classmethod
    def load(cls, path: Path | None = None) -> Taxonomy:
        """Read a taxonomy file (the packaged default when ``path`` is None)."""
        path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigurationError(f"taxonomy file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"taxonomy file {path} is not valid TOML: {exc}") from exc
        return cls.from_dict(data, str(path))

    def to_toml(self) -> str:
        """The taxonomy as TOML (written next to a trained model)."""
        lines: list[str] = []
        for target in self.targets:
            lines.append(f"[{target.name}]")
            lines.append(f"description = {json.dumps(target.description)}")
            lines.append("labels = [" + ", ".join(json.dumps(label) for label in target.labels) + "]")
            if target.fallback:
                lines.append(f"fallback = {json.dumps(target.fallback)}")
            lines.append("")
        return "\n".join(lines)
