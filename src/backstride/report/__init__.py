"""Self-contained HTML reports: hand-written SVG charts, one page shell, no external files.

:mod:`backstride.report.svg`
    Bar, horizontal-bar and line charts as inline SVG text.
:mod:`backstride.report.page`
    The page shell (typography, print styles, the decision-support notice) around a
    list of sections, and small HTML helpers (tables, badges).
:mod:`backstride.report.labels`
    Signal names and number formats shared with the command line.
:mod:`backstride.report.training`
    The training report (``backstride report``).
"""
