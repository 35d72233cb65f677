"""The subscriber tab's change figure says what it really covers, and is red only for a
drop as big as the mass-drop alert's threshold (10 % by default)."""

from __future__ import annotations

import re
from pathlib import Path

from app.ui.views.subscribers import Change
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import router_session
from tests.ui.support_g2 import ROUTER


def test_the_change_figure_names_its_span_and_colours_only_real_drops(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, _bench):
            assert session.runtime.settings.thresholds.mass_drop_percent == 10.0
            window = session.window
            window.routers.select(ROUTER)
            view = window.dashboards[ROUTER].subscribers
            # The router was just added: the figure covers the seconds there are, not 5 min.
            figure = re.compile(r"(±0|[+-][\d,]+) in the last \d+ s")
            await wait_for(
                lambda: figure.fullmatch(view.change.text()), what="a figure over seconds"
            )

            view.show_change(Change(delta=0.0, span=36.0, base=25_948.0))
            assert view.change.text() == "±0 in the last 36 s"
            view.show_change(Change(delta=-18.0, span=300.0, base=25_948.0))
            assert view.change.text() == "-18 in the last 5 min"
            assert view.change.property("alarming") is False  # noise, not a drop
            assert view.change.styleSheet() == ""
            view.show_change(Change(delta=-2_948.0, span=290.0, base=25_948.0))
            assert view.change.text() == "-2,948 in the last 5 min"
            assert view.change.property("alarming") is True  # past the 10 % threshold
            assert "color" in view.change.styleSheet()
            assert "10%" in view.change.toolTip()

    run(body())
