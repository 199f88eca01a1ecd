"""For playwright drivers (browser tests, the benchmark): the map component's frame, drawn."""

from __future__ import annotations

import time
from typing import Any

FRAME_PATH = "/component/dashboard.deckmap"


def drawn_frame(page: Any, layer: str | None = None, timeout_s: float = 120) -> Any:
    """The map component's frame once its deck has drawn (``layer``: a layer with that id).

    Polls with ``page.wait_for_timeout`` (a sleep would not let playwright see new frames)
    and waits two animation frames after the layer appears, so it has been drawn.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if FRAME_PATH in f.url and not f.is_detached()]
        if frames:
            try:
                ready = frames[-1].evaluate(
                    "id => !!(window.__caDeck && window.__caDeck.isInitialized && (!id ||"
                    " window.__caDeck.props.layers.some(l => l && l.id === id)))", layer)
            except Exception:  # noqa: BLE001 - the frame is being replaced
                ready = False
            if ready:
                frames[-1].evaluate("() => new Promise(r => requestAnimationFrame(() =>"
                                    " requestAnimationFrame(() => r())))")
                return frames[-1]
        page.wait_for_timeout(100)
    raise TimeoutError(f"the map did not draw {layer or 'anything'} in {timeout_s:g} s")
