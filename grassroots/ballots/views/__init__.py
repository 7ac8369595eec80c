"""Ballot pages: thin views that parse a form, call a service or query, and render.

One module per family of pages: ``manage`` (running a ballot), ``tellers``, ``voting`` (the
ballot paper, the lean cast, receipts), ``results`` (public pages) and ``nominations``.
"""
