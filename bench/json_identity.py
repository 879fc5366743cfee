"""Byte-identity of `dynaguard code --format json` across a refactor of the static analyser.

    python bench/json_identity.py write DIR     # before: record the outputs
    python bench/json_identity.py compare DIR   # after: exit 1 on any difference

It runs the analyser (every persona, so pedantic and auditor findings count too) on every rule
fixture directory, the CLI snapshot app and both twins, from the repository root so that paths
in the reports are the same on both sides.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = [
    *sorted(p for p in (ROOT / "tests/fixtures/static").iterdir() if p.is_dir()),
    ROOT / "tests/fixtures/cli/snapshot_app",
    ROOT / "src/dynaguard/demo/vulnerable",
    ROOT / "src/dynaguard/demo/secure",
]
PERSONAS = ("regular", "pedantic", "auditor")


def _outputs() -> dict[str, str]:
    out: dict[str, str] = {}
    for target in TARGETS:
        rel = target.relative_to(ROOT).as_posix()
        for persona in PERSONAS:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dynaguard",
                    "code",
                    rel,
                    "--format",
                    "json",
                    "--persona",
                    persona,
                    "--fail-on",
                    "none",
                    "--no-cache",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.exit(f"{rel} ({persona}): exit {done.returncode}\n{done.stderr}")
            out[f"{rel.replace('/', '__')}.{persona}.json"] = done.stdout
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"write", "compare"}:
        sys.exit(__doc__)
    folder = Path(argv[1])
    outputs = _outputs()
    if argv[0] == "write":
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(outputs)} reports to {folder}")
        return 0
    differ = 0
    for name, text in outputs.items():
        before = (folder / name).read_text(encoding="utf-8")
        if before != text:
            differ += 1
            diff = difflib.unified_diff(
                before.splitlines(), text.splitlines(), name, name, lineterm=""
            )
            print("\n".join(list(diff)[:40]))
    print(f"{len(outputs) - differ} of {len(outputs)} reports byte-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
