"""Printable documents: one ``render_pdf(template, **context) -> bytes`` over WeasyPrint.

Templates live in ``templates/pdf/`` and extend ``pdf/base.html``, which inlines the shared print stylesheet
(``pdf/print.css``); ``pdf/_macros.html`` has the address block and the money table. E-bills use it today;
quotes and packing slips later.

WeasyPrint is imported on the first render, once per process, never at app start (it takes a while to load).
Documents never fetch anything: every URL other than an inline ``data:`` one is refused.
"""
from __future__ import annotations

import threading

from flask import render_template

_lock = threading.Lock()
_weasyprint = None
_local = threading.local()  # one FontConfiguration per thread: loading fonts afresh doubles a render's time


def weasyprint():
    """The WeasyPrint module, imported on first use."""
    global _weasyprint
    if _weasyprint is None:
        with _lock:
            if _weasyprint is None:
                import weasyprint as module

                _weasyprint = module
    return _weasyprint


def render_html(template: str, **context) -> str:
    return render_template(template, **context)


def render_pdf(template: str, **context) -> bytes:
    """The PDF of ``templates/<template>`` rendered with ``context``."""
    html = render_html(template, **context)
    module = weasyprint()
    fetcher = module.URLFetcher(allowed_protocols={"data"})  # no file, no network: only inline data: URLs
    return module.HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_font_config())


def _font_config():
    if getattr(_local, "font_config", None) is None:
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config
