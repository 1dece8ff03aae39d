"""The output side of the file gate: every file build, report, ci and export write goes to a path
checked here first, so nothing outside the output folder is ever written or deleted.

The input side, what may leave a run folder, is ``media.runfolder.RunReader.resolve`` and
``shipped_files`` (see docs/security.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from media import runfolder as rf


def inside_out(out: Path, rel: str) -> Path:
    """The destination ``out/rel`` of a file a command writes, checked before anything is created
    or removed: ``rel`` is a plain relative path and, with every symlink already on disk
    followed, the destination stays inside ``out``. Raises FormatError otherwise. build, report,
    ci and export write only through this."""
    rf.check_relpath(rel, what=f"output {str(out)!r}")
    root = os.path.realpath(out)
    target = out / rel
    parent = os.path.realpath(target.parent)
    if parent != root and not parent.startswith(root + os.sep):
        raise rf.FormatError(f"output {str(out)!r}: {rel!r} would be written outside it (through a "
                             f"symlink); refused.")
    return target
