"""Reading credential specs and the sample queue from disk.

The spec language itself is pure (mcreview.core.specs parses text); this module is
where files are opened, so the core stays free of I/O. The bundled specs and the
sample queue are package data, found through importlib.resources.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mcreview.core.specs import Problem, Spec, SpecError, parse_spec


def read_text_file(path: Path) -> str:
    """Read a UTF-8 file or raise ValueError with a reason fit for one error line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read: {error.strerror or error}") from None
    if not data.strip():
        raise ValueError("empty file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 (byte {error.start})") from None


def load_spec_dir(directory: Path) -> tuple[dict[str, Spec], list[Problem]]:
    """Load every `*.yaml` spec in a folder; problems are collected, never raised."""
    specs: dict[str, Spec] = {}
    problems: list[Problem] = []
    if not directory.is_dir():
        return specs, [Problem(str(directory), 0, "not a folder of specs")]
    files = sorted(list(directory.glob("*.yaml")) + list(directory.glob("*.yml")))
    if not files:
        problems.append(Problem(str(directory), 0, "no *.yaml specs in this folder"))
    first_file: dict[str, str] = {}
    for path in files:
        try:
            spec = parse_spec(read_text_file(path), str(path))
        except ValueError as error:
            problems.append(Problem(str(path), 0, str(error)))
            continue
        except SpecError as error:
            problems.extend(error.problems)
            continue
        if spec.id in specs:
            problems.append(
                Problem(str(path), 1, f"duplicate spec id '{spec.id}' (also in {first_file[spec.id]})")
            )
            continue
        specs[spec.id] = spec
        first_file[spec.id] = str(path)
    return specs, problems


def _data_dir(name: str) -> Path:
    """A folder of package data as a real path (mcreview is never installed zipped)."""
    return Path(str(resources.files("mcreview.data").joinpath(name)))


def default_specs_dir() -> Path:
    """The credential specs shipped inside the package."""
    return _data_dir("specs")


def sample_queue_dir() -> Path:
    """The realistic sample submissions `mcreview demo` loads."""
    return _data_dir("sample_queue")
