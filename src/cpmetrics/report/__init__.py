"""The monthly report: a ``Report`` (model.py) built from an extract, written as HTML, Word,
Excel or Markdown."""
